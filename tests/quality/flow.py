"""A morning in the control room, built through the real services and routes on the fixed
clock, for the service report's tests. Every figure it leads to is worked out in the tests.

09:30 Sam Patel's 101 call, graded priority (target 10:30): a unit is at scene at 10:15.
09:31 Sam again, graded emergency (target 09:46): no unit ever gets there.
09:32 Ann Other's 999 call about a car wash worker: no police action.
09:33 Sam a third time (a repeat caller now): not yet graded.
09:34 An email and a live chat reach the digital desk; the email is answered at 10:04, the
      chat never (its 2-minute target passes).
09:40 Edith Clarke is reported missing (a 101 call, then the high-risk report).
12:00 The priority incident's re-THRIVE, due 13:00: on time.
13:30 The emergency incident's re-THRIVE, due 13:01: late. The report is read at 13:30.
And a day of call events (tests/data/telephony_day.csv, 13 March) uploaded by the API.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from fastapi.testclient import TestClient

from firstcontact.contacts import desk, service
from firstcontact.contacts.model import Channel, Limits, parse_contact
from firstcontact.platform.clock import FixedClock
from firstcontact.platform.model import Role
from firstcontact.platform.runtime import Runtime
from tests.demand.test_reviews import review
from tests.demand.test_units import add_unit, assign
from tests.missing.flow import missing_person, report_body
from tests.people.test_linking import caller
from tests.risk.flow import assess, new_contact
from tests.staff import api_headers, create_staff

DATA = Path(__file__).resolve().parent.parent / "data"
CAR_WASH = ("My neighbour works at the car wash. His boss keeps his passport and takes his "
            "wages, and he sleeps at the car wash with five other men.")


@dataclass(frozen=True)
class Morning:
    priority_incident: int
    emergency_incident: int
    leader: dict[str, str]


def determine(client: TestClient, headers: dict[str, str], contact_id: int, grade: str) -> int:
    assess(client, headers, contact_id)
    response = client.post(f"/api/contacts/{contact_id}/determination", headers=headers, json={
        "grade": grade, "rationale": "Handler's judgement on the call",
        "nsir_category": "crime", "opening_code": "CR-BUR"})
    assert response.status_code == 201, response.text
    incident = response.json()["incident"]
    return int(incident["id"]) if incident else 0


def digital(rt: Runtime, channel: Channel, name: str) -> int:
    draft = parse_contact({"channel": channel.value, "caller_name": name,
                           "caller_relationship": "witness", "address": f"{name}'s flat",
                           "narrative": "Someone has been leaving rubbish outside the shop."},
                          Limits())
    return service.record_contact(rt, create_staff(rt, Role.DIGITAL_DESK), draft).contact.id


def a_morning(client: TestClient, rt: Runtime, clock: FixedClock) -> Morning:
    handler = api_headers(client, rt, Role.CALL_HANDLER)
    dispatcher = api_headers(client, rt, Role.DISPATCHER)
    leader = api_headers(client, rt, Role.TEAM_LEADER)
    uploaded = client.post("/api/telephony/calls", headers={
        **leader, "Content-Type": "text/csv"}, content=(DATA / "telephony_day.csv").read_bytes())
    assert uploaded.status_code == 201, uploaded.text
    priority = determine(client, handler, new_contact(client, handler), "priority")
    clock.advance(timedelta(minutes=1))
    emergency = determine(client, handler, new_contact(client, handler), "emergency")
    clock.advance(timedelta(minutes=1))
    determine(client, handler, new_contact(
        client, handler, channel="phone_999", narrative=CAR_WASH,
        **caller("Ann Other", "07700 900999")), "no_police_action")
    clock.advance(timedelta(minutes=1))
    new_contact(client, handler)
    clock.advance(timedelta(minutes=1))
    email = digital(rt, Channel.EMAIL, "Pat Email")
    digital(rt, Channel.CHAT, "Kim Chat")
    clock.advance(timedelta(minutes=6))
    person = missing_person(client, rt, handler)
    made = client.post("/api/missing", headers=handler, json=report_body(person))
    assert made.status_code == 201, made.text
    clock.advance(timedelta(minutes=20))  # 10:00
    unit = add_unit(rt, "nd11")
    assert assign(client, dispatcher, priority, unit).status_code == 201
    clock.advance(timedelta(minutes=4))  # 10:04
    desk.mark_replied(rt, create_staff(rt, Role.DIGITAL_DESK), email)
    clock.advance(timedelta(minutes=11))  # 10:15
    for status in ("en_route", "at_scene"):
        moved = client.post(f"/api/units/{unit}/status", json={"status": status},
                            headers=dispatcher)
        assert moved.status_code == 200, moved.text
    clock.advance(timedelta(hours=1, minutes=45))  # 12:00
    assert review(client, dispatcher, priority).status_code == 201
    clock.advance(timedelta(hours=1, minutes=30))  # 13:30
    assert review(client, dispatcher, emergency, grade="emergency").status_code == 201
    return Morning(priority, emergency, leader)
