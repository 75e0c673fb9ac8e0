"""The service report's standards (quality/policy/service_report.toml), checked at start-up
with errors that name the file, the line and the field."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

from firstcontact.platform.policyfile import fail, line_of, read_toml, table
from firstcontact.quality.report import ReportPolicy

POLICY_FILE = Path(__file__).resolve().parent / "policy" / "service_report.toml"


def load_policy(path: Path = POLICY_FILE) -> ReportPolicy:
    data, text = read_toml(path)

    def number(section: str, key: str, highest: int) -> int:
        found: Any = table(path, text, data, section).get(key)
        if not isinstance(found, int) or isinstance(found, bool) or not 0 < found <= highest:
            raise fail(path, _line(text, section, key), f"{section}.{key}",
                       f"must be a whole number from 1 to {highest}")
        return found

    return ReportPolicy(
        within_999_seconds=number("emergency_999", "answer_within_seconds", 3600),
        standard_999_percent=number("emergency_999", "standard_percent", 100),
        within_101_seconds=number("non_emergency_101", "answer_within_seconds", 3600),
        abandonment_101_target_percent=number("non_emergency_101",
                                              "abandonment_target_percent", 100),
        percentile=number("reporting", "percentile", 99),
        source=str(path))


def _line(text: str, section: str, key: str) -> int:
    """The line of `key` inside `[section]` (the same key is in more than one section)."""
    start = line_of(text, f"[{section}]")
    for number, line in enumerate(text.splitlines()[start:], start=start + 1):
        if line.strip().startswith(key):
            return number
    return start


@cache
def report_policy() -> ReportPolicy:
    """Read once; app.py calls it at start-up so a mistake stops the server, named."""
    return load_policy()
