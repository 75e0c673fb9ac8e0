"""Subject access: everything held on a person, as JSON and as PDF, through the admin-only
API and the command line; the export itself is logged as a disclosure (SQLite and
PostgreSQL)."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pypdf import PdfReader
from sqlalchemy import select
from typer.testing import CliRunner

from firstcontact.cli import app as cli_app
from firstcontact.platform import audit
from firstcontact.platform.audit import AuditAction
from firstcontact.platform.model import Role
from firstcontact.platform.runtime import Runtime
from firstcontact.victims.tables import VictimRow
from tests.missing.flow import report_body
from tests.people.test_linking import caller, person_of
from tests.people.test_referrals import agency
from tests.staff import api_headers
from tests.victims.conftest import record_crime

REASON = "SAR-2026-0042"


def held_person(client: TestClient, runtime: Runtime) -> tuple[int, int]:
    """A victim of a burglary who is also referred and later reported missing."""
    handler = api_headers(client, runtime, Role.CALL_HANDLER)
    leader = api_headers(client, runtime, Role.TEAM_LEADER)
    admin = api_headers(client, runtime, Role.ADMIN)
    contact = record_crime(client, handler, narrative="Dee's bicycle was taken from the porch",
                           **caller("Dee Harris", "07700 900444"))
    person = person_of(runtime, contact)
    housing = agency(client, admin, "Anytown Housing", "housing")
    referred = client.post("/api/referrals", headers=leader, json={
        "person_id": person, "agency_id": housing, "reason": "Sleeping in a car",
        "lawful_basis": "consent"})
    assert referred.status_code == 201, referred.text
    missing = client.post("/api/missing", headers=handler,
                          json=report_body(person, last_seen_place="Quayside bus stop"))
    assert missing.status_code == 201, missing.text
    return person, contact


def export(client: TestClient, headers: dict[str, str], person: int, fmt: str) -> Any:
    return client.get(f"/api/records/people/{person}/export",
                      params={"reason": REASON, "format": fmt}, headers=headers)


def test_the_json_export_holds_every_record_about_the_person_and_is_audited(
        client: TestClient, runtime: Runtime) -> None:
    person, contact = held_person(client, runtime)
    admin = api_headers(client, runtime, Role.ADMIN)
    response = export(client, admin, person, "json")
    assert response.status_code == 200, response.text
    found = response.json()
    assert found["person_id"] == person
    assert [c["id"] for c in found["contacts"]] == [contact]
    assert found["contacts"][0]["narrative"] == "Dee's bicycle was taken from the porch"
    assert "idempotency_key" not in found["contacts"][0]
    assert [a["contact_id"] for a in found["assessments"]] == [contact]
    assert found["determinations"][0]["nsir_category"] == "crime"
    assert [i["contact_id"] for i in found["incidents"]] == [contact]
    assert found["incident_timeline"][0]["kind"] == "opened"
    assert [v["name"] for v in found["victims"]] == ["Dee Harris"]
    assert "written_acknowledgement" in {e["code"] for e in found["entitlements"]}
    assert [r["reason"] for r in found["referrals"]] == ["Sleeping in a car"]
    assert [m["last_seen_place"] for m in found["missing_reports"]] == ["Quayside bus stop"]
    trail = {(e["subject_type"], e["action"]) for e in found["audit_entries"]}
    assert {("person", "create"), ("contact", "create"), ("victim", "create"),
            ("person", "disclose"), ("missing_report", "create")} <= trail
    assert all("detail" not in e for e in found["audit_entries"])

    with runtime.database.sessions() as session:
        disclosure = audit.trail(session, "person", person)[-1]
    assert (disclosure.action, disclosure.actor_role) == (AuditAction.DISCLOSE, "admin")
    assert disclosure.purpose == f"subject access request: {REASON}"
    assert disclosure.detail["counts"]["contacts"] == 1
    assert disclosure.detail["format"] == "json"


def test_the_pdf_export_prints_the_same_records(client: TestClient, runtime: Runtime) -> None:
    person, _ = held_person(client, runtime)
    admin = api_headers(client, runtime, Role.ADMIN)
    response = export(client, admin, person, "pdf")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/pdf"
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    for expected in (f"Subject access: person {person}", "Dee's bicycle was taken",
                     "Dee Harris", "Sleeping in a car", "Quayside bus stop",
                     "Victims (1)", "Referrals (1)", "written_acknowledgement"):
        assert expected in text, expected


def test_only_an_administrator_may_export(client: TestClient, runtime: Runtime) -> None:
    person, _ = held_person(client, runtime)
    for role in Role:
        if role is Role.ADMIN:
            continue
        response = export(client, api_headers(client, runtime, role), person, "json")
        assert response.status_code == 403, role
        assert "Dee" not in response.text
    with runtime.database.sessions() as session:
        assert not [e for e in audit.trail(session, "person", person)
                    if e.purpose.startswith("subject access")]


def test_an_unknown_person_or_format_is_a_clear_4xx(client: TestClient,
                                                     runtime: Runtime) -> None:
    admin = api_headers(client, runtime, Role.ADMIN)
    assert export(client, admin, 999, "json").status_code == 404
    held_person(client, runtime)
    bad = export(client, admin, 1, "docx")
    assert bad.status_code == 422
    assert "format" in bad.text
    no_reason = client.get("/api/records/people/1/export", headers=admin)
    assert no_reason.status_code == 422 and "reason" in no_reason.text


def test_the_command_line_writes_the_export_and_logs_it(
        client: TestClient, runtime: Runtime, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    person, _ = held_person(client, runtime)
    monkeypatch.setenv("FIRSTCONTACT_DATABASE_URL", runtime.settings.database_url)
    monkeypatch.setenv("FIRSTCONTACT_LOG_JSON", "false")
    target = tmp_path / "export.json"
    result = CliRunner().invoke(cli_app, ["people", "export", str(person), "--reason", REASON,
                                          "--output", str(target)])
    assert result.exit_code == 0, result.output
    assert [v["name"] for v in json.loads(target.read_text())["victims"]] == ["Dee Harris"]
    pdf = tmp_path / "export.pdf"
    result = CliRunner().invoke(cli_app, ["people", "export", str(person), "--reason", REASON,
                                          "--format", "pdf", "--output", str(pdf)])
    assert result.exit_code == 0, result.output
    assert pdf.read_bytes().startswith(b"%PDF")
    with runtime.database.sessions() as session:
        formats = [e.detail["format"] for e in audit.trail(session, "person", person)
                   if e.action == AuditAction.DISCLOSE and e.purpose.endswith(REASON)]
        assert formats == ["json", "pdf"]
        assert session.scalars(select(VictimRow.name)).all() == ["Dee Harris"]
    missing = CliRunner().invoke(cli_app, ["people", "export", "999", "--reason", REASON])
    assert missing.exit_code == 1
    assert "person_id" in missing.output
