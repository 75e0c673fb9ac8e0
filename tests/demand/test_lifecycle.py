"""An incident's lifecycle: open, resourced, at scene, finalised with its NSIR closing code,
reopened with its history kept; every change at the version seen, or refused whole."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from firstcontact.app import timer_handlers
from firstcontact.platform.clock import FixedClock
from firstcontact.platform.deadlines import TimerLoop
from firstcontact.platform.model import Role
from firstcontact.platform.runtime import Runtime
from tests.demand.test_reviews import incident, pending
from tests.demand.test_service import open_incident
from tests.risk.flow import review_body
from tests.staff import api_headers

CLOSING = {"closing_code": "CR-C-REC", "result": "arrest", "closing_note": "One arrested"}


@pytest.fixture
def handler(client: TestClient, runtime: Runtime) -> dict[str, str]:
    return api_headers(client, runtime, Role.CALL_HANDLER)


@pytest.fixture
def dispatcher(client: TestClient, runtime: Runtime) -> dict[str, str]:
    return api_headers(client, runtime, Role.DISPATCHER)


def act(client: TestClient, headers: dict[str, str], incident_id: int, action: str,
        **body: Any) -> Any:
    body.setdefault("version", incident(client, headers, incident_id)["version"])
    return client.post(f"/api/incidents/{incident_id}/{action}", json=body, headers=headers)


def test_an_incident_goes_from_open_to_finalised_and_back_keeping_its_history(
        client: TestClient, runtime: Runtime, clock: FixedClock, handler: dict[str, str],
        dispatcher: dict[str, str]) -> None:
    incident_id = open_incident(client, handler, "priority")
    for status in ("resourced", "at_scene"):
        clock.advance(timedelta(minutes=5))
        moved = act(client, dispatcher, incident_id, "status", status=status)
        assert (moved.status_code, moved.json()["status"]) == (200, status)
    clock.advance(timedelta(minutes=20))
    done = act(client, dispatcher, incident_id, "finalise", **CLOSING)
    assert done.status_code == 200, done.text
    assert (done.json()["status"], done.json()["closing_code"]) == ("finalised", "CR-C-REC")
    assert pending(runtime, incident_id) == []
    clock.advance(timedelta(hours=4))
    assert TimerLoop(runtime, timer_handlers()).run_once() == 0

    reopened = act(client, dispatcher, incident_id, "reopen",
                   reason="Victim reports the suspect is back")
    assert reopened.status_code == 200, reopened.text
    now = reopened.json()
    assert (now["status"], now["closing_code"], now["review_state"]) == ("open", None, "due")
    # Reopened at 14:00: the re-THRIVE is due at once and escalates at 14:30 if still undone.
    assert pending(runtime, incident_id) == [("incident.review_escalation", "14:30")]
    timeline = client.get(f"/api/incidents/{incident_id}/timeline", headers=dispatcher).json()
    assert [(e["kind"], e["summary"]) for e in timeline] == [
        ("opened", "Opened as priority"), ("status", "Resourced"), ("status", "At scene"),
        ("status", "Finalised"), ("status", "Reopened")]
    assert timeline[3]["detail"]["closing_code"] == "CR-C-REC"
    assert timeline[4]["detail"]["previous_closing_code"] == "CR-C-REC"


def test_a_stale_status_change_is_refused_and_nothing_moves(
        client: TestClient, handler: dict[str, str], dispatcher: dict[str, str]) -> None:
    incident_id = open_incident(client, handler, "priority")
    assert act(client, dispatcher, incident_id, "status", status="resourced",
               version=1).status_code == 200
    stale = act(client, dispatcher, incident_id, "finalise", version=1, **CLOSING)
    assert stale.status_code == 409
    assert "Someone else changed this incident" in stale.json()["detail"]
    now = incident(client, dispatcher, incident_id)
    assert (now["status"], now["closing_code"], now["version"]) == ("resourced", None, 2)


@pytest.mark.parametrize(("action", "body", "field"), [
    ("finalise", {"closing_code": "", "result": "arrest"}, "closing_code"),
    ("finalise", {"closing_code": "CR-BUR", "result": "arrest"}, "closing_code"),
    ("finalise", {"closing_code": "CR-C-REC", "result": "shrug"}, "result"),
    ("finalise", {**CLOSING, "closing_note": "<b>x</b>"}, "closing_note"),
    ("status", {"status": "finalised"}, "status"),
    ("status", {"status": "gone"}, "status"),
])
def test_each_kind_of_bad_lifecycle_input_names_its_field_and_changes_nothing(
        client: TestClient, handler: dict[str, str], dispatcher: dict[str, str], action: str,
        body: dict[str, str], field: str) -> None:
    incident_id = open_incident(client, handler, "priority")
    before = incident(client, dispatcher, incident_id)
    response = act(client, dispatcher, incident_id, action, **body)
    assert response.status_code == 422, response.text
    assert field in [e["field"] for e in response.json()["detail"]]
    assert incident(client, dispatcher, incident_id) == before


def test_a_reopen_without_a_reason_is_refused(client: TestClient, handler: dict[str, str],
                                              dispatcher: dict[str, str]) -> None:
    incident_id = open_incident(client, handler, "priority")
    assert act(client, dispatcher, incident_id, "finalise", **CLOSING).status_code == 200
    response = act(client, dispatcher, incident_id, "reopen", reason="  ")
    assert response.status_code == 422
    assert response.json()["detail"][0]["field"] == "reason"
    assert incident(client, dispatcher, incident_id)["status"] == "finalised"


@pytest.mark.parametrize(("steps", "action", "body", "message"), [
    ((), "status", {"status": "at_scene"}, "This incident is open: it cannot be marked at "
                                           "scene"),
    (("finalise",), "finalise", CLOSING, "This incident is finalised"),
    (("finalise",), "status", {"status": "resourced"}, "This incident is finalised"),
    ((), "reopen", {"reason": "Changed my mind"}, "This incident is open"),
])
def test_a_move_the_lifecycle_does_not_allow_is_a_conflict(
        client: TestClient, handler: dict[str, str], dispatcher: dict[str, str],
        steps: tuple[str, ...], action: str, body: dict[str, str], message: str) -> None:
    incident_id = open_incident(client, handler, "priority")
    for step in steps:
        assert act(client, dispatcher, incident_id, step, **CLOSING).status_code == 200
    response = act(client, dispatcher, incident_id, action, **body)
    assert response.status_code == 409
    assert response.json()["detail"].startswith(message)


def test_a_finalised_incident_cannot_be_re_thrived(client: TestClient, handler: dict[str, str],
                                                   dispatcher: dict[str, str]) -> None:
    incident_id = open_incident(client, handler, "priority")
    assert act(client, dispatcher, incident_id, "finalise", **CLOSING).status_code == 200
    version = incident(client, dispatcher, incident_id)["version"]
    response = client.post(f"/api/incidents/{incident_id}/reviews", headers=dispatcher,
                           json=review_body(version))
    assert response.status_code == 409


@pytest.mark.parametrize(("role", "status"), [
    (Role.DISPATCHER, 200), (Role.TEAM_LEADER, 200), (Role.CALL_HANDLER, 403),
    (Role.QA_REVIEWER, 403), (Role.VICTIM_CARE, 403),
])
def test_only_dispatchers_and_team_leaders_move_an_incident(
        client: TestClient, runtime: Runtime, handler: dict[str, str], role: Role,
        status: int) -> None:
    incident_id = open_incident(client, handler, "priority")
    headers = api_headers(client, runtime, role)
    for action, body in (("status", {"status": "resourced"}), ("finalise", CLOSING)):
        response = client.post(f"/api/incidents/{incident_id}/{action}", headers=headers,
                               json={**body, "version": 1 if action == "status" else 2})
        assert response.status_code == status, response.text
