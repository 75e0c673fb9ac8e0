"""Live linking: each new contact's caller is filed under a Person, likely matches are offered
to staff, and staff merge and unmerge People, each audited. Runs on SQLite and PostgreSQL."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from firstcontact.people import policy
from firstcontact.people.tables import MatchOfferRow, PersonRecordRow
from firstcontact.platform.audit import AuditEntry
from firstcontact.platform.model import Role
from firstcontact.platform.runtime import Runtime
from tests.risk.flow import new_contact
from tests.staff import api_headers

MATCHING = policy.matching()


def person_of(rt: Runtime, contact_id: int) -> int:
    with rt.database.transaction() as session:
        person_id = session.scalars(select(PersonRecordRow.person_id).where(
            PersonRecordRow.contact_id == contact_id)).one()
        return int(person_id)


def caller(name: str, phone: str) -> dict[str, Any]:
    return {"caller": {"name": name, "phone": phone, "relationship": "victim"}}


def test_a_repeat_caller_is_linked_automatically_and_audited(client: TestClient,
                                                             runtime: Runtime) -> None:
    handler = api_headers(client, runtime, Role.CALL_HANDLER)
    first = new_contact(client, handler, **caller("Sam Patel", "07700 900123"))
    second = new_contact(client, handler, **caller("Samuel PATEL", "+44 7700 900123"))
    stranger = new_contact(client, handler, **caller("Jo Bloggs", "07700 900999"))
    assert person_of(runtime, first) == person_of(runtime, second)
    assert person_of(runtime, stranger) != person_of(runtime, first)
    with runtime.database.transaction() as session:
        assert session.scalars(select(MatchOfferRow)).all() == []
        linked = session.scalars(select(AuditEntry).where(
            AuditEntry.subject_type == "person", AuditEntry.action == "update")).all()
    assert [entry.detail["contact_id"] for entry in linked] == [second]
    assert "phone agree (+7.0)" in linked[0].detail["explanation"]
    person = client.get(f"/api/people/{person_of(runtime, first)}", headers=handler)
    assert person.status_code == 200
    assert [r["contact_id"] for r in person.json()["records"]] == [first, second]


def test_a_key_shared_by_more_records_than_the_block_limit_is_skipped(
        client: TestClient, runtime: Runtime, monkeypatch: pytest.MonkeyPatch) -> None:
    """A very common name or number is no help in telling people apart, and comparing a new
    caller with everyone who shares it would make intake slow: past max_block_size records a
    key finds no one (the fourth call here finds no one, so is filed as someone new)."""
    monkeypatch.setattr(policy, "matching", lambda: replace(MATCHING, max_block_size=2))
    handler = api_headers(client, runtime, Role.CALL_HANDLER)
    calls = [new_contact(client, handler, **caller("Sam Patel", "07700 900123"))
             for _ in range(4)]
    people = [person_of(runtime, contact_id) for contact_id in calls]
    assert people[0] == people[1] == people[2]
    assert people[3] != people[0]
    with runtime.database.transaction() as session:
        assert session.scalars(select(MatchOfferRow)).all() == []


def test_a_likely_match_is_offered_and_staff_decide(client: TestClient,
                                                    runtime: Runtime) -> None:
    handler = api_headers(client, runtime, Role.CALL_HANDLER)
    leader = api_headers(client, runtime, Role.TEAM_LEADER)
    first = new_contact(client, handler, **caller("Sam Patel", "07700 900123"))
    second = new_contact(client, handler, **caller("Sam Patel", "07700 900456"))
    # Same name, different phone: not linked on its own, but offered.
    assert person_of(runtime, first) != person_of(runtime, second)
    offers = client.get("/api/people/offers", headers=handler).json()
    assert len(offers) == 1
    assert offers[0]["candidate_person_id"] == person_of(runtime, first)
    assert "phone disagree" in offers[0]["explanation"]
    refused = client.post(f"/api/people/offers/{offers[0]['id']}/confirm", headers=handler)
    assert refused.status_code == 403
    confirmed = client.post(f"/api/people/offers/{offers[0]['id']}/confirm", headers=leader)
    assert confirmed.status_code == 200, confirmed.text
    assert person_of(runtime, second) == person_of(runtime, first)
    again = client.post(f"/api/people/offers/{offers[0]['id']}/reject", headers=leader)
    assert again.status_code == 409
    assert client.get("/api/people/offers", headers=handler).json() == []
    # Wrongly merged after all: undo it.
    merged_away = offers[0]["person_id"]
    undone = client.post(f"/api/people/{merged_away}/unmerge", headers=leader,
                         json={"reason": "Different dates of birth on the PNC"})
    assert undone.status_code == 200, undone.text
    assert [r["contact_id"] for r in undone.json()["records"]] == [second]
    assert person_of(runtime, first) != person_of(runtime, second)


def test_merge_and_unmerge_refuse_what_makes_no_sense(client: TestClient,
                                                      runtime: Runtime) -> None:
    handler = api_headers(client, runtime, Role.CALL_HANDLER)
    leader = api_headers(client, runtime, Role.TEAM_LEADER)
    one = person_of(runtime, new_contact(client, handler, **caller("Ann Lee", "07700 900111")))
    two = person_of(runtime, new_contact(client, handler, **caller("Bo Chan", "07700 900222")))
    itself = client.post("/api/people/merges", headers=leader,
                         json={"keep_person_id": one, "merge_person_id": one, "reason": "x"})
    assert itself.status_code == 422
    assert itself.json()["detail"][0]["field"] == "merge_person_id"
    no_reason = client.post("/api/people/merges", headers=leader,
                            json={"keep_person_id": one, "merge_person_id": two, "reason": " "})
    assert no_reason.json()["detail"][0]["field"] == "reason"
    never = client.post(f"/api/people/{two}/unmerge", headers=leader, json={"reason": "oops"})
    assert never.status_code == 422
    assert never.json()["detail"][0]["field"] == "person_id"
    absent = client.post("/api/people/merges", headers=leader,
                         json={"keep_person_id": one, "merge_person_id": 99999, "reason": "x"})
    assert absent.status_code == 404
    done = client.post("/api/people/merges", headers=leader,
                       json={"keep_person_id": one, "merge_person_id": two, "reason": "Same"})
    assert done.status_code == 201
    twice = client.post("/api/people/merges", headers=leader,
                        json={"keep_person_id": one, "merge_person_id": two, "reason": "Same"})
    assert twice.status_code == 409


def test_who_may_see_and_merge_people(client: TestClient, runtime: Runtime) -> None:
    handler = api_headers(client, runtime, Role.CALL_HANDLER)
    person = person_of(runtime, new_contact(client, handler, **caller("Ann Lee", "07700 900111")))
    body = {"keep_person_id": person, "merge_person_id": person + 1, "reason": "x"}
    for role in Role:
        headers = api_headers(client, runtime, role)
        may_read = role in {Role.CALL_HANDLER, Role.DIGITAL_DESK, Role.TEAM_LEADER,
                            Role.VICTIM_CARE, Role.ADMIN}
        assert client.get(f"/api/people/{person}", headers=headers).status_code == (
            200 if may_read else 403), role
        may_merge = role in {Role.TEAM_LEADER, Role.ADMIN}
        merged = client.post("/api/people/merges", headers=headers, json=body)
        assert (merged.status_code == 403) is not may_merge, role
