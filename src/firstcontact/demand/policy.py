"""Loading the demand room's resources file (unit types, skills, sectors), checked at start-up
with the risk room's helpers so a mistake names the file, the line and the field."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

from firstcontact.demand.model import ResourcePolicy, Sector
from firstcontact.platform.policyfile import fail, line_of, read_toml, table

POLICY_DIR = Path(__file__).resolve().parent / "policy"


def load_resources(path: Path = POLICY_DIR / "resources.toml") -> ResourcePolicy:
    data, text = read_toml(path)
    named = {name: _labels(path, text, table(path, text, data, name), name)
             for name in ("unit_types", "skills")}
    sectors = tuple(_sector(path, text, code, entry)
                    for code, entry in table(path, text, data, "sectors").items())
    return ResourcePolicy(named["unit_types"], named["skills"], sectors)


def _labels(path: Path, text: str, entries: dict[str, Any], name: str) -> dict[str, str]:
    for key, label in entries.items():
        if not isinstance(label, str) or not label.strip():
            raise fail(path, line_of(text, key), f"{name}.{key}", "needs a label staff can read")
    return {str(k): str(v) for k, v in entries.items()}


def _sector(path: Path, text: str, code: str, entry: Any) -> Sector:
    line = line_of(text, f"[sectors.{code}]")
    places = entry.get("places") if isinstance(entry, dict) else None
    if not isinstance(places, list) or not places or not all(
            isinstance(p, str) and p.strip() for p in places):
        raise fail(path, line, f"sectors.{code}.places", "needs a list of place names")
    return Sector(code, str(entry.get("label", code)), tuple(places))


@cache
def resources() -> ResourcePolicy:
    """The force's resources file (read once)."""
    return load_resources()
