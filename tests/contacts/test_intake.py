"""The intake pipeline: steps run after the contact is committed, and never lose it."""

from __future__ import annotations

from sqlalchemy import select

from firstcontact.contacts import service
from firstcontact.contacts.model import Limits, parse_contact
from firstcontact.contacts.tables import ContactRow
from firstcontact.platform.model import Role
from firstcontact.platform.runtime import IntakeStep, Runtime
from tests.staff import create_staff

FIELDS = {"channel": "phone_101", "caller_relationship": "victim", "address": "1 High St",
          "narrative": "Someone keeps my passport and I cannot leave."}


def test_each_step_sees_the_committed_contact_in_order(runtime: Runtime) -> None:
    seen: list[tuple[str, str | None]] = []

    def look(name: str) -> IntakeStep:
        def step(rt: Runtime, contact_id: int) -> None:
            with rt.database.transaction() as session:  # a fresh transaction: already stored
                row = session.get(ContactRow, contact_id)
                seen.append((name, row.reference if row else None))
        return step

    runtime.intake_steps[:] = [look("harm"), look("people")]
    actor = create_staff(runtime, Role.CALL_HANDLER)
    contact = service.record_contact(runtime, actor, parse_contact(FIELDS, Limits())).contact
    assert seen == [("harm", contact.reference), ("people", contact.reference)]


def test_a_failing_step_loses_nothing_and_later_steps_still_run(runtime: Runtime) -> None:
    ran: list[int] = []

    def broken(rt: Runtime, contact_id: int) -> None:
        raise RuntimeError("scanner fell over")

    def after(rt: Runtime, contact_id: int) -> None:
        ran.append(contact_id)

    runtime.intake_steps[:] = [broken, after]
    actor = create_staff(runtime, Role.CALL_HANDLER)
    recorded = service.record_contact(runtime, actor, parse_contact(FIELDS, Limits()))
    assert recorded.created and ran == [recorded.contact.id]
    with runtime.database.transaction() as session:
        assert session.scalars(select(ContactRow.id)).all() == [recorded.contact.id]


def test_a_retried_submit_does_not_run_the_steps_again(runtime: Runtime) -> None:
    ran: list[int] = []
    runtime.intake_steps[:] = [lambda rt, contact_id: ran.append(contact_id)]
    actor = create_staff(runtime, Role.CALL_HANDLER)
    draft = parse_contact(FIELDS, Limits())
    service.record_contact(runtime, actor, draft, "retry-key")
    service.record_contact(runtime, actor, draft, "retry-key")
    assert len(ran) == 1
