"""Loading the missing-person policy file, checked, with errors naming file, line and field."""

from __future__ import annotations

from datetime import timedelta
from functools import cache
from pathlib import Path

from firstcontact.missing.model import MissingPolicy, RiskLevel
from firstcontact.platform.policyfile import PolicyError, fail, line_of, read_toml, table

POLICY_FILE = Path(__file__).resolve().parent / "policy" / "missing.toml"

__all__ = ["POLICY_FILE", "PolicyError", "load", "missing_policy"]


def load(path: Path = POLICY_FILE) -> MissingPolicy:
    data, text = read_toml(path)
    hours = data.get("return_interview_hours")
    if not isinstance(hours, int) or isinstance(hours, bool) or hours <= 0:
        raise fail(path, line_of(text, "return_interview_hours"), "return_interview_hours",
                   "must be a whole number of hours above 0")
    reviews = table(path, text, data, "review_minutes")
    every: dict[RiskLevel, timedelta] = {}
    for level in RiskLevel:
        minutes = reviews.get(level.value)
        if not isinstance(minutes, int) or isinstance(minutes, bool) or minutes <= 0:
            raise fail(path, line_of(text, level.value) or line_of(text, "[review_minutes]"),
                       f"review_minutes.{level.value}", "must be a whole number above 0")
        every[level] = timedelta(minutes=minutes)
    factors: dict[str, RiskLevel] = {}
    for name, level in table(path, text, data, "factors").items():
        if level not in {lv.value for lv in RiskLevel}:
            raise fail(path, line_of(text, name), f"factors.{name}",
                       f"unknown risk level {level!r}; known: {[lv.value for lv in RiskLevel]}")
        factors[name] = RiskLevel(level)
    return MissingPolicy(every, timedelta(hours=hours), factors)


@cache
def missing_policy() -> MissingPolicy:
    """The force's missing-person policy (read once; `load` at start-up checks it)."""
    return load()
