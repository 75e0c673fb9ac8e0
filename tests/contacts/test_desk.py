"""The desk queue: every digital contact joins it, the timer marks missed reply targets, and
only the roles that work the desk may see it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import event, select

from firstcontact.app import timer_handlers
from firstcontact.contacts import desk, service
from firstcontact.contacts.model import Channel, Limits, parse_contact
from firstcontact.contacts.tables import DeskItemRow
from firstcontact.platform.audit import AuditEntry
from firstcontact.platform.clock import FixedClock
from firstcontact.platform.deadlines import TimerLoop
from firstcontact.platform.model import PUBLIC, SYSTEM, Actor, Permission, PermissionDenied, Role
from firstcontact.platform.runtime import Runtime
from tests.staff import create_staff, sign_in


def receive(rt: Runtime, channel: Channel, narrative: str) -> int:
    draft = parse_contact({"channel": channel.value, "caller_name": "Jo Bloggs",
                           "caller_relationship": "victim", "address": "1 High Street",
                           "narrative": narrative}, Limits())
    actor = create_staff(rt, Role.DIGITAL_DESK)
    return service.record_contact(rt, actor, draft).contact.id


def test_a_phone_call_does_not_join_the_desk(runtime: Runtime) -> None:
    receive(runtime, Channel.PHONE_101, "Car window smashed.")
    assert desk.queue(runtime, create_staff(runtime, Role.DIGITAL_DESK)) == []


def test_a_chat_breaches_at_two_minutes_to_the_minute(runtime: Runtime,
                                                      clock: FixedClock) -> None:
    contact_id = receive(runtime, Channel.CHAT, "Can someone call me back?")
    loop = TimerLoop(runtime, timer_handlers())
    clock.advance(timedelta(minutes=1, seconds=59))
    assert loop.run_once() == 0
    reader = create_staff(runtime, Role.DIGITAL_DESK)
    assert not desk.queue(runtime, reader)[0].breached
    clock.advance(timedelta(seconds=1))
    assert loop.run_once() == 1
    [entry] = desk.queue(runtime, reader)
    assert entry.contact_id == contact_id and entry.breached


def test_replying_in_time_cancels_the_breach(runtime: Runtime, clock: FixedClock) -> None:
    contact_id = receive(runtime, Channel.EMAIL, "Lost wallet.")
    worker = create_staff(runtime, Role.DIGITAL_DESK)
    desk.mark_replied(runtime, worker, contact_id)
    clock.advance(timedelta(days=2))
    assert TimerLoop(runtime, timer_handlers()).run_once() == 0
    assert desk.queue(runtime, worker) == []
    with runtime.database.transaction() as session:
        item = session.get(DeskItemRow, contact_id)
        assert item is not None and item.breached_at is None


def test_danger_comes_first_whatever_its_reply_target(runtime: Runtime) -> None:
    receive(runtime, Channel.CHAT, "Where is my nearest police station?")
    urgent = receive(runtime, Channel.EMAIL, "He is outside my house with a bat.")
    entries = desk.queue(runtime, create_staff(runtime, Role.DIGITAL_DESK))
    assert entries[0].contact_id == urgent
    assert entries[0].danger_phrase == "outside my house"


def test_viewing_the_queue_is_audited(runtime: Runtime) -> None:
    contact_id = receive(runtime, Channel.ONLINE, "Shed broken into.")
    desk.queue(runtime, create_staff(runtime, Role.TEAM_LEADER))
    with runtime.database.transaction() as session:
        entry = session.scalars(select(AuditEntry).where(
            AuditEntry.subject_type == "desk_queue")).one()
        assert entry.detail == {"contact_ids": [contact_id]}


@pytest.mark.parametrize("role", [Role.CALL_HANDLER, Role.DISPATCHER, Role.QA_REVIEWER,
                                  Role.VICTIM_CARE, Role.PARTNER_AGENCY])
def test_roles_that_do_not_work_the_desk_get_403(client: TestClient, runtime: Runtime,
                                                 role: Role) -> None:
    sign_in(client, runtime, role)
    assert client.get("/desk").status_code == 403
    with pytest.raises(PermissionDenied):
        desk.queue(runtime, create_staff(runtime, role))


@pytest.mark.parametrize("role", [Role.DIGITAL_DESK, Role.TEAM_LEADER, Role.ADMIN])
def test_the_desk_roles_see_the_queue_and_can_mark_a_reply(client: TestClient,
                                                           runtime: Runtime, role: Role) -> None:
    contact_id = receive(runtime, Channel.ONLINE, "Fence damaged overnight.")
    csrf = sign_in(client, runtime, role)
    page = client.get("/desk")
    assert page.status_code == 200 and f'id="desk-{contact_id}"' in page.text
    done = client.post(f"/desk/{contact_id}/replied", data={"csrf_token": csrf},
                       follow_redirects=False)
    assert done.status_code == 303
    assert client.post(f"/desk/{contact_id}/replied",
                       data={"csrf_token": csrf}).status_code == 409
    assert client.post("/desk/999999/replied", data={"csrf_token": csrf}).status_code == 404
    assert "Nothing is waiting" in client.get("/desk").text


def test_a_desk_reply_without_the_csrf_token_is_refused(client: TestClient,
                                                        runtime: Runtime) -> None:
    contact_id = receive(runtime, Channel.ONLINE, "Graffiti on the wall.")
    sign_in(client, runtime, Role.DIGITAL_DESK)
    assert client.post(f"/desk/{contact_id}/replied").status_code == 403


def test_the_public_may_send_a_contact_but_do_nothing_else(runtime: Runtime) -> None:
    draft = parse_contact({"channel": "online", "caller_name": "A Person",
                           "caller_relationship": "victim", "address": "1 High Street",
                           "narrative": "Bike stolen."}, Limits())
    assert service.record_contact(runtime, PUBLIC, draft).created
    assert not any(PUBLIC.may(permission) for permission in Permission)
    with pytest.raises(PermissionDenied):
        desk.queue(runtime, PUBLIC)
    with pytest.raises(PermissionDenied):
        service.record_contact(runtime, SYSTEM, draft)
    with pytest.raises(PermissionDenied):
        service.record_contact(runtime, create_staff(runtime, Role.QA_REVIEWER), draft)


def statements_for_queue(rt: Runtime, actor: Actor) -> int:
    seen: list[str] = []

    def count(*args: object) -> None:
        seen.append(str(args[2]))

    event.listen(rt.database.engine, "before_cursor_execute", count)
    try:
        desk.queue(rt, actor)
    finally:
        event.remove(rt.database.engine, "before_cursor_execute", count)
    return len([s for s in seen if not s.upper().startswith(("BEGIN", "SAVEPOINT", "RELEASE"))])


def test_the_queue_takes_the_same_number_of_queries_for_one_item_or_many(
        runtime: Runtime) -> None:
    worker = create_staff(runtime, Role.DIGITAL_DESK)
    receive(runtime, Channel.ONLINE, "One.")
    one = statements_for_queue(runtime, worker)
    for text in ("Two.", "Three.", "Four.", "Five."):
        receive(runtime, Channel.EMAIL, text)
    assert statements_for_queue(runtime, worker) == one
