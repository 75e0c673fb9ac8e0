"""A day of contact handling to sample from, made through the real routes on the fixed clock.

Friday 13 March 2026 (London is on GMT, so London days are UTC days): two call handlers grade
contacts; one dismisses a hidden-harm prompt; a repeat caller is graded "no police action"; a
dispatcher lowers a grade at a late re-THRIVE.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi.testclient import TestClient

from firstcontact.platform.clock import FixedClock
from firstcontact.platform.model import Actor, Role
from firstcontact.platform.runtime import Runtime
from tests.demand.test_reviews import review
from tests.risk.flow import assess, new_contact
from tests.staff import PASSWORD, create_staff

FRIDAY = datetime(2026, 3, 13, 8, 0, tzinfo=UTC)
DOMESTIC = "My husband hit me again and I'm scared of him, he says he will kill me."


@dataclass
class Signed:
    actor: Actor
    headers: dict[str, str]


def staff(client: TestClient, rt: Runtime, role: Role) -> Signed:
    actor = create_staff(rt, role)
    response = client.post("/api/session", json={"username": actor.username,
                                                  "password": PASSWORD})
    assert response.status_code == 201, response.text
    return Signed(actor, {"Authorization": f"Bearer {response.json()['token']}"})


def caller(n: int) -> dict[str, Any]:
    """A different caller each time (distinct names and numbers: no repeat-caller links)."""
    names = ["Ada Quinn", "Bilal Hussain", "Carys Evans", "Dmitri Petrov", "Ewa Nowak",
             "Farah Ali", "Gethin Jones", "Hana Sato", "Idris Bello", "Jude Okafor"]
    return {"caller": {"name": names[n], "phone": f"07700 9001{n:02d}", "relationship": "victim"}}


def determined(client: TestClient, who: Signed, grade: str = "priority", *,
               contact: dict[str, Any] | None = None, **answers: str) -> dict[str, Any]:
    """A contact taken, assessed and graded by `who`: the determination as the API gave it."""
    contact_id = new_contact(client, who.headers, **(contact or {}))
    assess(client, who.headers, contact_id, **answers)
    response = client.post(f"/api/contacts/{contact_id}/determination", headers=who.headers,
                           json={"grade": grade, "rationale": "Handler's judgement on the call",
                                 "nsir_category": "crime", "opening_code": "CR-BUR"})
    assert response.status_code == 201, response.text
    found: dict[str, Any] = response.json()
    return found


def graded(client: TestClient, who: Signed, grade: str = "priority", *,
           contact: dict[str, Any] | None = None, **answers: str) -> int:
    """A contact taken, assessed and graded by `who`; returns its id."""
    contact_id: int = determined(client, who, grade, contact=contact, **answers)["contact_id"]
    return contact_id


@dataclass
class Day:
    """What happened on Friday, by contact id."""

    first: Signed
    second: Signed
    dispatcher: Signed
    by_first: list[int] = field(default_factory=list)
    by_second: list[int] = field(default_factory=list)
    dismissed: int = 0
    repeat_no_action: int = 0
    downgraded: int = 0


def friday(client: TestClient, rt: Runtime, clock: FixedClock) -> Day:
    """Build Friday's work, then put the clock back to Saturday 09:30."""
    back = clock.now()
    day = Day(staff(client, rt, Role.CALL_HANDLER), staff(client, rt, Role.CALL_HANDLER),
              staff(client, rt, Role.DISPATCHER))
    clock.set(FRIDAY)
    first = determined(client, day.first, contact=caller(0))
    day.downgraded, incident = first["contact_id"], first["incident"]["id"]
    day.by_first.append(day.downgraded)
    for n in (1, 2, 3):
        clock.advance(timedelta(minutes=10))
        day.by_first.append(graded(client, day.first, contact=caller(n)))
    day.dismissed = _dismissed(client, day.first, clock)
    day.by_first.append(day.dismissed)
    for n in (5, 6):
        clock.advance(timedelta(minutes=10))
        day.by_second.append(graded(client, day.second, contact=caller(n)))
    day.repeat_no_action = _repeat_caller(client, day.second, clock)
    day.by_second.append(day.repeat_no_action)
    clock.set(FRIDAY + timedelta(hours=3, minutes=45))  # 15 minutes after the 11:30 re-THRIVE
    lowered = review(client, day.dispatcher.headers, incident, grade="scheduled")
    assert lowered.status_code == 201, lowered.text
    clock.set(back)
    return day


def _dismissed(client: TestClient, who: Signed, clock: FixedClock) -> int:
    clock.advance(timedelta(minutes=10))
    contact_id = graded(client, who, contact={**caller(4), "narrative": DOMESTIC})
    [prompt] = client.get(f"/api/contacts/{contact_id}/harms", headers=who.headers).json()
    done = client.post(f"/api/contacts/{contact_id}/harms/{prompt['id']}/decision",
                       headers=who.headers,
                       json={"decision": "dismissed", "reason": "Caller is reading a script"})
    assert done.status_code == 200, done.text
    return contact_id


def _repeat_caller(client: TestClient, who: Signed, clock: FixedClock) -> int:
    """Sam Patel's third contact in 28 days, graded no police action."""
    for _ in range(2):
        clock.advance(timedelta(minutes=10))
        new_contact(client, who.headers)
    clock.advance(timedelta(minutes=10))
    return graded(client, who, "no_police_action", threat="none", harm="none",
                  engagement="advice")
