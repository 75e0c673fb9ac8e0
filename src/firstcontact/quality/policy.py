"""Loading the QA data files (sampling share and teams; the review criteria), checked, with
errors naming file, line and field, so a mistake stops the server at start-up."""

from __future__ import annotations

from datetime import time
from functools import cache
from pathlib import Path
from typing import Any

from firstcontact.platform.policyfile import PolicyError, fail, line_of, read_toml, table
from firstcontact.quality.model import Criterion, SamplingPolicy

POLICY_DIR = Path(__file__).resolve().parent / "policy"

__all__ = ["POLICY_DIR", "PolicyError", "check_all", "criteria", "load_criteria",
           "load_sampling", "sampling"]


def load_sampling(path: Path = POLICY_DIR / "sampling.toml") -> SamplingPolicy:
    data, text = read_toml(path)
    percent = data.get("random_percent")
    if (not isinstance(percent, int | float) or isinstance(percent, bool)
            or not 0 <= percent <= 100):
        raise fail(path, line_of(text, "random_percent"), "random_percent",
                   "must be a number from 0 to 100")
    teams: dict[str, str] = {}
    for username, team in table(path, text, data, "teams").items():
        if not isinstance(team, str) or not team.strip():
            raise fail(path, line_of(text, username), f"teams.{username}",
                       "must be the team's name in quotes")
        teams[username] = team.strip()
    return SamplingPolicy(float(percent), teams, _daily_run_at(path, text, data))


def _daily_run_at(path: Path, text: str, data: dict[str, Any]) -> time:
    """The nightly sampling time, "HH:MM" London time (01:00 when the file leaves it out)."""
    raw = data.get("daily_run_at", "01:00")
    if isinstance(raw, str) and len(raw) == 5:
        try:
            return time.fromisoformat(raw)
        except ValueError:
            pass
    raise fail(path, line_of(text, "daily_run_at"), "daily_run_at",
               'must be a London time of day in quotes, "HH:MM", such as "01:00"')


def _criterion(path: Path, text: str, index: int, item: dict[str, Any]) -> Criterion:
    line = line_of(text, "[[criterion]]", index)
    for key in ("code", "title", "question"):
        if not isinstance(item.get(key), str) or not item[key].strip():
            raise fail(path, line, f"criterion[{index}].{key}", "must be some text in quotes")
    scale = item.get("scale")
    if (not isinstance(scale, list) or len(scale) < 2
            or not all(isinstance(s, str) and s.strip() for s in scale)):
        raise fail(path, line, f"criterion[{index}].scale",
                   "must be a list of at least two labels, worst first")
    may_not_apply = item.get("may_not_apply", False)
    if not isinstance(may_not_apply, bool):
        raise fail(path, line, f"criterion[{index}].may_not_apply", "must be true or false")
    return Criterion(item["code"], item["title"], item["question"], tuple(scale),
                     may_not_apply)


def load_criteria(path: Path = POLICY_DIR / "criteria.toml") -> tuple[Criterion, ...]:
    data, text = read_toml(path)
    items = data.get("criterion")
    if not isinstance(items, list) or not items:
        raise fail(path, 0, "criterion", "add at least one [[criterion]]")
    found: list[Criterion] = []
    for index, item in enumerate(items):
        criterion = _criterion(path, text, index, item)
        if criterion.code in {c.code for c in found}:
            raise fail(path, line_of(text, "[[criterion]]", index),
                       f"criterion[{index}].code", f"{criterion.code!r} is used twice")
        found.append(criterion)
    return tuple(found)


@cache
def sampling() -> SamplingPolicy:
    """The force's sampling policy (read once; `check_all` at start-up checks it)."""
    return load_sampling()


@cache
def criteria() -> tuple[Criterion, ...]:
    """The QA review form's criteria (read once)."""
    return load_criteria()


def check_all() -> None:
    """Read every QA data file now, so a mistake stops start-up rather than a review."""
    sampling()
    criteria()
