"""Loading the people room's policy files, checked, with errors that name file, line and field.

Reuses the risk room's TOML helpers so every room's policy errors read the same way. Read once
at start-up (cached): a force that edits a file restarts the server.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

from firstcontact.people.history import RepeatPolicy, Threshold
from firstcontact.people.model import IDENTIFIERS, MATCHED, MatchPolicy, NameVariants, Outcome
from firstcontact.people.partners import AgencyPolicy, AgencyType
from firstcontact.platform.policyfile import PolicyError, fail, line_of, read_toml, table

POLICY_DIR = Path(__file__).resolve().parent / "policy"

__all__ = ["POLICY_DIR", "PolicyError", "agencies", "check_all", "load_agencies", "load_matching",
           "load_names", "load_repeat", "matching", "names", "repeat"]


def load_matching(path: Path = POLICY_DIR / "matching.toml") -> MatchPolicy:
    data, text = read_toml(path)
    thresholds = table(path, text, data, "thresholds")
    auto_link = _number(path, text, thresholds, "auto_link", "thresholds.")
    offer = _number(path, text, thresholds, "offer", "thresholds.")
    if offer >= auto_link:
        raise fail(path, line_of(text, "offer"), "thresholds.offer",
                    "must be below auto_link, so there is a band offered to staff")
    blocking = table(path, text, data, "blocking")
    size = blocking.get("max_block_size")
    if not isinstance(size, int) or size < 10:
        raise fail(path, line_of(text, "max_block_size"), "blocking.max_block_size",
                    "must be a whole number of at least 10")
    weights_table = table(path, text, data, "weights")
    weights = {name: _weights(path, text, weights_table, name) for name in MATCHED}
    return MatchPolicy(weights=weights, auto_link=auto_link, offer=offer,
                       max_block_size=size, source=str(path))


def _number(path: Path, text: str, table: dict[str, Any], key: str, prefix: str) -> float:
    value = table.get(key)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise fail(path, line_of(text, key), f"{prefix}{key}", "must be a number")
    return float(value)


def _weights(path: Path, text: str, table: dict[str, Any], name: str) -> dict[Outcome, float]:
    entry = table.get(name)
    if not isinstance(entry, dict):
        raise fail(path, line_of(text, "[weights"), f"weights.{name}",
                    f"every identifier needs weights; known: {list(MATCHED)}")
    line = line_of(text, f"[weights.{name}]")
    unknown = set(entry) - {o.value for o in Outcome}
    if unknown:
        raise fail(path, line, f"weights.{name}.{sorted(unknown)[0]}",
                    f"unknown outcome; known: {[o.value for o in Outcome]}")
    weights = {o: _number(path, text, entry, o.value, f"weights.{name}.") for o in Outcome}
    if weights[Outcome.AGREE] <= 0 or weights[Outcome.DISAGREE] > 0:
        raise fail(path, line, f"weights.{name}",
                    "agree must count for a match (above 0), disagree against (0 or below)")
    return weights


def load_names(path: Path = POLICY_DIR / "names.toml") -> NameVariants:
    data, text = read_toml(path)
    groups = data.get("groups")
    if not isinstance(groups, list):
        raise fail(path, line_of(text, "groups"), "groups", "must be a list of lists of names")
    canonical: dict[str, str] = {}
    for index, group in enumerate(groups):
        if not isinstance(group, list) or len(group) < 2 or not all(
                isinstance(n, str) and n == n.strip().lower() and n for n in group):
            raise fail(path, line_of(text, f'["{group[0]}"' if group else "[") or 0,
                        f"groups[{index}]", "must list two or more lower-case names")
        for name in group:
            if name in canonical and canonical[name] != group[0]:
                raise fail(path, line_of(text, f'["{group[0]}"'), f"groups[{index}]",
                            f"{name!r} is already in the group of {canonical[name]!r}")
            canonical[name] = group[0]
    return NameVariants(canonical)


def load_repeat(path: Path = POLICY_DIR / "repeat.toml") -> RepeatPolicy:
    data, text = read_toml(path)
    windows = data.get("windows_days")
    if not isinstance(windows, list) or not windows or not all(
            isinstance(d, int) and not isinstance(d, bool) and d > 0 for d in windows):
        raise fail(path, line_of(text, "windows_days"), "windows_days",
                    "must be a list of whole numbers of days above 0")
    caller = _threshold(path, text, table(path, text, data, "repeat_caller"),
                        "repeat_caller", line_of(text, "[repeat_caller]"))
    frequent = data.get("frequent_caller")
    if not isinstance(frequent, list) or not frequent:
        raise fail(path, line_of(text, "[[frequent_caller]]"), "frequent_caller",
                    "needs at least one [[frequent_caller]] rule")
    rules = tuple(_threshold(path, text, entry, f"frequent_caller[{index}]",
                             line_of(text, "[[frequent_caller]]", index))
                  for index, entry in enumerate(frequent))
    victim = table(path, text, data, "repeat_victim")
    days = victim.get("days")
    if not isinstance(days, int) or isinstance(days, bool) or days <= 0:
        raise fail(path, line_of(text, "[repeat_victim]"), "repeat_victim.days",
                    "must be a whole number of days above 0")
    return RepeatPolicy(tuple(windows), caller, rules, days)


def _threshold(path: Path, text: str, entry: Any, where: str, line: int) -> Threshold:
    values = [entry.get(key) if isinstance(entry, dict) else None for key in ("contacts", "days")]
    for key, value in zip(("contacts", "days"), values, strict=True):
        if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
            raise fail(path, line, f"{where}.{key}", "must be a whole number above 0")
    return Threshold(int(values[0]), int(values[1]))  # type: ignore[arg-type]


def load_agencies(path: Path = POLICY_DIR / "agencies.toml") -> AgencyPolicy:
    data, text = read_toml(path)
    bases = table(path, text, data, "lawful_bases")
    for key, value in bases.items():
        if not isinstance(value, str) or not value.strip():
            raise fail(path, line_of(text, key), f"lawful_bases.{key}",
                        "needs a description staff can read")
    types: dict[str, AgencyType] = {}
    for name, entry in table(path, text, data, "types").items():
        line = line_of(text, f"[types.{name}]")
        fields = entry.get("fields") if isinstance(entry, dict) else None
        if not isinstance(fields, list) or not fields or any(f not in IDENTIFIERS
                                                             for f in fields):
            raise fail(path, line, f"types.{name}.fields",
                        f"must list fields drawn from {list(IDENTIFIERS)}")
        types[name] = AgencyType(name, str(entry.get("label", name)), tuple(fields))
    return AgencyPolicy(types, {str(k): str(v) for k, v in bases.items()})


def check_all() -> None:
    """Read every people policy file now, so a mistake stops the server at start-up."""
    matching(), names(), repeat(), agencies()


@cache
def agencies() -> AgencyPolicy:
    """The force's partner-agency types and lawful bases (read once)."""
    return load_agencies()


@cache
def repeat() -> RepeatPolicy:
    """The force's repeat and frequent caller definitions (read once)."""
    return load_repeat()


@cache
def matching() -> MatchPolicy:
    """The force's matching policy (read once)."""
    return load_matching()


@cache
def names() -> NameVariants:
    """The force's nickname and transliteration groups (read once)."""
    return load_names()
