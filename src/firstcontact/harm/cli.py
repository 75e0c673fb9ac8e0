"""`firstcontact harm scan`: the scanner on the command line, JSON lines in and out.

The contract (used by the evaluation; keep it stable): each input line is
`{"id": "...", "text": "..."}`; each output line is `{"id": "...", "harms": [...]}` listing
only harm types at level possible or likely, with the evidence spans. A line that is not such
an object gets `{"id": <id or null>, "line": <n>, "error": "..."}` and the scan goes on; the
command always exits 0 so one bad record never loses the rest.
"""

from __future__ import annotations

import io
import json
import sys
from collections.abc import Iterable, Iterator
from typing import Any, TextIO

import typer

from firstcontact.harm.model import Finding
from firstcontact.harm.scanner import Scanner

harm_app = typer.Typer(help="Hidden harms: the indicator catalogue and the scanner.",
                       no_args_is_help=True)


def finding_json(finding: Finding) -> dict[str, Any]:
    return {"type": finding.harm_type, "level": finding.level.value, "score": finding.score,
            "evidence": [{"indicator": e.indicator, "start": e.start, "end": e.end,
                          "text": e.text} for e in finding.evidence]}


def scan_line(scanner: Scanner, number: int, line: str) -> dict[str, Any]:
    """One output object for one input line: the findings, or an error naming what is wrong."""
    try:
        record = json.loads(line)
    except json.JSONDecodeError as error:
        return {"id": None, "line": number, "error": f"not JSON: {error.msg}"}
    if not isinstance(record, dict):
        return {"id": None, "line": number, "error": "expected an object with id and text"}
    identifier = record.get("id")
    if not isinstance(identifier, str | int) or isinstance(identifier, bool):
        return {"id": None, "line": number, "error": "id: must be a string"}
    text = record.get("text")
    if not isinstance(text, str):
        return {"id": str(identifier), "line": number, "error": "text: must be a string"}
    return {"id": str(identifier), "harms": [finding_json(f) for f in scanner.scan(text)]}


def scan_lines(scanner: Scanner, lines: Iterable[str]) -> Iterator[dict[str, Any]]:
    for number, line in enumerate(lines, start=1):
        if line.strip():
            yield scan_line(scanner, number, line)


def scan_stream(scanner: Scanner, source: TextIO, sink: TextIO) -> None:
    for result in scan_lines(scanner, source):
        sink.write(json.dumps(result, ensure_ascii=False) + "\n")
    sink.flush()


@harm_app.command("scan")
def scan() -> None:
    """Read JSON lines {"id", "text"} on stdin; write one JSON line of findings per input."""
    from firstcontact.harm import policy

    # Bytes that are not UTF-8 become U+FFFD rather than stopping the whole scan.
    source = io.TextIOWrapper(sys.stdin.buffer, encoding="utf-8", errors="replace")
    scan_stream(policy.scanner(), source, sys.stdout)
