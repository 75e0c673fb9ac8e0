"""Referral pages: refer from a person's page, seeing the minimised extract before sending;
the list with status changes; a partner-agency user's page holding only their agency's
referrals. Real HTTP with the cookie and CSRF token, on SQLite and PostgreSQL."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlalchemy import select

from firstcontact.platform.audit import AuditEntry
from firstcontact.platform.model import Role
from firstcontact.platform.runtime import Runtime
from tests.people.test_linking import caller, person_of
from tests.people.test_referrals import agency
from tests.risk.flow import new_contact
from tests.staff import PASSWORD, api_headers, create_staff, csrf_token_on, login_token


def setting_up(client: TestClient, runtime: Runtime) -> tuple[int, int, int]:
    """A person and two agencies (housing, the modern slavery line)."""
    admin = api_headers(client, runtime, Role.ADMIN)
    handler = api_headers(client, runtime, Role.CALL_HANDLER)
    person = person_of(runtime, new_contact(client, handler, **caller("Sam Patel",
                                                                      "07700 900123")))
    return (person, agency(client, admin, "Anytown Housing", "housing"),
            agency(client, admin, "Modern Slavery Helpline", "modern_slavery_helpline"))


def signed_in_as(client: TestClient, runtime: Runtime, role: Role,
                 agency_id: int | None = None) -> str:
    actor = create_staff(runtime, role)
    if agency_id is not None:
        admin = api_headers(client, runtime, Role.ADMIN)
        assert client.post(f"/api/agencies/{agency_id}/members", headers=admin,
                           json={"user_id": actor.user_id}).status_code == 204
    client.cookies.clear()
    token = login_token(client)
    client.post("/login", data={"username": actor.username, "password": PASSWORD,
                                "login_token": token, "next": "/home"})
    return csrf_token_on(client.get("/home").text)


def test_the_extract_is_shown_before_it_is_sent_and_only_then_disclosed(
        client: TestClient, runtime: Runtime) -> None:
    person, housing, _ = setting_up(client, runtime)
    csrf = signed_in_as(client, runtime, Role.TEAM_LEADER)
    form = client.get(f"/people/{person}/referrals/new")
    assert form.status_code == 200 and "Anytown Housing (Housing)" in form.text
    fields = {"csrf_token": csrf, "agency_id": str(housing), "reason": "Sleeping in a car",
              "lawful_basis": "consent"}
    check = client.post(f"/people/{person}/referrals/check", data=fields)
    assert check.status_code == 200
    extract = check.text[check.text.index('id="extract"'):check.text.index("</dl>")]
    assert "sam" in extract and "patel" in extract
    assert "+447700900123" not in check.text  # housing gets no phone number
    with runtime.database.transaction() as session:
        assert session.scalars(select(AuditEntry).where(
            AuditEntry.action == "disclose")).all() == []
    sent = client.post(f"/people/{person}/referrals", data=fields, follow_redirects=False)
    assert sent.status_code == 303
    listing = client.get(sent.headers["location"])
    assert "Referral 1 to Anytown Housing" in listing.text and ">Sent<" in listing.text
    with runtime.database.transaction() as session:
        [disclosed] = session.scalars(select(AuditEntry).where(
            AuditEntry.action == "disclose")).all()
    assert disclosed.detail["lawful_basis"] == "consent"
    assert disclosed.detail["fields"] == ["given_name", "surname"]


def test_a_referral_without_a_lawful_basis_or_agency_is_refused_by_field(
        client: TestClient, runtime: Runtime) -> None:
    person, _, _ = setting_up(client, runtime)
    csrf = signed_in_as(client, runtime, Role.VICTIM_CARE)
    refused = client.post(f"/people/{person}/referrals/check", data={
        "csrf_token": csrf, "agency_id": "", "reason": "<script>x</script>",
        "lawful_basis": ""})
    assert refused.status_code == 422
    summary = refused.text[refused.text.index("govuk-error-summary"):]
    assert 'href="#agency_id"' in summary and 'href="#lawful_basis"' in summary
    assert 'href="#reason">Must not contain HTML or script' in summary
    assert "<script>x</script>" not in refused.text
    sent_anyway = client.post(f"/people/{person}/referrals", data={
        "csrf_token": csrf, "agency_id": "1", "reason": "Needs help", "lawful_basis": ""})
    assert sent_anyway.status_code == 422
    with runtime.database.transaction() as session:
        assert session.scalars(select(AuditEntry).where(
            AuditEntry.action == "disclose")).all() == []


def test_a_partner_sees_only_their_agency_and_moves_the_status_on(client: TestClient,
                                                                 runtime: Runtime) -> None:
    person, housing, slavery = setting_up(client, runtime)
    leader = api_headers(client, runtime, Role.TEAM_LEADER)
    for agency_id, basis in ((housing, "consent"), (slavery, "vital_interests")):
        assert client.post("/api/referrals", headers=leader, json={
            "person_id": person, "agency_id": agency_id, "reason": "Needs help",
            "lawful_basis": basis}).status_code == 201
    csrf = signed_in_as(client, runtime, Role.PARTNER_AGENCY, housing)
    home = client.get("/home").text
    assert 'href="/referrals"' in home and 'href="/contacts"' not in home
    page = client.get("/referrals")
    assert "Referrals made to your agency" in page.text
    assert re.findall(r"Referral \d+ to ([^<]+)<", page.text) == ["Anytown Housing"]
    assert "+447700900123" not in page.text
    other = client.post("/referrals/2/status", data={"csrf_token": csrf, "status": "accepted"})
    assert other.status_code == 404
    bad = client.post("/referrals/1/status", data={"csrf_token": csrf, "status": "lost"})
    assert bad.status_code == 422 and 'href="#status-1">Select one of' in bad.text
    moved = client.post("/referrals/1/status", data={"csrf_token": csrf,
                                                     "status": "accepted"},
                        follow_redirects=False)
    assert moved.status_code == 303
    assert ">Accepted<" in client.get("/referrals").text
    assert client.get(f"/people/{person}").status_code == 403
    assert client.get(f"/people/{person}/referrals/new").status_code == 403
    with runtime.database.transaction() as session:
        partner_rows = session.scalars(select(AuditEntry).where(
            AuditEntry.actor_role == "partner_agency",
            AuditEntry.subject_type.in_(("person", "referral")))).all()
    assert {e.action for e in partner_rows} == {"disclose", "update"}
    assert all(e.detail.get("referral", 1) == 1 for e in partner_rows)
