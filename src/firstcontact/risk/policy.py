"""Loading the risk room's policy files, checked, with errors that name file, line and field.

The files are read once at start-up (and cached): a force that edits a file restarts the
server, and a mistake stops it there rather than mis-grading a call later.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from functools import cache
from pathlib import Path
from typing import Any

from firstcontact.platform.policyfile import PolicyError as PolicyError
from firstcontact.platform.policyfile import fail as _fail
from firstcontact.platform.policyfile import line_of as _line_of
from firstcontact.platform.policyfile import read_toml as _read
from firstcontact.platform.policyfile import table
from firstcontact.risk.model import (
    DETAIL_OPTIONS,
    ELEMENT_OPTIONS,
    ESCALATING,
    Grade,
    GradePolicy,
    GradingPolicy,
    NsirCatalogue,
    NsirCategory,
    Rule,
)

POLICY_DIR = Path(__file__).resolve().parent / "policy"
RULE_FACTS: dict[str, tuple[str, ...]] = {**ELEMENT_OPTIONS, **DETAIL_OPTIONS,
                                          ESCALATING: ("yes", "no")}


def load_grading(path: Path = POLICY_DIR / "grading.toml") -> GradingPolicy:
    data, text = _read(path)
    grades = {Grade(name): _grade_policy(path, text, name, entry)
              for name, entry in table(path, text, data, "grades").items()
              if _known_grade(path, text, name)}
    missing = [g.value for g in Grade if g not in grades]
    if missing:
        raise _fail(path, 0, "grades", f"every grade needs an entry; missing {missing}")
    rules = [_rule(path, text, index, entry) for index, entry in enumerate(data.get("rules", []))]
    default = data.get("default_grade", "")
    _known_grade(path, text, default, field="default_grade")
    return GradingPolicy(grades=grades, rules=rules, default_grade=Grade(default),
                         default_reason=str(data.get("default_reason", "")),
                         review_interval=_minutes(path, text, data, "review_interval_minutes"),
                         source=str(path), review_escalation_margin=_minutes(
                             path, text, data, "review_escalation_margin_minutes"))


def _minutes(path: Path, text: str, data: Mapping[str, Any], field: str) -> timedelta:
    minutes = data.get(field)
    if not isinstance(minutes, int) or isinstance(minutes, bool) or minutes <= 0:
        raise _fail(path, _line_of(text, field), field,
                    "must be a whole number of minutes above 0")
    return timedelta(minutes=minutes)


def _known_grade(path: Path, text: str, name: str, field: str = "grades") -> bool:
    if name not in {g.value for g in Grade}:
        raise _fail(path, _line_of(text, f"[grades.{name}]") or _line_of(text, field), field,
                    f"unknown grade {name!r}; known: {[g.value for g in Grade]}")
    return True


def _grade_policy(path: Path, text: str, name: str, entry: Mapping[str, Any]) -> GradePolicy:
    line = _line_of(text, f"[grades.{name}]")
    targets = entry.get("target_minutes", {})
    if not isinstance(targets, dict) or not all(
            key in {"urban", "rural", "any"} and isinstance(v, int) and v > 0
            for key, v in targets.items()):
        raise _fail(path, line, f"grades.{name}.target_minutes",
                    "must map urban/rural/any to whole minutes above 0")
    interval = entry.get("review_interval_minutes")
    if interval is not None and (not isinstance(interval, int) or interval <= 0):
        raise _fail(path, line, f"grades.{name}.review_interval_minutes",
                    "must be a whole number of minutes above 0")
    return GradePolicy(
        grade=Grade(name), label=str(entry.get("label", name)), target_minutes=targets,
        opens_incident=bool(entry.get("opens_incident", False)),
        review_interval=timedelta(minutes=interval) if interval else None,
    )


def _rule(path: Path, text: str, index: int, entry: Mapping[str, Any]) -> Rule:
    line = _line_of(text, "[[rules]]", index)
    where = f"rules[{index}]"
    grade = entry.get("grade", "")
    if grade not in {g.value for g in Grade}:
        raise _fail(path, line, f"{where}.grade", f"unknown grade {grade!r}")
    if not str(entry.get("reason", "")).strip():
        raise _fail(path, line, f"{where}.reason", "every rule needs a reason staff can read")
    when = entry.get("when")
    if not isinstance(when, dict) or not when:
        raise _fail(path, line, f"{where}.when", "needs at least one condition")
    for fact, values in when.items():
        if fact not in RULE_FACTS:
            raise _fail(path, line, f"{where}.when.{fact}",
                        f"unknown fact; known: {sorted(RULE_FACTS)}")
        allowed = RULE_FACTS[fact]
        if not isinstance(values, list) or not values or any(v not in allowed for v in values):
            raise _fail(path, line, f"{where}.when.{fact}",
                        f"values must be a list drawn from {list(RULE_FACTS[fact])}")
    return Rule(Grade(grade), str(entry["reason"]),
                {fact: tuple(values) for fact, values in when.items()})


def load_nsir(path: Path = POLICY_DIR / "nsir.toml") -> NsirCatalogue:
    data, text = _read(path)
    categories: dict[str, NsirCategory] = {}
    seen_codes: set[str] = set()
    for name, entry in table(path, text, data, "categories").items():
        opening = _codes(path, text, name, entry, "opening_codes", seen_codes)
        closing = _codes(path, text, name, entry, "closing_codes", seen_codes)
        categories[name] = NsirCategory(name, str(entry.get("label", name)), opening, closing)
    qualifiers = table(path, text, data, "qualifiers")
    results = table(path, text, data, "results")
    return NsirCatalogue(categories, {str(k): str(v) for k, v in qualifiers.items()},
                         {str(k): str(v) for k, v in results.items()})


def _codes(path: Path, text: str, name: str, entry: Mapping[str, Any], kind: str,
           seen: set[str]) -> dict[str, str]:
    """One category's opening or closing codes; every code unique across the whole file."""
    codes = entry.get(kind)
    if not isinstance(codes, dict) or not codes:
        raise _fail(path, _line_of(text, f"[categories.{name}"), f"categories.{name}",
                    f"needs {kind}")
    clash = seen & set(codes)
    if clash:
        raise _fail(path, _line_of(text, f'"{sorted(clash)[0]}"'), f"categories.{name}",
                    f"code {sorted(clash)[0]} is used twice")
    seen |= set(codes)
    return {str(k): str(v) for k, v in codes.items()}


@cache
def grading() -> GradingPolicy:
    """The force's grading policy (read once)."""
    return load_grading()


@cache
def nsir() -> NsirCatalogue:
    """The force's NSIR code lists (read once)."""
    return load_nsir()
