"""The team leader's contacts waiting per channel, re-prioritising an incident and moving a
unit from one incident to another: each audited, on the timeline, bad input refused whole."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from firstcontact.platform.audit import AuditEntry
from firstcontact.platform.clock import FixedClock
from firstcontact.platform.model import Role
from firstcontact.platform.runtime import Runtime
from tests.demand.test_lifecycle import CLOSING, act
from tests.demand.test_queue import count_queries, incident_at
from tests.demand.test_units import add_unit, assign
from tests.risk.flow import new_contact
from tests.staff import api_headers, sign_in

OVERVIEW_QUERIES = {"sqlite": 10, "postgresql": 9}
"""Signing-in look-ups, the five counts and the audit write: the same whatever the demand
(SQLite's driver adds one statement to open the transaction)."""


@pytest.fixture
def handler(client: TestClient, runtime: Runtime) -> dict[str, str]:
    return api_headers(client, runtime, Role.CALL_HANDLER)


@pytest.fixture
def leader(client: TestClient, runtime: Runtime) -> dict[str, str]:
    return api_headers(client, runtime, Role.TEAM_LEADER)


def incident(client: TestClient, headers: dict[str, str], incident_id: int) -> Any:
    return client.get(f"/api/incidents/{incident_id}", headers=headers).json()


def kinds(client: TestClient, headers: dict[str, str], incident_id: int) -> list[str]:
    timeline = client.get(f"/api/incidents/{incident_id}/timeline", headers=headers).json()
    return [entry["kind"] for entry in timeline]


def purposes(runtime: Runtime, subject_id: int) -> set[str]:
    with runtime.database.transaction() as session:
        return set(session.scalars(select(AuditEntry.purpose).where(
            AuditEntry.subject_id == str(subject_id))))


def test_contacts_waiting_per_channel_drill_down_to_the_filtered_list(
        client: TestClient, runtime: Runtime, handler: dict[str, str]) -> None:
    for _ in range(2):
        new_contact(client, handler)
    urgent = new_contact(client, handler, channel="phone_999")
    incident_at(client, handler, "priority", "1 Mill Lane, Northgate")  # assessed: not waiting
    sign_in(client, runtime, Role.TEAM_LEADER)
    text = client.get("/demand/overview").text
    link = "/contacts?status=awaiting_assessment&amp;channel="
    assert f'href="{link}phone_101">2 101 call</a>' in text
    assert f'href="{link}phone_999">1 999 call</a>' in text
    assert f'href="{link}email">0 Email</a>' in text
    listed = client.get("/contacts?status=awaiting_assessment&channel=phone_999").text
    assert listed.count('href="/contacts/') - listed.count('href="/contacts/new') == 1
    assert f'href="/contacts/{urgent}"' in listed


def test_the_overview_query_count_is_pinned(client: TestClient, runtime: Runtime,
                                            handler: dict[str, str]) -> None:
    incident_at(client, handler, "priority", "1 Mill Lane, Northgate")
    sign_in(client, runtime, Role.TEAM_LEADER)
    pinned = OVERVIEW_QUERIES[runtime.database.engine.dialect.name]
    assert count_queries(runtime, client, "/demand/overview") == pinned
    for channel in ("phone_999", "phone_101", "front_counter"):
        new_contact(client, handler, channel=channel)
    assert count_queries(runtime, client, "/demand/overview") == pinned


def test_a_team_leader_re_prioritises_with_a_new_response_target(
        client: TestClient, runtime: Runtime, clock: FixedClock, handler: dict[str, str],
        leader: dict[str, str]) -> None:
    incident_id = incident_at(client, handler, "priority", "1 Mill Lane, Northgate")
    before = incident(client, leader, incident_id)
    clock.advance(timedelta(minutes=20))
    changed = client.post(f"/api/incidents/{incident_id}/grade", headers=leader, json={
        "grade": "emergency", "rationale": "Second caller heard screaming",
        "version": before["version"]})
    assert changed.status_code == 200, changed.text
    after = changed.json()
    assert after["grade"] == "emergency" and after["version"] == before["version"] + 1
    # An emergency in a town is 15 minutes, counted from the change; the review stays.
    due = datetime.fromisoformat(after["response_due_at"])
    assert due == clock.now() + timedelta(minutes=15)
    assert after["review_due_at"] == before["review_due_at"]
    timeline = client.get(f"/api/incidents/{incident_id}/timeline", headers=leader).json()
    assert timeline[-1]["summary"] == "Re-prioritised: priority to emergency"
    assert timeline[-1]["detail"]["rationale"] == "Second caller heard screaming"
    assert "team leader re-prioritised" in purposes(runtime, incident_id)


@pytest.mark.parametrize(("change", "status", "expected"), [
    ({"rationale": " "}, 422, "rationale"),
    ({"grade": "urgent-ish"}, 422, "grade"),
    ({"grade": "priority"}, 422, "grade"),
    ({"version": -1}, 409, "Someone else changed this incident"),
])
def test_a_bad_re_prioritisation_changes_nothing(
        client: TestClient, handler: dict[str, str], leader: dict[str, str],
        change: dict[str, Any], status: int, expected: str) -> None:
    incident_id = incident_at(client, handler, "priority", "1 Mill Lane, Northgate")
    body = {"grade": "emergency", "rationale": "Why", "version": 1, **change}
    if "version" not in change:
        body["version"] = incident(client, leader, incident_id)["version"]
    refused = client.post(f"/api/incidents/{incident_id}/grade", headers=leader, json=body)
    assert refused.status_code == status, refused.text
    detail = refused.json()["detail"]
    assert (detail[0]["field"] if status == 422 else detail).startswith(expected)
    assert incident(client, leader, incident_id)["grade"] == "priority"
    assert kinds(client, leader, incident_id) == ["opened"]


def test_a_team_leader_moves_a_unit_between_incidents_in_one_go(
        client: TestClient, runtime: Runtime, handler: dict[str, str],
        leader: dict[str, str]) -> None:
    first = incident_at(client, handler, "priority", "1 Mill Lane, Northgate")
    second = incident_at(client, handler, "emergency", "2 Quay Street, Easton",
                         threat="immediate")
    unit_id = add_unit(runtime, "NG21")
    assert assign(client, leader, first, unit_id).status_code == 201
    moved = client.post(f"/api/units/{unit_id}/reassign", headers=leader, json={
        "from_incident_id": first, "to_incident_id": second, "reason": "Life at risk"})
    assert moved.status_code == 200, moved.text
    assert moved.json()["incident_id"] == second and moved.json()["status"] == "assigned"
    assert incident(client, leader, second)["status"] == "resourced"
    for incident_id in (first, second):
        assert kinds(client, leader, incident_id)[-1] == "unit"
    last = client.get(f"/api/incidents/{first}/timeline", headers=leader).json()[-1]
    assert last["summary"].startswith("NG21 reassigned to ")
    assert last["detail"]["reason"] == "Life at risk"
    assert any(p.startswith("NG21 reassigned") for p in purposes(runtime, unit_id))
    units = client.get("/api/units", headers=leader).json()
    assert [u["incident_id"] for u in units if u["id"] == unit_id] == [second]


@pytest.mark.parametrize(("source", "target", "status", "expected"), [
    ("second", "first", 422, "unit_id"),
    ("first", "first", 422, "to_incident_id"),
    ("first", "finalised", 409, "INC"),
])
def test_a_bad_reassignment_moves_nothing(
        client: TestClient, runtime: Runtime, handler: dict[str, str], leader: dict[str, str],
        source: str, target: str, status: int, expected: str) -> None:
    ids = {"first": incident_at(client, handler, "priority", "1 Mill Lane, Northgate"),
           "second": incident_at(client, handler, "priority", "2 Quay Street, Easton"),
           "finalised": incident_at(client, handler, "scheduled", "3 Park Road, Westfield")}
    assert act(client, leader, ids["finalised"], "finalise", **CLOSING).status_code == 200
    unit_id = add_unit(runtime, "NG22")
    assert assign(client, leader, ids["first"], unit_id).status_code == 201
    refused = client.post(f"/api/units/{unit_id}/reassign", headers=leader, json={
        "from_incident_id": ids[source], "to_incident_id": ids[target]})
    assert refused.status_code == status, refused.text
    detail = refused.json()["detail"]
    assert (detail[0]["field"] if status == 422 else detail).startswith(expected)
    units = client.get("/api/units", headers=leader).json()
    assert [u["incident_id"] for u in units if u["id"] == unit_id] == [ids["first"]]
    assert kinds(client, leader, ids["second"]) == ["opened"]


@pytest.mark.parametrize("role", [Role.DISPATCHER, Role.CALL_HANDLER])
def test_only_a_team_leader_re_prioritises_or_reassigns(
        client: TestClient, runtime: Runtime, handler: dict[str, str], role: Role) -> None:
    incident_id = incident_at(client, handler, "priority", "1 Mill Lane, Northgate")
    headers = api_headers(client, runtime, role)
    assert client.post(f"/api/incidents/{incident_id}/grade", headers=headers, json={
        "grade": "emergency", "rationale": "Why", "version": 1}).status_code == 403
    assert client.post("/api/units/1/reassign", headers=headers, json={
        "from_incident_id": incident_id, "to_incident_id": incident_id}).status_code == 403


def test_the_team_leader_uses_the_buttons_on_the_incident_page(
        client: TestClient, runtime: Runtime, handler: dict[str, str],
        leader: dict[str, str]) -> None:
    first = incident_at(client, handler, "priority", "1 Mill Lane, Northgate")
    second = incident_at(client, handler, "priority", "2 Quay Street, Easton")
    unit_id = add_unit(runtime, "NG23")
    assert assign(client, leader, first, unit_id).status_code == 201
    csrf = sign_in(client, runtime, Role.TEAM_LEADER)
    page = client.get(f"/incidents/{first}").text
    assert 'id="reprioritise"' in page and f'action="/incidents/{first}/units/{unit_id}' in page
    version = incident(client, leader, first)["version"]
    refused = client.post(f"/incidents/{first}/grade", data={
        "csrf_token": csrf, "grade": "emergency", "rationale": "", "version": version})
    assert refused.status_code == 422 and "Enter this information" in refused.text
    done = client.post(f"/incidents/{first}/grade", follow_redirects=True, data={
        "csrf_token": csrf, "grade": "emergency", "rationale": "Weapon seen",
        "version": version})
    assert done.status_code == 200 and "Re-prioritised: priority to emergency" in done.text
    moved = client.post(f"/incidents/{first}/units/{unit_id}/reassign", follow_redirects=True,
                        data={"csrf_token": csrf, "to_incident_id": str(second)})
    assert moved.status_code == 200 and "NG23 reassigned to" in moved.text
