"""Missing-person reports through the JSON API on SQLite and PostgreSQL: risk decided by staff
and recorded beside the suggestion, reviews on the deadline engine (to the minute), repeat
episodes linked, a child missing from care referred to the local authority, roles, audit."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from firstcontact.app import timer_handlers
from firstcontact.platform.audit import AuditAction, AuditEntry
from firstcontact.platform.clock import FixedClock
from firstcontact.platform.deadlines import TimerLoop
from firstcontact.platform.model import Role
from firstcontact.platform.runtime import Runtime
from tests.missing.flow import missing_person, report_body
from tests.people.test_referrals import agency
from tests.staff import api_headers


def audit_of(runtime: Runtime, report_id: int) -> list[tuple[str, str]]:
    with runtime.database.transaction() as session:
        return [(e.action.value, e.purpose) for e in session.scalars(
            select(AuditEntry).where(AuditEntry.subject_type == "missing_report",
                                     AuditEntry.subject_id == str(report_id))
            .order_by(AuditEntry.id))]


def test_a_report_records_the_override_and_reviews_fall_due_to_the_minute(
        client: TestClient, runtime: Runtime, clock: FixedClock) -> None:
    handler = api_headers(client, runtime, Role.CALL_HANDLER)
    leader = api_headers(client, runtime, Role.TEAM_LEADER)
    person = missing_person(client, runtime, handler)
    made = client.post("/api/missing", headers=handler, json=report_body(
        person, risk_level="medium", risk_rationale="Seen by a neighbour, walking calmly"))
    assert made.status_code == 201, made.text
    report = made.json()
    assert (report["episode"], report["episodes"], report["risk_level"]) == (1, 1, "medium")
    decision = report["decisions"][0]
    assert (decision["suggested_level"], decision["overridden"]) == ("high", True)
    assert set(decision["suggested_because"]) == {"dementia", "needs_essential_medication"}
    assert report["review_due_at"].startswith("2026-03-14T13:30")  # medium: 4 hours

    loop = TimerLoop(runtime, timer_handlers())
    clock.advance(timedelta(hours=4) - timedelta(minutes=1))
    loop.run_once()
    url = f"/api/missing/{report['id']}"
    assert client.get(url, headers=handler).json()["review_overdue"] is False
    clock.advance(timedelta(minutes=1))
    loop.run_once()
    assert client.get(url, headers=handler).json()["review_overdue"] is True

    reviewed = client.post(f"{url}/reviews", headers=leader, json={
        "risk_level": "high", "risk_rationale": "Insulin missed; sunset in an hour"})
    assert reviewed.status_code == 200, reviewed.text
    assert reviewed.json()["review_overdue"] is False
    assert reviewed.json()["review_due_at"].startswith("2026-03-14T14:30")  # high: 1 hour
    assert [d["overridden"] for d in reviewed.json()["decisions"]] == [True, False]
    actions = [action for action, _ in audit_of(runtime, report["id"])]
    assert actions == ["create", "read", "fire", "read", "update"]


def test_a_child_missing_from_care_is_referred_and_gets_a_return_interview(
        client: TestClient, runtime: Runtime, clock: FixedClock) -> None:
    admin = api_headers(client, runtime, Role.ADMIN)
    handler = api_headers(client, runtime, Role.CALL_HANDLER)
    council = agency(client, admin, "Anytown Children's Services", "childrens_social_care")
    person = missing_person(client, runtime, handler, "Kai Brown", "07700 900777")
    body = report_body(person, age=14, dementia=False, herbert_protocol="",
                       child_in_care=True, local_authority_agency_id=council,
                       risk_factors=[], risk_level="medium", risk_rationale="In care, 14")
    made = client.post("/api/missing", headers=handler, json=body)
    assert made.status_code == 201, made.text
    report = made.json()
    assert report["referral_id"] is not None and report["child"] is True
    with runtime.database.transaction() as session:
        disclosure = session.scalars(select(AuditEntry).where(
            AuditEntry.action == AuditAction.DISCLOSE,
            AuditEntry.subject_id == str(person))).one()
        assert disclosure.detail["lawful_basis"] == "safeguarding_children"

    second = client.post("/api/missing", headers=handler, json=body).json()
    assert (second["episode"], second["episodes"]) == (2, 2)
    assert second["previous_report_id"] == report["id"]
    assert second["decisions"][0]["suggested_because"] == ["child_in_care", "child"]

    found = client.post(f"/api/missing/{report['id']}/found", headers=handler, json={
        "found_at": "2026-03-14T09:15:00+00:00", "outcome": "returned_home"})
    assert found.status_code == 200, found.text
    assert found.json()["return_interview_due_at"].startswith("2026-03-17T09:15")
    assert found.json()["review_due_at"] is None
    again = client.post(f"/api/missing/{report['id']}/found", headers=handler, json={
        "found_at": "2026-03-14T09:15:00+00:00", "outcome": "returned_home"})
    assert again.status_code == 409

    loop = TimerLoop(runtime, timer_handlers())
    clock.set(datetime(2026, 3, 17, 9, 14, tzinfo=UTC))
    loop.run_once()
    handler = api_headers(client, runtime, Role.CALL_HANDLER)  # a new shift signs in
    url = f"/api/missing/{report['id']}"
    assert client.get(url, headers=handler).json()["return_interview_overdue"] is False
    clock.advance(timedelta(minutes=1))
    loop.run_once()
    assert client.get(url, headers=handler).json()["return_interview_overdue"] is True
    early = client.post(f"{url}/return-interview", headers=handler,
                        json={"held_at": "2026-03-14T09:00:00+00:00"})
    assert early.status_code == 422 and early.json()["detail"][0]["field"] == "held_at"
    held = client.post(f"{url}/return-interview", headers=handler,
                       json={"held_at": "2026-03-17T09:10:00+00:00"})
    assert held.status_code == 200, held.text
    assert held.json()["return_interview_overdue"] is False
    assert held.json()["return_interview_held_at"].startswith("2026-03-17T09:10")
    open_one = client.post(f"/api/missing/{second['id']}/return-interview", headers=handler,
                           json={"held_at": "2026-03-17T09:10:00+00:00"})
    assert open_one.status_code == 409


@pytest.mark.parametrize(("change", "field"), [
    ({"risk_level": "severe"}, "risk_level"),
    ({"risk_rationale": "  "}, "risk_rationale"),
    ({"last_seen_at": "yesterday"}, "last_seen_at"),
    ({"last_seen_at": "2026-03-14T10:00:00+00:00"}, "last_seen_at"),
    ({"herbert_protocol": ""}, "herbert_protocol"),
    ({"risk_factors": ["unlucky"]}, "risk_factors"),
    ({"child_in_care": True}, "local_authority_agency_id"),
    ({"person_id": 999999}, "person_id"),
    ({"description": "<script>x</script>"}, "description"),
])
def test_bad_reports_are_refused_naming_the_field_and_nothing_is_stored(
        client: TestClient, runtime: Runtime, change: dict[str, object], field: str) -> None:
    handler = api_headers(client, runtime, Role.CALL_HANDLER)
    person = missing_person(client, runtime, handler)
    response = client.post("/api/missing", headers=handler, json=report_body(person, **change))
    assert response.status_code == 422, response.text
    assert field in [error["field"] for error in response.json()["detail"]]
    with runtime.database.transaction() as session:
        assert not session.scalars(select(AuditEntry).where(
            AuditEntry.subject_type == "missing_report")).first()


def test_bad_reviews_and_found_times_are_refused(client: TestClient, runtime: Runtime) -> None:
    handler = api_headers(client, runtime, Role.CALL_HANDLER)
    leader = api_headers(client, runtime, Role.TEAM_LEADER)
    report = client.post("/api/missing", headers=handler,
                         json=report_body(missing_person(client, runtime, handler))).json()
    url = f"/api/missing/{report['id']}"
    for body, field in (({"risk_level": "extreme", "risk_rationale": "x"}, "risk_level"),
                        ({"risk_level": "low"}, "risk_rationale")):
        response = client.post(f"{url}/reviews", headers=leader, json=body)
        assert response.status_code == 422 and response.json()["detail"][0]["field"] == field
    for body, field in (({"found_at": "2026-03-14T07:00Z", "outcome": "found_safe"},
                         "found_at"), ({"found_at": "2026-03-14T09:00Z"}, "outcome")):
        response = client.post(f"{url}/found", headers=handler, json=body)
        assert response.status_code == 422 and response.json()["detail"][0]["field"] == field
    assert client.get(url, headers=handler).json()["status"] == "open"
    assert client.get("/api/missing/999999", headers=handler).status_code == 404


@pytest.mark.parametrize(("role", "report", "review"), [
    (Role.CALL_HANDLER, 201, 403), (Role.TEAM_LEADER, 201, 200), (Role.ADMIN, 201, 200),
    (Role.DISPATCHER, 403, 403), (Role.DIGITAL_DESK, 403, 403), (Role.QA_REVIEWER, 403, 403),
    (Role.VICTIM_CARE, 403, 403), (Role.PARTNER_AGENCY, 403, 403),
])
def test_only_the_roles_that_need_it_may_report_and_review(
        client: TestClient, runtime: Runtime, role: Role, report: int, review: int) -> None:
    handler = api_headers(client, runtime, Role.CALL_HANDLER)
    person = missing_person(client, runtime, handler)
    existing = client.post("/api/missing", headers=handler, json=report_body(person)).json()
    headers = api_headers(client, runtime, role)
    made = client.post("/api/missing", headers=headers, json=report_body(person))
    assert made.status_code == report
    assert client.get(f"/api/missing/{existing['id']}", headers=headers).status_code == (
        200 if report == 201 else 403)
    reviewed = client.post(f"/api/missing/{existing['id']}/reviews", headers=headers,
                           json={"risk_level": "high", "risk_rationale": "Still missing"})
    assert reviewed.status_code == review
