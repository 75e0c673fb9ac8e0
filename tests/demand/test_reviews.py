"""Re-THRIVE: the review falls due, is done (or escalated), and the next deadline follows.

Every time here is to the minute on the fixed clock, fired by the real timer loop.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from firstcontact.app import timer_handlers
from firstcontact.platform.clock import FixedClock
from firstcontact.platform.deadlines import Deadline, DeadlineState, TimerLoop
from firstcontact.platform.model import Role
from firstcontact.platform.runtime import Runtime
from firstcontact.risk.tables import AssessmentRow, ReviewRow
from tests.demand.test_service import open_incident
from tests.risk.flow import review_body
from tests.staff import api_headers


@pytest.fixture
def handler(client: TestClient, runtime: Runtime) -> dict[str, str]:
    return api_headers(client, runtime, Role.CALL_HANDLER)


@pytest.fixture
def dispatcher(client: TestClient, runtime: Runtime) -> dict[str, str]:
    return api_headers(client, runtime, Role.DISPATCHER)


def incident(client: TestClient, headers: dict[str, str], incident_id: int) -> dict[str, Any]:
    found: dict[str, Any] = client.get(f"/api/incidents/{incident_id}", headers=headers).json()
    return found


def pending(runtime: Runtime, incident_id: int) -> list[tuple[str, str]]:
    with runtime.database.transaction() as session:
        rows = session.scalars(select(Deadline).where(
            Deadline.subject_type == "incident", Deadline.subject_id == str(incident_id),
            Deadline.state == DeadlineState.PENDING)
            .order_by(Deadline.due_at)).all()
        return [(d.kind, f"{d.due_at:%H:%M}") for d in rows]


def review(client: TestClient, headers: dict[str, str], incident_id: int,
           **body: Any) -> Any:
    version = incident(client, headers, incident_id)["version"]
    sent = review_body(version)
    sent.update(body)
    return client.post(f"/api/incidents/{incident_id}/reviews", json=sent, headers=headers)


def test_a_re_thrive_regrades_moves_the_deadline_and_joins_the_timeline(
        client: TestClient, runtime: Runtime, clock: FixedClock, handler: dict[str, str],
        dispatcher: dict[str, str]) -> None:
    incident_id = open_incident(client, handler, "priority")
    loop = TimerLoop(runtime, timer_handlers())
    clock.advance(timedelta(hours=3, minutes=30))
    assert loop.run_once() == 1
    due = client.get("/api/incidents/reviews-due", headers=dispatcher).json()
    assert [(i["id"], i["review_state"]) for i in due] == [(incident_id, "due")]

    clock.advance(timedelta(minutes=10))
    done = review(client, dispatcher, incident_id, grade="emergency",
                  threat={"answer": "immediate", "note": "Suspect back at the address"})
    assert done.status_code == 201, done.text
    body = done.json()
    assert (body["grade"], body["suggested_grade"]) == ("emergency", "emergency")
    assert body["assessment"]["kind"] == "review"
    now = body["incident"]
    # Reviewed 13:10: next re-THRIVE 16:40; the new grade's urban target counts from 13:10.
    assert (now["grade"], now["review_state"]) == ("emergency", "scheduled")
    assert now["review_due_at"] == "2026-03-14T16:40:00Z"
    assert now["response_due_at"] == "2026-03-14T13:25:00Z"
    assert pending(runtime, incident_id) == [("incident.review", "16:40"),
                                             ("incident.review_escalation", "17:10")]
    assert client.get("/api/incidents/reviews-due", headers=dispatcher).json() == []
    timeline = client.get(f"/api/incidents/{incident_id}/timeline", headers=dispatcher).json()
    assert [e["kind"] for e in timeline] == ["opened", "review_due", "review"]
    assert timeline[-1]["summary"] == "Re-THRIVE: priority to emergency"
    assert timeline[-1]["detail"]["what_changed"].startswith("Caller rang back")

    clock.advance(timedelta(hours=3, minutes=29))
    assert loop.run_once() == 0
    clock.advance(timedelta(minutes=1))
    assert loop.run_once() == 1
    assert incident(client, dispatcher, incident_id)["review_state"] == "due"


def test_a_review_still_undone_after_the_margin_is_escalated_to_the_team_leader(
        client: TestClient, runtime: Runtime, clock: FixedClock, handler: dict[str, str],
        dispatcher: dict[str, str]) -> None:
    incident_id = open_incident(client, handler, "scheduled")
    loop = TimerLoop(runtime, timer_handlers())
    clock.advance(timedelta(hours=3, minutes=30))
    assert loop.run_once() == 1
    clock.advance(timedelta(minutes=29))
    assert loop.run_once() == 0
    assert incident(client, dispatcher, incident_id)["review_state"] == "due"
    clock.advance(timedelta(minutes=1))
    assert loop.run_once() == 1
    assert incident(client, dispatcher, incident_id)["review_state"] == "escalated"
    due = client.get("/api/incidents/reviews-due", headers=dispatcher).json()
    assert [i["review_state"] for i in due] == ["escalated"]

    leader = api_headers(client, runtime, Role.TEAM_LEADER)
    assert review(client, leader, incident_id, grade="scheduled").status_code == 201
    assert incident(client, leader, incident_id)["review_state"] == "scheduled"
    kinds = [e["kind"] for e in client.get(f"/api/incidents/{incident_id}/timeline",
                                           headers=leader).json()]
    assert kinds == ["opened", "review_due", "review_escalated", "review"]


@pytest.mark.parametrize(("assessed_utc", "due_utc"), [
    # Spring forward, Sunday 29 March 2026: 23:00 GMT + 3h30 = 02:30 UTC = 03:30 BST.
    (datetime(2026, 3, 28, 23, 0, tzinfo=UTC), datetime(2026, 3, 29, 2, 30, tzinfo=UTC)),
    # Fall back, Sunday 25 October 2026: 00:30 BST (23:30 UTC) + 3h30 = 03:00 UTC = 03:00 GMT.
    (datetime(2026, 10, 24, 23, 30, tzinfo=UTC), datetime(2026, 10, 25, 3, 0, tzinfo=UTC)),
])
def test_the_review_interval_is_3h30_of_real_time_across_the_clock_change(
        client: TestClient, runtime: Runtime, clock: FixedClock, assessed_utc: datetime,
        due_utc: datetime) -> None:
    clock.set(assessed_utc)
    handler = api_headers(client, runtime, Role.CALL_HANDLER)
    incident_id = open_incident(client, handler, "priority")
    assert incident(client, handler, incident_id)["review_due_at"] == (
        due_utc.strftime("%Y-%m-%dT%H:%M:00Z"))
    loop = TimerLoop(runtime, timer_handlers())
    clock.set(due_utc - timedelta(minutes=1))
    assert loop.run_once() == 0
    clock.set(due_utc)
    assert loop.run_once() == 1


def test_a_stale_review_is_refused_with_409_and_nothing_is_stored(
        client: TestClient, runtime: Runtime, handler: dict[str, str],
        dispatcher: dict[str, str]) -> None:
    incident_id = open_incident(client, handler, "priority")
    seen = incident(client, dispatcher, incident_id)["version"]
    first = client.post(f"/api/incidents/{incident_id}/reviews", headers=dispatcher,
                        json=review_body(seen))
    assert first.status_code == 201, first.text
    second = client.post(f"/api/incidents/{incident_id}/reviews", headers=dispatcher,
                         json=review_body(seen, grade="emergency"))
    assert second.status_code == 409
    assert "Someone else changed this incident" in second.json()["detail"]
    assert incident(client, dispatcher, incident_id)["grade"] == "priority"
    with runtime.database.transaction() as session:
        assert session.scalar(select(func.count()).select_from(ReviewRow)) == 1
        assert session.scalar(select(func.count()).select_from(AssessmentRow)
                              .where(AssessmentRow.kind == "review")) == 1
    assert [k for k, _ in pending(runtime, incident_id)] == [
        "incident.review", "incident.review_escalation"]


@pytest.mark.parametrize(("change", "field"), [
    ({"rationale": ""}, "rationale"),
    ({"what_changed": "   "}, "what_changed"),
    ({"rationale": "<script>alert(1)</script>"}, "rationale"),
    ({"grade": "no_police_action"}, "grade"),
    ({"grade": "urgent"}, "grade"),
    ({"harm": {"answer": "catastrophic", "note": ""}}, "harm"),
    ({"ndm": {}}, "ndm_information"),
])
def test_each_kind_of_bad_review_names_its_field_and_changes_nothing(
        client: TestClient, runtime: Runtime, handler: dict[str, str],
        dispatcher: dict[str, str], change: dict[str, Any], field: str) -> None:
    incident_id = open_incident(client, handler, "priority")
    before = incident(client, dispatcher, incident_id)
    response = review(client, dispatcher, incident_id, **change)
    assert response.status_code == 422, response.text
    assert field in [e["field"] for e in response.json()["detail"]]
    assert incident(client, dispatcher, incident_id) == before
    with runtime.database.transaction() as session:
        assert session.scalar(select(func.count()).select_from(ReviewRow)) == 0


def test_a_review_of_an_unknown_incident_is_404(client: TestClient,
                                                dispatcher: dict[str, str]) -> None:
    response = client.post("/api/incidents/999/reviews", headers=dispatcher,
                           json=review_body(1))
    assert response.status_code == 404


@pytest.mark.parametrize(("role", "status"), [
    (Role.DISPATCHER, 201), (Role.TEAM_LEADER, 201), (Role.CALL_HANDLER, 403),
    (Role.QA_REVIEWER, 403), (Role.VICTIM_CARE, 403), (Role.PARTNER_AGENCY, 403),
])
def test_dispatchers_and_team_leaders_re_thrive_and_no_one_else(
        client: TestClient, runtime: Runtime, handler: dict[str, str], role: Role,
        status: int) -> None:
    incident_id = open_incident(client, handler, "priority")
    headers = api_headers(client, runtime, role)
    response = client.post(f"/api/incidents/{incident_id}/reviews", headers=headers,
                           json=review_body(1))
    assert response.status_code == status, response.text
