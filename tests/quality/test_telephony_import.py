"""Importing call events through the API and the command line, on real databases: the same
calls twice add nothing, a bad file stores nothing and names every bad row, and the service
report's command writes its PDF, CSV and page."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from pypdf import PdfReader
from sqlalchemy import func, select
from typer.testing import CliRunner

from firstcontact.cli import app
from firstcontact.platform.model import Role
from firstcontact.platform.runtime import Runtime
from firstcontact.quality.tables import TelephonyCallRow
from tests.staff import api_headers

DATA = Path(__file__).resolve().parent.parent / "data"
DAY_CSV = (DATA / "telephony_day.csv").read_bytes()
runner = CliRunner()


def held(rt: Runtime) -> int:
    with rt.database.transaction() as session:
        return int(session.scalar(select(func.count()).select_from(TelephonyCallRow)) or 0)


def upload(client: TestClient, headers: dict[str, str], content: bytes,
           kind: str = "text/csv") -> tuple[int, object]:
    response = client.post("/api/telephony/calls", headers={**headers, "Content-Type": kind},
                           content=content)
    return response.status_code, response.json()


def test_the_same_calls_imported_twice_are_held_once(client: TestClient,
                                                     runtime: Runtime) -> None:
    leader = api_headers(client, runtime, Role.TEAM_LEADER)
    assert upload(client, leader, DAY_CSV) == (201, {"added": 23, "already_held": 0})
    as_json = (DATA / "telephony_day.json").read_bytes()
    assert upload(client, leader, as_json, "application/json") == (
        201, {"added": 0, "already_held": 23})
    assert held(runtime) == 23


def test_a_call_id_held_with_other_times_refuses_the_whole_file(client: TestClient,
                                                                runtime: Runtime) -> None:
    leader = api_headers(client, runtime, Role.TEAM_LEADER)
    upload(client, leader, DAY_CSV)
    changed = {"calls": [
        {"call_id": "TEL-NEW-1", "line": "101", "offered_at": "2026-03-14T08:00:00Z",
         "answered_at": "2026-03-14T08:00:30Z"},
        {"call_id": "TEL-20260313-E001", "line": "999", "offered_at": "2026-03-13T08:05:00Z",
         "answered_at": "2026-03-13T08:05:09Z"}]}
    status, body = upload(client, leader, json.dumps(changed).encode(), "application/json")
    assert status == 422
    assert body == {"detail": [{"field": "call TEL-20260313-E001.call_id", "message":
                                "TEL-20260313-E001 is already held with different times "
                                "(call 2 in this file): nothing was imported"}]}
    assert held(runtime) == 23  # TEL-NEW-1 was not stored either


def test_a_bad_file_names_each_row_and_stores_nothing(client: TestClient,
                                                      runtime: Runtime) -> None:
    leader = api_headers(client, runtime, Role.TEAM_LEADER)
    status, body = upload(client, leader, (DATA / "telephony_bad.csv").read_bytes())
    assert status == 422
    assert [d["field"] for d in body["detail"]] == [  # type: ignore[index]
        "row 3.line", "row 4.offered_at", "row 5.answered_at", "row 6.answered_at",
        "row 7.call_id"]
    assert upload(client, leader, b"[]", "application/json")[0] == 422
    assert upload(client, leader, b"{", "application/json")[0] == 422
    assert held(runtime) == 0


@pytest.mark.parametrize("role", list(Role), ids=[r.value for r in Role])
def test_only_team_leaders_and_admins_import_calls(client: TestClient, runtime: Runtime,
                                                   role: Role) -> None:
    status, _ = upload(client, api_headers(client, runtime, role), DAY_CSV)
    assert status == (201 if role in {Role.TEAM_LEADER, Role.ADMIN} else 403)


@pytest.fixture
def cli_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("FIRSTCONTACT_DATABASE_URL", f"sqlite:///{tmp_path / 'cli.db'}")
    monkeypatch.setenv("FIRSTCONTACT_LOG_JSON", "false")
    assert runner.invoke(app, ["db", "upgrade"]).exit_code == 0
    return tmp_path


def test_the_command_line_imports_a_file_and_writes_the_report(cli_db: Path) -> None:
    done = runner.invoke(app, ["report", "telephony", "import", str(DATA / "telephony_day.json")])
    assert (done.exit_code, done.output.strip()) == (0, "imported 23 calls (0 already held)")
    again = runner.invoke(app, ["report", "telephony", "import", str(DATA / "telephony_day.csv")])
    assert again.output.strip() == "imported 0 calls (23 already held)"

    base = ["report", "service", "--from", "2026-03-13", "--to", "2026-03-13"]
    as_csv = runner.invoke(app, [*base, "--format", "csv"])
    assert as_csv.exit_code == 0, as_csv.output
    rows = {(r["table"], r["row"], r["column"]): r["value"]
            for r in csv.DictReader(io.StringIO(as_csv.stdout)) if r["section"] == "calls"}
    assert rows[("answering", "% answered within target", "999")] == "80.0"
    assert rows[("101_by_hour", "10:00", "% abandoned")] == "25.0"

    pdf = cli_db / "report.pdf"
    assert runner.invoke(app, [*base, "--format", "pdf", "--output", str(pdf)]).exit_code == 0
    text = " ".join(" ".join(p.extract_text() for p in PdfReader(pdf).pages).split())
    assert "80.0% of 10 answered" in text
    page = cli_db / "report.html"
    assert runner.invoke(app, [*base, "--format", "html", "--output", str(page)]).exit_code == 0
    assert "<title>Demo Constabulary: Service report, 13 March 2026 to 13 March 2026</title>" in (
        page.read_text())


def test_the_command_line_refuses_a_bad_file_naming_the_row(cli_db: Path) -> None:
    done = runner.invoke(app, ["report", "telephony", "import", str(DATA / "telephony_bad.csv")])
    assert done.exit_code == 1
    assert "error: row 3.line: Enter the line: 999 or 101" in done.output
    backwards = runner.invoke(app, ["report", "service", "--from", "2026-03-13", "--to",
                                    "2026-03-01", "--format", "csv"])
    assert backwards.exit_code == 1
    assert "to: The end of the period must not be before its start" in backwards.output
