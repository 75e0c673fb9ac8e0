"""Units: assign, move on, release; never the same unit to two incidents at once."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from fastapi.testclient import TestClient

from firstcontact.demand import resources
from firstcontact.platform.model import Conflict, Role, ValidationError
from firstcontact.platform.runtime import Runtime
from tests.demand.test_lifecycle import CLOSING, act
from tests.demand.test_reviews import incident
from tests.demand.test_service import open_incident
from tests.staff import api_headers, create_staff, sign_in


def add_unit(runtime: Runtime, call_sign: str, unit_type: str = "response_car",
             sector: str = "north", **fields: Any) -> int:
    actor = create_staff(runtime, Role.DISPATCHER)
    unit = resources.add_unit(runtime, actor, resources.parse_unit({
        "call_sign": call_sign, "unit_type": unit_type, "sector": sector,
        "shift": "Day (07:00-17:00)", **fields}))
    return unit.id


@pytest.fixture
def handler(client: TestClient, runtime: Runtime) -> dict[str, str]:
    return api_headers(client, runtime, Role.CALL_HANDLER)


@pytest.fixture
def dispatcher(client: TestClient, runtime: Runtime) -> dict[str, str]:
    return api_headers(client, runtime, Role.DISPATCHER)


def assign(client: TestClient, headers: dict[str, str], incident_id: int, unit_id: int) -> Any:
    return client.post(f"/api/incidents/{incident_id}/units", json={"unit_id": unit_id},
                       headers=headers)


def test_a_unit_is_sent_moves_on_and_is_released_all_on_the_timeline(
        client: TestClient, runtime: Runtime, handler: dict[str, str],
        dispatcher: dict[str, str]) -> None:
    incident_id = open_incident(client, handler, "priority")
    unit_id = add_unit(runtime, "nd11", skills=["taser", "first_aid"])
    sent = assign(client, dispatcher, incident_id, unit_id)
    assert sent.status_code == 201, sent.text
    assert (sent.json()["call_sign"], sent.json()["status"]) == ("ND11", "assigned")
    assert incident(client, dispatcher, incident_id)["status"] == "resourced"
    for status in ("en_route", "at_scene"):
        moved = client.post(f"/api/units/{unit_id}/status", json={"status": status},
                            headers=dispatcher)
        assert moved.status_code == 200, moved.text
    assert incident(client, dispatcher, incident_id)["status"] == "at_scene"
    assert client.post(f"/api/units/{unit_id}/release", headers=dispatcher).status_code == 200
    units = client.get("/api/units", headers=dispatcher).json()
    assert [(u["call_sign"], u["status"], u["incident_id"]) for u in units] == [
        ("ND11", "available", None)]
    timeline = client.get(f"/api/incidents/{incident_id}/timeline", headers=dispatcher).json()
    assert [e["summary"] for e in timeline] == [
        "Opened as priority", "Resourced", "ND11 assigned", "ND11 en route", "At scene",
        "ND11 at scene", "ND11 released"]


def test_a_unit_already_sent_cannot_be_sent_again_and_nothing_changes(
        client: TestClient, runtime: Runtime, handler: dict[str, str],
        dispatcher: dict[str, str]) -> None:
    first = open_incident(client, handler, "priority")
    second = open_incident(client, handler, "emergency", threat="immediate")
    unit_id = add_unit(runtime, "ND12")
    assert assign(client, dispatcher, first, unit_id).status_code == 201
    before = incident(client, dispatcher, second)
    refused = assign(client, dispatcher, second, unit_id)
    assert refused.status_code == 409
    assert refused.json()["detail"] == "ND12 is assigned: it cannot be assigned"
    assert incident(client, dispatcher, second) == before


def test_two_dispatchers_sending_one_unit_at_once_get_one_success(
        client: TestClient, runtime: Runtime, handler: dict[str, str]) -> None:
    incidents = [open_incident(client, handler, "priority") for _ in range(4)]
    unit_id = add_unit(runtime, "ND13")
    actor = create_staff(runtime, Role.DISPATCHER)

    def send(incident_id: int) -> str:
        try:
            resources.assign(runtime, actor, incident_id, unit_id)
        except Conflict:
            return "refused"
        return "sent"

    with ThreadPoolExecutor(max_workers=4) as pool:
        outcomes = list(pool.map(send, incidents))
    assert sorted(outcomes) == ["refused", "refused", "refused", "sent"]
    statuses = [incident(client, handler, i)["status"] for i in incidents]
    assert sorted(statuses) == ["open", "open", "open", "resourced"]


def test_finalising_an_incident_frees_its_units(client: TestClient, runtime: Runtime,
                                                handler: dict[str, str],
                                                dispatcher: dict[str, str]) -> None:
    incident_id = open_incident(client, handler, "priority")
    unit_id = add_unit(runtime, "ND14")
    assert assign(client, dispatcher, incident_id, unit_id).status_code == 201
    assert act(client, dispatcher, incident_id, "finalise", **CLOSING).status_code == 200
    unit = client.get("/api/units", headers=dispatcher).json()[0]
    assert (unit["status"], unit["incident_id"]) == ("available", None)


@pytest.mark.parametrize(("setup", "call", "status", "expected"), [
    ("unavailable", ("assign", {}), 409, "ND15 is unavailable: it cannot be assigned"),
    ("", ("status", {"status": "at_scene"}), 409, "ND15 is available: assign or release it"),
    ("", ("status", {"status": "parked"}), 422, "status"),
    ("", ("release", {}), 409, "ND15 is not assigned to an incident"),
])
def test_each_bad_unit_request_is_refused_with_a_clear_message(
        client: TestClient, runtime: Runtime, handler: dict[str, str],
        dispatcher: dict[str, str], setup: str, call: tuple[str, dict[str, str]], status: int,
        expected: str) -> None:
    incident_id = open_incident(client, handler, "priority")
    unit_id = add_unit(runtime, "ND15")
    if setup:
        assert client.post(f"/api/units/{unit_id}/status", json={"status": setup},
                           headers=dispatcher).status_code == 200
    action, body = call
    if action == "assign":
        response = assign(client, dispatcher, incident_id, unit_id)
    else:
        response = client.post(f"/api/units/{unit_id}/{action}", json=body,
                               headers=dispatcher)
    assert response.status_code == status, response.text
    detail = response.json()["detail"]
    assert (detail[0]["field"] if status == 422 else detail).startswith(expected)
    assert incident(client, dispatcher, incident_id)["status"] == "open"


def test_an_unknown_unit_is_404(client: TestClient, handler: dict[str, str],
                                dispatcher: dict[str, str]) -> None:
    incident_id = open_incident(client, handler, "priority")
    assert assign(client, dispatcher, incident_id, 999).status_code == 404


@pytest.mark.parametrize(("fields", "field"), [
    ({"unit_type": "tank"}, "unit_type"), ({"sector": "moon"}, "sector"),
    ({"skills": ["juggling"]}, "skills"), ({"call_sign": ""}, "call_sign"),
])
def test_a_unit_is_added_only_with_known_types_skills_and_sectors(
        runtime: Runtime, fields: dict[str, Any], field: str) -> None:
    given = dict(fields)
    with pytest.raises(ValidationError) as caught:
        add_unit(runtime, given.pop("call_sign", "ND16"), **given)
    assert caught.value.field == field


def test_a_call_sign_is_on_the_board_once(runtime: Runtime) -> None:
    add_unit(runtime, "ND17")
    with pytest.raises(ValidationError, match="call_sign"):
        add_unit(runtime, "nd17")


def test_only_dispatchers_and_team_leaders_send_units(client: TestClient, runtime: Runtime,
                                                      handler: dict[str, str]) -> None:
    incident_id = open_incident(client, handler, "priority")
    unit_id = add_unit(runtime, "ND18")
    assert assign(client, handler, incident_id, unit_id).status_code == 403
    leader = api_headers(client, runtime, Role.TEAM_LEADER)
    assert assign(client, leader, incident_id, unit_id).status_code == 201


def test_the_dispatcher_sends_a_unit_from_the_incident_page(client: TestClient,
                                                            runtime: Runtime,
                                                            handler: dict[str, str]) -> None:
    incident_id = open_incident(client, handler, "priority")
    unit_id = add_unit(runtime, "ND19", skills=["advanced_driver"])
    csrf = sign_in(client, runtime, Role.DISPATCHER)
    page = client.get(f"/incidents/{incident_id}").text
    assert f'<option value="{unit_id}">ND19' in page and 'id="no-units"' in page
    sent = client.post(f"/incidents/{incident_id}/units", follow_redirects=True,
                       data={"csrf_token": csrf, "unit_id": str(unit_id)})
    assert sent.status_code == 200 and 'id="assigned-units"' in sent.text
    assert "ND19 assigned" in sent.text
    board = client.get("/units").text
    assert "ND19" in board and f'href="/incidents/{incident_id}"' in board
    released = client.post(f"/units/{unit_id}/release", follow_redirects=True,
                           data={"csrf_token": csrf, "incident_id": str(incident_id)})
    assert released.status_code == 200 and "ND19 released" in released.text
