"""Victim records made with the crime, the victim-care queue, outcomes, overdue, audit, roles."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import event, select

from firstcontact.app import timer_handlers
from firstcontact.platform.audit import AuditAction, AuditEntry
from firstcontact.platform.clock import FixedClock
from firstcontact.platform.deadlines import TimerLoop
from firstcontact.platform.model import Role
from firstcontact.platform.runtime import Runtime
from firstcontact.victims import service
from tests.staff import api_headers, create_staff
from tests.victims.conftest import record_crime, victim_of


def entitlement(victim: dict[str, object], code: str) -> dict[str, object]:
    owed = victim["entitlements"]
    assert isinstance(owed, list)
    found: dict[str, object] = next(e for e in owed if e["code"] == code)
    return found


def test_a_crime_reported_by_its_victim_gives_a_victim_record_with_dated_entitlements(
        client: TestClient, handler: dict[str, str], care: dict[str, str]) -> None:
    # Reported on Saturday 14 March 2026: working days are Monday 16th onwards.
    contact_id = record_crime(client, handler)
    victim = victim_of(client, care, contact_id)
    assert victim["name"] == "Sam Patel" and victim["crime_type"] == "burglary_dwelling"
    assert victim["crime_reference"] == "C260314-000001"
    assert victim["enhanced"] is False and victim["referral_consent"] == "opt_out"
    assert victim["contact_preference"] == "phone"
    assert entitlement(victim, "support_referral")["due_at"] == "2026-03-18T00:00:00Z"
    assert entitlement(victim, "written_acknowledgement")["due_at"] == "2026-03-21T00:00:00Z"
    assert entitlement(victim, "needs_assessment")["due_at"] is None
    assert {e["state"] for e in victim["entitlements"]} == {"due"}


def test_a_witness_or_a_non_crime_gives_no_victim_record(
        client: TestClient, handler: dict[str, str], care: dict[str, str]) -> None:
    record_crime(client, handler,
                 caller={"name": "Ann Lee", "phone": "07700 900124", "relationship": "witness"})
    record_crime(client, handler, opening_code="PS-CFS", category="public_safety")
    assert client.get("/api/victims/queue", headers=care).json() == []


def test_domestic_abuse_gives_enhanced_rights_and_a_referral_only_with_consent(
        client: TestClient, handler: dict[str, str], care: dict[str, str]) -> None:
    contact_id = record_crime(client, handler, "CR-VAP", ("domestic_abuse", "vulnerable_adult"))
    victim = victim_of(client, care, contact_id)
    assert victim["crime_type"] == "domestic_abuse"
    assert victim["enhanced_reasons"] == ["most_serious_crime", "vulnerable"]
    assert victim["referral_consent"] == "explicit"


def test_an_entitlement_still_owed_when_its_day_ends_is_overdue_and_heads_the_queue(
        client: TestClient, runtime: Runtime, clock: FixedClock, handler: dict[str, str],
        care: dict[str, str]) -> None:
    contact_id = record_crime(client, handler)
    loop = TimerLoop(runtime, timer_handlers())
    victim_id = victim_of(client, care, contact_id)["id"]
    clock.set(datetime(2026, 3, 17, 23, 59, tzinfo=UTC))
    loop.run_once()
    care = api_headers(client, runtime, Role.VICTIM_CARE)  # a new shift signs in
    victim = client.get(f"/api/victims/{victim_id}", headers=care).json()
    assert entitlement(victim, "support_referral")["state"] == "due"
    clock.set(datetime(2026, 3, 18, 0, 0, tzinfo=UTC))
    loop.run_once()
    queue = client.get("/api/victims/queue", headers=care).json()
    assert queue[0]["entitlement"]["code"] == "support_referral"
    assert queue[0]["entitlement"]["state"] == "overdue"


def test_staff_record_an_entitlement_given_in_person_and_it_leaves_the_queue(
        client: TestClient, runtime: Runtime, clock: FixedClock, handler: dict[str, str],
        care: dict[str, str]) -> None:
    contact_id = record_crime(client, handler)
    victim = victim_of(client, care, contact_id)
    referral = entitlement(victim, "support_referral")
    url = f"/api/victims/{victim['id']}/entitlements/{referral['id']}/outcome"
    response = client.post(url, headers=care, json={"outcome": "delivered",
                                                    "method": "in_person"})
    assert response.status_code == 200, response.text
    assert response.json()["state"] == "delivered"
    assert response.json()["method"] == "in_person"
    assert client.post(url, headers=care, json={"outcome": "declined"}).status_code == 409
    clock.set(datetime(2026, 3, 19, tzinfo=UTC))
    TimerLoop(runtime, timer_handlers()).run_once()
    care = api_headers(client, runtime, Role.VICTIM_CARE)
    queue = client.get("/api/victims/queue", headers=care).json()
    assert referral["id"] not in [item["entitlement"]["id"] for item in queue]


@pytest.mark.parametrize(("body", "field"), [
    ({"outcome": "not_applicable"}, "reason"),
    ({"outcome": "delivered"}, "method"),
    ({"outcome": "maybe"}, "outcome"),
    ({"outcome": "not_applicable", "reason": "<script>x</script>"}, "reason"),
])
def test_a_bad_outcome_names_the_field_and_changes_nothing(
        client: TestClient, handler: dict[str, str], care: dict[str, str],
        body: dict[str, str], field: str) -> None:
    victim = victim_of(client, care, record_crime(client, handler))
    owed = entitlement(victim, "leaflet")
    response = client.post(f"/api/victims/{victim['id']}/entitlements/{owed['id']}/outcome",
                           headers=care, json=body)
    assert response.status_code == 422
    assert response.json()["detail"][0]["field"] == field
    assert entitlement(client.get(f"/api/victims/{victim['id']}", headers=care).json(),
                       "leaflet")["state"] == "due"


@pytest.mark.parametrize(("body", "field"), [
    ({"contact_preference": "email"}, "email"),
    ({"contact_preference": "email", "email": "not-an-address"}, "email"),
    ({"contact_preference": "letter"}, "postal_address"),
    ({"contact_preference": "text", "phone": ""}, "phone"),
    ({"contact_preference": "pigeon"}, "contact_preference"),
    ({"contact_preference": "phone", "consent_given": "perhaps"}, "consent_given"),
])
def test_a_victim_with_no_usable_way_to_reach_them_is_refused_with_the_field(
        client: TestClient, handler: dict[str, str], care: dict[str, str],
        body: dict[str, str], field: str) -> None:
    victim = victim_of(client, care, record_crime(client, handler))
    response = client.put(f"/api/victims/{victim['id']}/details", headers=care, json=body)
    assert response.status_code == 422
    assert field in [d["field"] for d in response.json()["detail"]]


def test_every_read_and_change_of_a_victim_is_audited_with_its_purpose(
        client: TestClient, runtime: Runtime, handler: dict[str, str],
        care: dict[str, str]) -> None:
    victim = victim_of(client, care, record_crime(client, handler))
    client.put(f"/api/victims/{victim['id']}/details", headers=care,
               json={"contact_preference": "letter", "postal_address": "1 Mill Lane"})
    with runtime.database.transaction() as session:
        entries = session.scalars(select(AuditEntry).where(
            AuditEntry.subject_type == "victim",
            AuditEntry.subject_id == str(victim["id"]))).all()
        actions = [(e.action, e.actor_role) for e in entries]
        assert (AuditAction.CREATE, "call_handler") in actions
        assert (AuditAction.READ, "victim_care") in actions
        assert (AuditAction.UPDATE, "victim_care") in actions
        assert all(e.purpose for e in entries)
        queue_reads = session.scalars(select(AuditEntry).where(
            AuditEntry.subject_type == "victim_queue")).all()
        assert queue_reads and victim["id"] in queue_reads[-1].detail["victim_ids"]


@pytest.mark.parametrize("role", list(Role))
def test_only_victim_care_and_admin_read_and_change_victims(
        client: TestClient, runtime: Runtime, role: Role) -> None:
    headers = api_headers(client, runtime, role)
    allowed = role in (Role.VICTIM_CARE, Role.ADMIN)
    assert client.get("/api/victims/queue", headers=headers).status_code == (
        200 if allowed else 403)
    assert client.put("/api/victims/1/details", headers=headers, json={
        "contact_preference": "phone"}).status_code == (404 if allowed else 403)
    compliance = client.get("/api/victims/compliance/figures", headers=headers).status_code
    assert compliance == (200 if role in (Role.VICTIM_CARE, Role.ADMIN, Role.QA_REVIEWER,
                                          Role.TEAM_LEADER) else 403)


def test_an_explicit_consent_referral_waits_for_the_victims_yes(
        client: TestClient, handler: dict[str, str], care: dict[str, str]) -> None:
    victim = victim_of(client, care, record_crime(client, handler, "CR-SEX"))
    referral = entitlement(victim, "support_referral")
    url = f"/api/victims/{victim['id']}/entitlements/{referral['id']}/outcome"
    given = {"outcome": "delivered", "method": "phone"}
    refused = client.post(url, headers=care, json=given)
    assert refused.status_code == 422 and refused.json()["detail"][0]["field"] == "outcome"
    assert client.put(f"/api/victims/{victim['id']}/details", headers=care, json={
        "contact_preference": "phone", "phone": "07700 900123",
        "consent_given": "yes"}).status_code == 200
    assert client.post(url, headers=care, json=given).status_code == 200


def test_a_victim_who_opted_out_is_not_referred(
        client: TestClient, handler: dict[str, str], care: dict[str, str]) -> None:
    victim = victim_of(client, care, record_crime(client, handler))
    client.put(f"/api/victims/{victim['id']}/details", headers=care, json={
        "contact_preference": "phone", "consent_given": "no"})
    referral = entitlement(victim, "support_referral")
    url = f"/api/victims/{victim['id']}/entitlements/{referral['id']}/outcome"
    assert client.post(url, headers=care, json={"outcome": "delivered",
                                                "method": "phone"}).status_code == 422
    assert client.post(url, headers=care, json={"outcome": "declined"}).status_code == 200


def test_the_queue_costs_the_same_queries_for_one_victim_or_five(
        client: TestClient, runtime: Runtime, handler: dict[str, str],
        care: dict[str, str]) -> None:
    def queries_for_queue() -> int:
        seen: list[str] = []

        def count(*args: object) -> None:
            seen.append(str(args[2]))

        event.listen(runtime.database.engine, "before_cursor_execute", count)
        try:
            service.queue(runtime, care_actor)
        finally:
            event.remove(runtime.database.engine, "before_cursor_execute", count)
        return len(seen)

    record_crime(client, handler)
    care_actor = create_staff(runtime, Role.VICTIM_CARE)
    one = queries_for_queue()
    for _ in range(4):
        record_crime(client, handler)
    assert queries_for_queue() == one
