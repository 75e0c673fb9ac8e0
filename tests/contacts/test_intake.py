"""The intake pipeline: steps run on the stored contact in its own transaction, each in a
savepoint, and never lose it."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from firstcontact.contacts import service
from firstcontact.contacts.model import Limits, parse_contact
from firstcontact.contacts.tables import ContactRow
from firstcontact.harm.tables import HarmFindingRow
from firstcontact.people.tables import PersonRecordRow
from firstcontact.platform import audit
from firstcontact.platform.audit import AuditEntry
from firstcontact.platform.model import SYSTEM, Role
from firstcontact.platform.runtime import IntakeStep, Runtime
from tests.staff import create_staff

FIELDS = {"channel": "phone_101", "caller_relationship": "victim", "address": "1 High St",
          "caller_name": "Sam Patel", "caller_phone": "07700 900123",
          "narrative": "Someone keeps my passport and I cannot leave."}


def test_each_step_sees_the_stored_contact_in_order(runtime: Runtime) -> None:
    seen: list[tuple[str, str | None]] = []

    def look(name: str) -> IntakeStep:
        def step(rt: Runtime, session: Session, contact_id: int) -> None:
            row = session.get(ContactRow, contact_id)
            seen.append((name, row.reference if row else None))
        return step

    runtime.intake_steps[:] = [look("harm"), look("people")]
    actor = create_staff(runtime, Role.CALL_HANDLER)
    contact = service.record_contact(runtime, actor, parse_contact(FIELDS, Limits())).contact
    assert seen == [("harm", contact.reference), ("people", contact.reference)]


def test_the_contact_and_what_intake_made_of_it_are_committed_when_it_answers(
        runtime: Runtime) -> None:
    """The real steps: once record_contact returns, a fresh transaction finds the contact, the
    hidden-harm finding, the caller's People record and the audit entries for all three."""
    actor = create_staff(runtime, Role.CALL_HANDLER)
    contact = service.record_contact(runtime, actor, parse_contact(FIELDS, Limits())).contact
    with runtime.database.transaction() as session:
        assert session.get(ContactRow, contact.id) is not None
        harms = session.scalars(select(HarmFindingRow.harm_type).where(
            HarmFindingRow.contact_id == contact.id)).all()
        assert harms, "the passport held reads as a hidden harm"
        assert session.scalars(select(PersonRecordRow.contact_id)).all() == [contact.id]
        purposes = [entry.purpose for entry in audit.recent(session)]
    assert "contact recorded" in purposes
    assert "hidden-harm scan of the contact's words" in purposes
    assert any(purpose.startswith("matching a new contact's caller") for purpose in purposes)


def test_a_failing_step_loses_nothing_and_later_steps_still_run(runtime: Runtime) -> None:
    ran: list[int] = []

    def broken(rt: Runtime, session: Session, contact_id: int) -> None:
        raise RuntimeError("scanner fell over")

    def after(rt: Runtime, session: Session, contact_id: int) -> None:
        ran.append(contact_id)

    runtime.intake_steps[:] = [broken, after]
    actor = create_staff(runtime, Role.CALL_HANDLER)
    recorded = service.record_contact(runtime, actor, parse_contact(FIELDS, Limits()))
    assert recorded.created and ran == [recorded.contact.id]
    with runtime.database.transaction() as session:
        assert session.scalars(select(ContactRow.id)).all() == [recorded.contact.id]


def test_a_step_that_fails_half_way_is_undone_alone(runtime: Runtime) -> None:
    """What a failing step wrote before it failed goes (its savepoint); the contact, the steps
    before and after it, and the audit chain stay whole."""

    def writes_then_fails(rt: Runtime, session: Session, contact_id: int) -> None:
        audit.record(session, SYSTEM, audit.AuditAction.CREATE, "contact", contact_id,
                     "half-done step", rt.clock.now())
        raise RuntimeError("fell over after writing")

    def writes(rt: Runtime, session: Session, contact_id: int) -> None:
        audit.record(session, SYSTEM, audit.AuditAction.CREATE, "contact", contact_id,
                     "whole step", rt.clock.now())

    runtime.intake_steps[:] = [writes, writes_then_fails, writes]
    actor = create_staff(runtime, Role.CALL_HANDLER)
    contact = service.record_contact(runtime, actor, parse_contact(FIELDS, Limits())).contact
    with runtime.database.transaction() as session:
        purposes = [entry.purpose for entry in audit.trail(session, "contact", contact.id)]
        assert session.get(ContactRow, contact.id) is not None
        assert session.scalar(select(AuditEntry.id).where(
            AuditEntry.purpose == "half-done step")) is None
    assert purposes == ["contact recorded", "whole step", "whole step"]
    assert audit.verify(runtime.database).ok


def test_a_retried_submit_does_not_run_the_steps_again(runtime: Runtime) -> None:
    ran: list[int] = []
    runtime.intake_steps[:] = [lambda rt, session, contact_id: ran.append(contact_id)]
    actor = create_staff(runtime, Role.CALL_HANDLER)
    draft = parse_contact(FIELDS, Limits())
    service.record_contact(runtime, actor, draft, "retry-key")
    service.record_contact(runtime, actor, draft, "retry-key")
    assert len(ran) == 1


def test_a_channel_that_stored_the_contact_itself_runs_the_steps_after(
        runtime: Runtime) -> None:
    """Email, chat and social store their own records with the contact first; the steps then
    run in a transaction of their own on the committed contact."""
    actor = create_staff(runtime, Role.CALL_HANDLER)
    contact = service.record_contact(runtime, actor, parse_contact(FIELDS, Limits()),
                                     intake=False).contact
    with runtime.database.transaction() as session:
        assert session.scalars(select(PersonRecordRow.id)).all() == []
    service.run_intake_steps(runtime, contact.id)
    with runtime.database.transaction() as session:
        assert session.scalars(select(PersonRecordRow.contact_id)).all() == [contact.id]
