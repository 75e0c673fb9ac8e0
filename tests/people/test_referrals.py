"""Partner agencies and referrals: minimised extracts, lawful basis, a partner-agency user sees
only their own agency's referrals, and every disclosure is audited (SQLite and PostgreSQL)."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import select

from firstcontact.people.tables import AgencyMemberRow
from firstcontact.platform.audit import AuditEntry
from firstcontact.platform.model import Role
from firstcontact.platform.runtime import Runtime
from tests.people.test_linking import caller, person_of
from tests.risk.flow import new_contact
from tests.staff import PASSWORD, api_headers, create_staff


def partner_user(client: TestClient, runtime: Runtime, admin: dict[str, str],
                 agency_id: int) -> dict[str, str]:
    actor = create_staff(runtime, Role.PARTNER_AGENCY)
    added = client.post(f"/api/agencies/{agency_id}/members", headers=admin,
                        json={"user_id": actor.user_id})
    assert added.status_code == 204, added.text
    token = client.post("/api/session", json={"username": actor.username,
                                              "password": PASSWORD}).json()["token"]
    return {"Authorization": f"Bearer {token}"}


def agency(client: TestClient, admin: dict[str, str], name: str, kind: str) -> int:
    response = client.post("/api/agencies", headers=admin,
                           json={"name": name, "agency_type": kind})
    assert response.status_code == 201, response.text
    agency_id: int = response.json()["id"]
    return agency_id


def test_a_partner_sees_only_referrals_to_their_agency(client: TestClient,
                                                       runtime: Runtime) -> None:
    admin = api_headers(client, runtime, Role.ADMIN)
    leader = api_headers(client, runtime, Role.TEAM_LEADER)
    handler = api_headers(client, runtime, Role.CALL_HANDLER)
    housing = agency(client, admin, "Anytown Housing", "housing")
    slavery = agency(client, admin, "Modern Slavery Helpline", "modern_slavery_helpline")
    person = person_of(runtime, new_contact(client, handler, **caller("Sam Patel",
                                                                      "07700 900123")))
    to_housing = client.post("/api/referrals", headers=leader, json={
        "person_id": person, "agency_id": housing, "reason": "Sleeping in a car",
        "lawful_basis": "consent"})
    assert to_housing.status_code == 201, to_housing.text
    # Housing needs no phone number: the extract leaves it out.
    assert to_housing.json()["extract"] == {"given_name": "sam", "surname": "patel"}
    to_slavery = client.post("/api/referrals", headers=leader, json={
        "person_id": person, "agency_id": slavery, "reason": "Cues of forced labour",
        "lawful_basis": "vital_interests"})
    assert to_slavery.json()["extract"] == {"given_name": "sam", "phone": "+447700900123"}

    partner = partner_user(client, runtime, admin, housing)
    seen = client.get("/api/referrals", headers=partner).json()
    assert [r["agency_id"] for r in seen] == [housing]
    other = to_slavery.json()["id"]
    assert client.post(f"/api/referrals/{other}/status", headers=partner,
                       json={"status": "accepted"}).status_code == 404
    accepted = client.post(f"/api/referrals/{seen[0]['id']}/status", headers=partner,
                           json={"status": "accepted"})
    assert accepted.json()["status"] == "accepted"
    # ...and nothing else in the force.
    for path in (f"/api/people/{person}", "/api/people/offers", "/api/agencies",
                 "/api/contacts", "/api/incidents"):
        assert client.get(path, headers=partner).status_code == 403, path
    unassigned = api_headers(client, runtime, Role.PARTNER_AGENCY)
    assert client.get("/api/referrals", headers=unassigned).json() == []
    with runtime.database.transaction() as session:
        disclosures = session.scalars(select(AuditEntry).where(
            AuditEntry.action == "disclose")).all()
    assert len(disclosures) == 3  # two referrals made, one read by the partner
    assert disclosures[0].detail["lawful_basis"] == "consent"
    assert disclosures[2].actor_role == "partner_agency"


def test_a_referral_needs_a_lawful_basis_and_a_reason(client: TestClient,
                                                      runtime: Runtime) -> None:
    admin = api_headers(client, runtime, Role.ADMIN)
    leader = api_headers(client, runtime, Role.TEAM_LEADER)
    handler = api_headers(client, runtime, Role.CALL_HANDLER)
    housing = agency(client, admin, "Anytown Housing", "housing")
    person = person_of(runtime, new_contact(client, handler))
    cases: list[tuple[dict[str, object], str]] = [
        ({"reason": "Homeless"}, "lawful_basis"),
        ({"reason": "Homeless", "lawful_basis": "because"}, "lawful_basis"),
        ({"lawful_basis": "consent"}, "reason"),
        ({"reason": "x", "lawful_basis": "consent", "agency_id": 999}, "agency_id")]
    for body, field in cases:
        sent: dict[str, object] = {"person_id": person, "agency_id": housing}
        response = client.post("/api/referrals", headers=leader, json=sent | body)
        assert response.status_code == 422, body
        assert response.json()["detail"][0]["field"] == field
    bad_type = client.post("/api/agencies", headers=admin,
                           json={"name": "X", "agency_type": "astrologers"})
    assert bad_type.json()["detail"][0]["field"] == "agency_type"
    twice = client.post("/api/agencies", headers=admin,
                        json={"name": "Anytown Housing", "agency_type": "housing"})
    assert twice.json()["detail"][0]["field"] == "name"
    bad_status = client.post("/api/referrals/1/status", headers=leader, json={"status": "lost"})
    assert bad_status.json()["detail"][0]["field"] == "status"
    with runtime.database.transaction() as session:
        assert session.scalars(select(AuditEntry).where(
            AuditEntry.action == "disclose")).all() == []


def test_who_may_refer_and_manage_agencies(client: TestClient, runtime: Runtime) -> None:
    for role in Role:
        headers = api_headers(client, runtime, role)
        may_refer = role in {Role.TEAM_LEADER, Role.VICTIM_CARE, Role.ADMIN}
        listed = client.get("/api/agencies", headers=headers)
        assert (listed.status_code == 200) is may_refer, role
        made = client.post("/api/agencies", headers=headers,
                           json={"name": f"Agency {role.value}", "agency_type": "housing"})
        assert (made.status_code == 201) is (role is Role.ADMIN), role


def test_a_member_who_is_not_a_partner_agency_user_is_refused(client: TestClient,
                                                              runtime: Runtime) -> None:
    """Issue 6: a user id no column can hold was a database error (500); an unknown user was a
    foreign-key failure on PostgreSQL. Both are now "not found", and nothing is stored."""
    admin = api_headers(client, runtime, Role.ADMIN)
    housing = agency(client, admin, "Anytown Housing", "housing")
    for user_id in (2**31, 2**63, 0, 987654):
        response = client.post(f"/api/agencies/{housing}/members", headers=admin,
                               json={"user_id": user_id})
        assert (response.status_code, response.json()) == (
            404, {"detail": f"user {user_id}"}), user_id
    handler = create_staff(runtime, Role.CALL_HANDLER)
    response = client.post(f"/api/agencies/{housing}/members", headers=admin,
                           json={"user_id": handler.user_id})
    assert response.status_code == 422
    assert response.json()["detail"][0]["field"] == "user_id"
    huge_agency = client.post(f"/api/agencies/{2**40}/members", headers=admin,
                              json={"user_id": handler.user_id})
    assert huge_agency.status_code == 422
    assert huge_agency.json()["detail"][0]["field"] == "agency_id"
    with runtime.database.transaction() as session:
        assert session.scalars(select(AgencyMemberRow)).all() == []
