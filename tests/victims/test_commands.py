"""`firstcontact victims entitlements`: JSON lines in, JSON lines out, errors per line."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from firstcontact.cli import app

LINES = [
    {"id": "a", "reported_at": "2025-12-24T16:00:00+00:00", "crime": "burglary_dwelling",
     "victim_age": None, "flags": [], "language": "en"},
    {"id": "b", "reported_at": "2026-06-08T09:00:00+01:00", "crime": "domestic_abuse",
     "victim_age": 16, "flags": ["intimidated"], "language": "pl"},
    {"id": "c", "reported_at": "2026-06-08T09:00:00+01:00", "crime": "jaywalking"},
    {"id": "d", "reported_at": "2999-01-01T00:00:00+00:00", "crime": "theft"},
    {"id": "e", "reported_at": "not a date", "crime": "theft"},
]


def run(stdin: str) -> list[dict[str, Any]]:
    result = CliRunner().invoke(app, ["victims", "entitlements"], input=stdin)
    assert result.exit_code == 0, result.output
    return [json.loads(line) for line in result.stdout.splitlines()]


def test_each_line_gets_its_entitlements_in_the_same_order() -> None:
    out = run("\n".join(json.dumps(line) for line in LINES) + "\n")
    assert [o["id"] for o in out] == ["a", "b", "c", "d", "e"]
    a, b = out[0], out[1]
    assert a["enhanced"] is False and a["reasons"] == []
    assert a["entitlements"][0] == {"code": "written_acknowledgement", "due": "2026-01-05"}
    assert a["entitlements"][1] == {"code": "support_referral", "due": "2025-12-30",
                                    "consent": "opt_out"}
    assert {"code": "needs_assessment"} in a["entitlements"]
    assert "interpretation" not in [e["code"] for e in a["entitlements"]]
    assert b["enhanced"] is True
    assert b["reasons"] == ["most_serious_crime", "under_18", "intimidated"]
    referral = next(e for e in b["entitlements"] if e["code"] == "support_referral")
    assert referral == {"code": "support_referral", "due": "2026-06-10", "consent": "explicit"}
    assert {"code": "interpretation"} in b["entitlements"]


def test_an_unknown_crime_a_future_date_or_a_bad_date_is_an_error_for_that_line() -> None:
    out = run("\n".join(json.dumps(line) for line in LINES))
    assert out[2]["id"] == "c" and out[2]["error"]["field"] == "crime"
    assert out[3]["error"]["field"] == "reported_at"
    assert "future" in out[3]["error"]["message"]
    assert out[4]["error"]["field"] == "reported_at"


def test_a_line_that_is_not_json_is_an_error_and_blank_lines_are_skipped() -> None:
    out = run('not json\n\n[1]\n{"id": "z", "reported_at": "2026-06-08T09:00:00Z", '
              '"crime": "theft"}\n')
    assert [o.get("error", {}).get("field") for o in out] == ["line", "line", None]
    assert out[2]["id"] == "z"


def test_the_installed_command_reads_stdin_and_exits_0(tmp_path: Path) -> None:
    command = Path(sys.executable).with_name("firstcontact")
    result = subprocess.run(
        [str(command), "victims", "entitlements"], input=json.dumps(LINES[0]) + "\n",
        capture_output=True, text=True, check=False, cwd=tmp_path, timeout=60)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["entitlements"][1]["due"] == "2025-12-30"
