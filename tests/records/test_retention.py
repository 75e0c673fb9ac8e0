"""The retention review on a real database (SQLite and PostgreSQL), the clock fixed to the
day: what falls due when, what approving does to each record type, every disposal audited,
the audit chain intact, and nothing disposed from under a record still in use."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.message import EmailMessage

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from typer.testing import CliRunner

from firstcontact.cli import app as cli_app
from firstcontact.contacts import mail
from firstcontact.contacts.tables import ContactRow, EmailAttachmentRow, EmailMessageRow
from firstcontact.demand.tables import IncidentRow
from firstcontact.people.tables import PersonKeyRow, PersonRecordRow
from firstcontact.platform import audit
from firstcontact.platform.audit import AuditAction, AuditEntry
from firstcontact.platform.clock import FixedClock
from firstcontact.platform.model import Role
from firstcontact.platform.runtime import Runtime
from firstcontact.records import service
from firstcontact.records.cli import RECORDS_OFFICER
from firstcontact.records.model import RecordType
from firstcontact.victims.tables import VictimRow
from tests.people.test_linking import caller, person_of
from tests.risk.flow import new_contact
from tests.staff import api_headers
from tests.victims.conftest import record_crime


def due_now(rt: Runtime) -> set[tuple[str, int]]:
    return {(d.held.record_type.value, d.held.record_id) for d in service.review(rt)}


def automatic_email(rt: Runtime) -> tuple[int, int]:
    """An auto-reply with an attachment reaches the desk (stored, never acknowledged)."""
    message = EmailMessage()
    message["From"] = "Jo Bloggs <jo@example.com>"
    message["To"] = rt.settings.email_desk_address
    message["Subject"] = "Out of office"
    message["Message-ID"] = "<ooo-1@example.com>"
    message["Auto-Submitted"] = "auto-replied"
    message.set_content("I am away until Monday.")
    message.add_attachment(b"holiday", maintype="text", subtype="plain", filename="note.txt")
    received = mail.receive(rt, message.as_bytes())
    with rt.database.sessions() as session:
        email_id = session.scalars(select(EmailMessageRow.id).where(
            EmailMessageRow.contact_id == received.contact_id)).one()
    return received.contact_id, email_id


def finalise(client: TestClient, runtime: Runtime, contact_id: int) -> int:
    dispatcher = api_headers(client, runtime, Role.DISPATCHER)
    with runtime.database.sessions() as session:
        incident_id = session.scalars(select(IncidentRow.id).where(
            IncidentRow.contact_id == contact_id)).one()
    version = client.get(f"/api/incidents/{incident_id}", headers=dispatcher).json()["version"]
    done = client.post(f"/api/incidents/{incident_id}/finalise", headers=dispatcher, json={
        "closing_code": "CR-C-REC", "result": "arrest", "closing_note": "One arrested",
        "version": version})
    assert done.status_code == 200, done.text
    return incident_id


def years_on(start: datetime, years: int, days: int = 0) -> datetime:
    return start.replace(year=start.year + years) + timedelta(days=days)


def test_the_review_disposes_of_each_record_type_on_its_day_and_audits_it(
        client: TestClient, runtime: Runtime, clock: FixedClock) -> None:
    start = clock.now()
    handler = api_headers(client, runtime, Role.CALL_HANDLER)
    advice = new_contact(client, handler, **caller("Ann Other", "07700 900111"))
    crime = record_crime(client, handler, **caller("Bea Victim", "07700 900222"))
    incident_id = finalise(client, runtime, crime)
    still_open = record_crime(client, handler, **caller("Cy Open", "07700 900333"))
    emailed, email_id = automatic_email(runtime)
    person = person_of(runtime, advice)

    clock.set(years_on(start, 3, days=-1))
    assert due_now(runtime) == set()
    clock.set(years_on(start, 3))  # non-crime records: three years, to the day
    assert due_now(runtime) == {("contact", advice), ("contact", emailed),
                                ("email_message", email_id)}
    assert service.dispose(runtime, RECORDS_OFFICER, service.review(runtime), "J Smith") == 3

    with runtime.database.sessions() as session:
        kept = session.get(ContactRow, advice)
        assert kept is not None
        assert (kept.caller_name, kept.caller_phone, kept.narrative) == (
            "", "", service.REMOVED)
        assert kept.channel == "phone_101"  # the count by channel still adds up
        assert session.get(EmailMessageRow, email_id) is None
        assert session.scalar(select(func.count()).select_from(EmailAttachmentRow)) == 0
        erased = session.scalars(select(AuditEntry).where(
            AuditEntry.action == AuditAction.ERASE)).all()
        assert {(e.subject_type, e.subject_id) for e in erased} == {
            ("contact", str(advice)), ("contact", str(emailed)),
            ("email_message", str(email_id))}
        assert {e.detail["approved_by"] for e in erased} == {"J Smith"}
    # The person goes once nothing about them is kept: at the next review.
    assert ("person", person) in due_now(runtime)
    assert ("contact", advice) not in due_now(runtime)
    service.dispose(runtime, RECORDS_OFFICER, [d for d in service.review(runtime)
                                               if d.held.record_type is RecordType.PERSON],
                    "J Smith")
    with runtime.database.sessions() as session:
        records = session.scalars(select(PersonRecordRow).where(
            PersonRecordRow.person_id == person)).all()
        assert [(r.surname, r.phone) for r in records] == [("", "")]
        assert session.scalar(select(func.count()).select_from(PersonKeyRow).where(
            PersonKeyRow.record_id == records[0].id)) == 0

    clock.set(years_on(start, 6))  # a crime (group 3): six years
    due = due_now(runtime)
    with runtime.database.sessions() as session:
        victim_id = session.scalars(select(VictimRow.id).where(
            VictimRow.contact_id == crime)).one()
    assert {("contact", crime), ("incident", incident_id), ("victim", victim_id)} <= due
    assert ("contact", still_open) not in due  # its incident is still open
    service.dispose(runtime, RECORDS_OFFICER, service.review(runtime), "J Smith")
    with runtime.database.sessions() as session:
        victim = session.get(VictimRow, victim_id)
        incident = session.get(IncidentRow, incident_id)
        assert victim is not None and incident is not None
        assert (victim.name, victim.phone, victim.crime_summary) == ("", "", service.REMOVED)
        assert victim.crime_type  # the compliance return still counts it by crime type
        assert (incident.summary, incident.location, incident.status) == (
            service.REMOVED, "", "finalised")
    assert audit.verify(runtime.database).ok


def test_a_review_without_approval_changes_nothing(client: TestClient, runtime: Runtime,
                                                    clock: FixedClock) -> None:
    handler = api_headers(client, runtime, Role.CALL_HANDLER)
    advice = new_contact(client, handler, **caller("Ann Other", "07700 900111"))
    clock.set(years_on(clock.now(), 10))
    assert ("contact", advice) in due_now(runtime)
    with runtime.database.sessions() as session:
        contact = session.get(ContactRow, advice)
        assert contact is not None and contact.caller_name == "Ann Other"
        assert session.scalar(select(func.count()).select_from(AuditEntry).where(
            AuditEntry.action == AuditAction.ERASE)) == 0


def test_the_command_lists_what_is_due_and_disposes_only_when_approved_by_someone(
        client: TestClient, runtime: Runtime, clock: FixedClock,
        monkeypatch: pytest.MonkeyPatch) -> None:
    clock.set(datetime(2020, 1, 6, 10, 0, tzinfo=UTC))  # the command runs on today's clock
    handler = api_headers(client, runtime, Role.CALL_HANDLER)
    advice = new_contact(client, handler, **caller("Ann Other", "07700 900111"))
    monkeypatch.setenv("FIRSTCONTACT_DATABASE_URL", runtime.settings.database_url)
    monkeypatch.setenv("FIRSTCONTACT_LOG_JSON", "false")
    listed = CliRunner().invoke(cli_app, ["retention", "review"])
    assert listed.exit_code == 0, listed.output
    assert f"contact         {advice:>8}  non_crime       2023-01-06  anonymise" in listed.output
    unnamed = CliRunner().invoke(cli_app, ["retention", "review", "--approve"])
    assert unnamed.exit_code == 2 and "--approved-by" in unnamed.output
    approved = CliRunner().invoke(cli_app, ["retention", "review", "--approve",
                                            "--approved-by", "J Smith"])
    assert approved.exit_code == 0, approved.output
    assert "disposed of 1 record(s)" in approved.output
    with runtime.database.sessions() as session:
        contact = session.get(ContactRow, advice)
        assert contact is not None and contact.caller_name == ""
        [erased] = [e for e in audit.trail(session, "contact", advice)
                    if e.action == AuditAction.ERASE]
        assert (erased.actor_username, erased.detail["approved_by"]) == ("records-officer",
                                                                       "J Smith")
