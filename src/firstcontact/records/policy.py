"""Loading the retention schedule, checked, with errors naming the file, line and field."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

from firstcontact.platform.policyfile import PolicyError, fail, line_of, read_toml, table
from firstcontact.records.model import Disposal, MopiGroup, RecordRule, RecordType, RetentionPolicy

POLICY_FILE = Path(__file__).resolve().parent / "policy" / "retention.toml"

__all__ = ["POLICY_FILE", "PolicyError", "load", "retention_policy"]


def _years(path: Path, text: str, name: str, body: dict[str, Any], key: str) -> int | None:
    value = body.get(key)
    if value is None:
        return None
    if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
        raise fail(path, line_of(text, key), f"groups.{name}.{key}",
                   "must be a whole number of years above 0")
    return value


def _groups(path: Path, text: str, data: dict[str, Any]) -> dict[str, MopiGroup]:
    groups: dict[str, MopiGroup] = {}
    for name, body in table(path, text, data, "groups").items():
        where = line_of(text, f"[groups.{name}]")
        if not isinstance(body, dict) or not isinstance(body.get("title"), str):
            raise fail(path, where, f"groups.{name}.title", "every group needs a title")
        review = _years(path, text, name, body, "review_years")
        age = _years(path, text, name, body, "keep_until_age")
        if (review is None) == (age is None):
            raise fail(path, where, f"groups.{name}",
                       "give exactly one of review_years or keep_until_age")
        groups[name] = MopiGroup(name, body["title"], review, age)
    return groups


def _known_group(path: Path, text: str, field: str, value: object,
                 groups: dict[str, MopiGroup]) -> str:
    if not isinstance(value, str) or value not in groups:
        raise fail(path, line_of(text, field.rsplit(".", 1)[-1]), field,
                   f"unknown group {value!r}; known: {sorted(groups)}")
    return value


def _rule(path: Path, text: str, kind: RecordType, body: Any,
          groups: dict[str, MopiGroup]) -> RecordRule:
    where = line_of(text, f"[record_types.{kind.value}]")
    if not isinstance(body, dict):
        raise fail(path, where, f"record_types.{kind.value}", "missing: every type needs a rule")
    disposal = body.get("disposal")
    if disposal not in {d.value for d in Disposal}:
        raise fail(path, where, f"record_types.{kind.value}.disposal",
                   f"must be one of {[d.value for d in Disposal]}")
    if kind is RecordType.AUDIT_LOG and disposal != Disposal.KEEP.value:
        raise fail(path, where, "record_types.audit_log.disposal",
                   "the audit log is append-only: it must be \"keep\"")
    if not isinstance(body.get("why"), str) or not body["why"].strip():
        raise fail(path, where, f"record_types.{kind.value}.why", "say why, for the reviewer")
    group = body.get("group")
    if group is not None:
        group = _known_group(path, text, f"record_types.{kind.value}.group", group, groups)
    return RecordRule(kind, Disposal(disposal), body["why"], group)


def load(path: Path = POLICY_FILE) -> RetentionPolicy:
    data, text = read_toml(path)
    groups = _groups(path, text, data)
    classification = table(path, text, data, "classification")
    crime = _known_group(path, text, "classification.crime_group",
                         classification.get("crime_group"), groups)
    other = _known_group(path, text, "classification.other_group",
                         classification.get("other_group"), groups)
    marks = classification.get("qualifiers", {})
    qualifier_groups = {q: _known_group(path, text, f"classification.qualifiers.{q}", g, groups)
                        for q, g in (marks.items() if isinstance(marks, dict) else [])}
    kinds = table(path, text, data, "record_types")
    unknown = set(kinds) - {kind.value for kind in RecordType}
    if unknown:
        name = sorted(unknown)[0]
        raise fail(path, line_of(text, f"[record_types.{name}]"), f"record_types.{name}",
                   f"unknown record type; known: {[kind.value for kind in RecordType]}")
    rules = {kind: _rule(path, text, kind, kinds.get(kind.value), groups) for kind in RecordType}
    return RetentionPolicy(groups, rules, qualifier_groups, crime, other)


@cache
def retention_policy() -> RetentionPolicy:
    """The schedule, read once; called at start-up so a mistake stops the server, named."""
    return load()
