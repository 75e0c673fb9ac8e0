"""Reading the data files policing experts edit (policy, indicators), with errors that name the
file, the line and the field, so a mistake stops the server at start-up with a pointer to fix.

Every room that keeps knowledge as TOML uses these; the rules about what a file must hold stay
in the room.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any


class PolicyError(Exception):
    """A data file is wrong. The message names the file, the line and the field."""


def line_of(text: str, needle: str, occurrence: int = 0) -> int:
    """The 1-based line of the n-th line starting with `needle` (0 if it is not found)."""
    seen = -1
    for number, line in enumerate(text.splitlines(), start=1):
        if line.strip().startswith(needle):
            seen += 1
            if seen == occurrence:
                return number
    return 0


def read_toml(path: Path) -> tuple[dict[str, Any], str]:
    """The parsed file and its text (for `line_of`); a syntax error names the file and line."""
    text = path.read_text(encoding="utf-8")
    try:
        return tomllib.loads(text), text
    except tomllib.TOMLDecodeError as error:
        raise PolicyError(f"{path}: {error}") from None


def fail(path: Path, line: int, field: str, message: str) -> PolicyError:
    """The error to raise: `path:line: field: message`."""
    return PolicyError(f"{path}:{line}: {field}: {message}")


def table(path: Path, text: str, data: Mapping[str, Any], name: str) -> dict[str, Any]:
    """The TOML table `name`, or an error naming the file and line where it should be."""
    found = data.get(name)
    if not isinstance(found, dict):
        raise fail(path, line_of(text, f"[{name}"), name, "missing or not a table")
    return found
