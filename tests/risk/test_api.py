"""THRIVE to determination to incident over the API, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from firstcontact.demand.tables import IncidentRow
from firstcontact.platform.clock import FixedClock
from firstcontact.platform.deadlines import Deadline
from firstcontact.platform.model import Role
from firstcontact.platform.runtime import Runtime
from firstcontact.risk.tables import DeterminationRow
from tests.risk.flow import assess, new_contact, thrive_body
from tests.staff import api_headers


@pytest.fixture
def handler(client: TestClient, runtime: Runtime) -> dict[str, str]:
    return api_headers(client, runtime, Role.CALL_HANDLER)


def count(rt: Runtime, table: type[Any]) -> int:
    with rt.database.transaction() as session:
        return session.scalar(select(func.count()).select_from(table)) or 0


def test_assessment_answers_with_the_suggested_grade_and_why(
        client: TestClient, handler: dict[str, str]) -> None:
    contact_id = new_contact(client, handler)
    assessment = assess(client, handler, contact_id, threat="immediate")
    assert assessment["suggestion"] == {"grade": "emergency",
                                        "reasons": ["Someone is in immediate danger"]}
    contact = client.get(f"/api/contacts/{contact_id}", headers=handler).json()
    assert contact["status"] == "assessed"


def test_an_override_is_recorded_and_opens_an_incident_reviewed_at_3h30(
        client: TestClient, runtime: Runtime, clock: FixedClock,
        handler: dict[str, str]) -> None:
    contact_id = new_contact(client, handler)
    assert assess(client, handler, contact_id)["suggestion"]["grade"] == "priority"
    clock.advance(timedelta(minutes=7))
    response = client.post(f"/api/contacts/{contact_id}/determination", headers=handler, json={
        "grade": "scheduled", "rationale": "Caller at work until 18:00; scene preserved",
        "nsir_category": "crime", "opening_code": "CR-BUR", "qualifiers": ["repeat_victim"]})
    assert response.status_code == 201, response.text
    determination = response.json()
    assert determination["is_override"] is True
    assert determination["suggested_grade"] == "priority"
    assert determination["response_target_minutes"] == 2880
    incident = determination["incident"]
    # Assessed at 09:30; the review is due 3h30 after the assessment, not the determination.
    assert incident["review_due_at"] == "2026-03-14T13:00:00Z"
    assert incident["response_due_at"] == "2026-03-16T09:37:00Z"
    listed = client.get("/api/incidents", headers=handler).json()
    assert [i["reference"] for i in listed] == [incident["reference"]]
    with runtime.database.transaction() as session:
        found = session.scalars(select(Deadline).where(Deadline.subject_type == "incident")
                                .order_by(Deadline.due_at)).all()
        scheduled = [(d.kind, d.subject_id, f"{d.due_at:%H:%M}") for d in found]
    # The review at 13:00 and, if it is still not done 30 minutes later, the escalation.
    assert scheduled == [("incident.review", str(incident["id"]), "13:00"),
                         ("incident.review_escalation", str(incident["id"]), "13:30")]


def test_no_police_action_records_the_determination_without_an_incident(
        client: TestClient, runtime: Runtime, handler: dict[str, str]) -> None:
    contact_id = new_contact(client, handler)
    assess(client, handler, contact_id, harm="none", risk="low", investigation="none",
           engagement="advice")
    response = client.post(f"/api/contacts/{contact_id}/determination", headers=handler, json={
        "grade": "no_police_action", "nsir_category": "public_safety",
        "opening_code": "PS-CIV"})
    assert response.status_code == 201, response.text
    assert response.json()["incident"] is None
    assert count(runtime, IncidentRow) == 0


def test_an_override_without_rationale_is_refused_and_nothing_is_stored(
        client: TestClient, runtime: Runtime, handler: dict[str, str]) -> None:
    contact_id = new_contact(client, handler)
    assess(client, handler, contact_id)
    response = client.post(f"/api/contacts/{contact_id}/determination", headers=handler, json={
        "grade": "scheduled", "nsir_category": "crime", "opening_code": "CR-BUR"})
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["detail"]] == ["rationale"]
    assert count(runtime, DeterminationRow) == 0
    assert count(runtime, IncidentRow) == 0


@pytest.mark.parametrize(("change", "field"), [
    ({"grade": "urgent"}, "grade"),
    ({"nsir_category": "weather"}, "nsir_category"),
    ({"opening_code": "ZZ-999"}, "opening_code"),
    ({"qualifiers": ["martian"]}, "qualifiers"),
    ({"rationale": "<script>x</script>"}, "rationale"),
])
def test_unknown_codes_are_refused_naming_the_field(
        client: TestClient, runtime: Runtime, handler: dict[str, str],
        change: dict[str, Any], field: str) -> None:
    contact_id = new_contact(client, handler)
    assess(client, handler, contact_id)
    body = {"grade": "priority", "nsir_category": "crime", "opening_code": "CR-BUR"}
    body.update(change)
    response = client.post(f"/api/contacts/{contact_id}/determination", headers=handler,
                           json=body)
    assert response.status_code == 422
    assert field in [e["field"] for e in response.json()["detail"]]
    assert count(runtime, DeterminationRow) == 0


def test_a_determination_before_any_assessment_is_a_conflict(
        client: TestClient, handler: dict[str, str]) -> None:
    contact_id = new_contact(client, handler)
    response = client.post(f"/api/contacts/{contact_id}/determination", headers=handler,
                           json={"grade": "priority", "nsir_category": "crime",
                                 "opening_code": "CR-BUR"})
    assert response.status_code == 409


def test_a_second_determination_is_a_conflict(client: TestClient, runtime: Runtime,
                                              handler: dict[str, str]) -> None:
    contact_id = new_contact(client, handler)
    assess(client, handler, contact_id)
    body = {"grade": "priority", "nsir_category": "crime", "opening_code": "CR-BUR"}
    url = f"/api/contacts/{contact_id}/determination"
    assert client.post(url, headers=handler, json=body).status_code == 201
    assert client.post(url, headers=handler, json=body).status_code == 409
    assert count(runtime, IncidentRow) == 1


def test_an_incomplete_thrive_is_refused_naming_each_missing_part(
        client: TestClient, handler: dict[str, str]) -> None:
    contact_id = new_contact(client, handler)
    body = thrive_body()
    del body["harm"]
    body["ndm"] = {"information": "Caller's account"}
    body["threat"]["answer"] = "apocalyptic"
    response = client.post(f"/api/contacts/{contact_id}/assessments", headers=handler,
                           json=body)
    assert response.status_code == 422
    fields = {e["field"] for e in response.json()["detail"]}
    assert "harm" in " ".join(fields)


def test_the_contact_file_holds_every_step_in_the_audit_trail(
        client: TestClient, handler: dict[str, str]) -> None:
    contact_id = new_contact(client, handler)
    assess(client, handler, contact_id)
    client.post(f"/api/contacts/{contact_id}/determination", headers=handler, json={
        "grade": "priority", "nsir_category": "crime", "opening_code": "CR-BUR"})
    found = client.get(f"/api/contacts/{contact_id}/file", headers=handler).json()
    steps = [(e["action"], e["subject_type"]) for e in found["trail"]]
    assert steps[:1] == [("create", "contact")]
    for step in [("create", "assessment"), ("create", "determination"),
                 ("create", "incident"), ("read", "contact")]:
        assert step in steps
    assert found["determination"]["grade"] == "priority"


def test_a_dispatcher_may_read_incidents_but_not_record_contacts(
        client: TestClient, runtime: Runtime) -> None:
    dispatcher = api_headers(client, runtime, Role.DISPATCHER)
    assert client.get("/api/incidents", headers=dispatcher).status_code == 200
    assert client.post("/api/contacts", json={}, headers=dispatcher).status_code in {403, 422}
