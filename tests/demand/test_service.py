"""Incidents' first re-THRIVE deadline, fired by the real timer loop on a fixed clock."""

from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient

from firstcontact.app import timer_handlers
from firstcontact.demand import service
from firstcontact.demand.model import ReviewState
from firstcontact.platform.clock import FixedClock
from firstcontact.platform.deadlines import TimerLoop
from firstcontact.platform.model import Role
from firstcontact.platform.runtime import Runtime
from tests.risk.flow import assess, new_contact
from tests.staff import api_headers, create_staff


def open_incident(client: TestClient, headers: dict[str, str], grade: str,
                  **answers: str) -> int:
    contact_id = new_contact(client, headers)
    assess(client, headers, contact_id, **answers)
    response = client.post(f"/api/contacts/{contact_id}/determination", headers=headers, json={
        "grade": grade, "rationale": "Handler's judgement on the call",
        "nsir_category": "crime", "opening_code": "CR-BUR"})
    assert response.status_code == 201, response.text
    incident_id: int = response.json()["incident"]["id"]
    return incident_id


def test_the_review_falls_due_at_3h30_to_the_minute(client: TestClient, runtime: Runtime,
                                                    clock: FixedClock) -> None:
    headers = api_headers(client, runtime, Role.CALL_HANDLER)
    incident_id = open_incident(client, headers, "priority")
    reader = create_staff(runtime, Role.DISPATCHER)
    loop = TimerLoop(runtime, timer_handlers())

    clock.advance(timedelta(hours=3, minutes=29))
    assert loop.run_once() == 0
    assert service.get_incident(runtime, reader, incident_id).review_state is (
        ReviewState.SCHEDULED)

    clock.advance(timedelta(minutes=1))
    assert loop.run_once() == 1
    incident = service.get_incident(runtime, reader, incident_id)
    assert incident.review_state is ReviewState.DUE
    assert incident.standing.review_overdue
    assert loop.run_once() == 0


def test_incidents_are_listed_most_urgent_grade_first(client: TestClient,
                                                      runtime: Runtime) -> None:
    headers = api_headers(client, runtime, Role.CALL_HANDLER)
    open_incident(client, headers, "scheduled")
    open_incident(client, headers, "emergency", threat="immediate")
    open_incident(client, headers, "priority")
    listed = client.get("/api/incidents", headers=headers).json()
    assert [i["grade"] for i in listed] == ["emergency", "priority", "scheduled"]


def test_a_breached_response_target_shows_in_the_list(client: TestClient, runtime: Runtime,
                                                      clock: FixedClock) -> None:
    headers = api_headers(client, runtime, Role.CALL_HANDLER)
    open_incident(client, headers, "emergency", threat="immediate")
    clock.advance(timedelta(minutes=15))
    assert client.get("/api/incidents", headers=headers).json()[0]["response_breached"] is False
    clock.advance(timedelta(minutes=1))
    assert client.get("/api/incidents", headers=headers).json()[0]["response_breached"] is True
