"""`firstcontact victims ...`: the entitlement engine on the command line.

`entitlements` reads one JSON report per line on stdin and writes one JSON answer per line on
stdout, in the same order. A line it cannot use gets an error object naming the field, and the
command goes on: one bad line in a batch never loses the others (exit status 0).
"""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime
from typing import Any, TextIO

import typer

from firstcontact.platform.model import ValidationError
from firstcontact.victims.model import Decision, VictimsPolicy, entitlements_for, parse_report
from firstcontact.victims.policy import victims_policy

app = typer.Typer(help="Victims' Code entitlements.", no_args_is_help=True)


@app.command("entitlements")
def entitlements() -> None:
    """Read JSON-lines reports on stdin; write each victim's entitlements as JSON lines."""
    answer_lines(sys.stdin, sys.stdout, victims_policy(), datetime.now(UTC))


def answer_lines(lines: TextIO, out: TextIO, policy: VictimsPolicy, now: datetime) -> None:
    for line in lines:
        if line.strip():
            out.write(json.dumps(answer(line, policy, now), ensure_ascii=False) + "\n")
            out.flush()


def answer(line: str, policy: VictimsPolicy, now: datetime) -> dict[str, Any]:
    """The answer for one input line: the decision, or an error object."""
    try:
        data = json.loads(line)
    except json.JSONDecodeError as error:
        return error_object(None, "line", f"Not valid JSON: {error.msg}")
    if not isinstance(data, dict):
        return error_object(None, "line", "Each line must be a JSON object")
    ident = data.get("id")
    try:
        report = parse_report(data, policy, now)
    except ValidationError as error:
        return error_object(ident, error.field, error.message, error.errors)
    return {"id": ident, **decision_json(entitlements_for(report, policy))}


def decision_json(decision: Decision) -> dict[str, Any]:
    owed = []
    for due in decision.entitlements:
        item: dict[str, Any] = {"code": due.code}
        if due.due is not None:
            item["due"] = due.due.isoformat()
        if due.consent is not None:
            item["consent"] = due.consent.value
        if due.not_applicable:
            item["not_applicable"] = due.not_applicable
        owed.append(item)
    return {"enhanced": decision.enhanced, "reasons": list(decision.reasons),
            "entitlements": owed}


def error_object(ident: object, field: str, message: str,
                 errors: dict[str, str] | None = None) -> dict[str, Any]:
    every = errors or {field: message}
    return {"id": ident, "error": {"field": field, "message": message,
                                   "errors": [{"field": f, "message": m}
                                              for f, m in every.items()]}}
