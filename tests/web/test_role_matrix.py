"""Who may do what, stated as a table a supervisor can read, and checked against the real app.

Each row: a route and the roles allowed; every other role must get 403. Written out by hand
(not derived from ROLE_PERMISSIONS) so a change to the permissions that widens access fails
here until someone decides it is right.
"""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from firstcontact.platform.model import Role
from firstcontact.platform.runtime import Runtime
from tests.risk.flow import assess, new_contact
from tests.staff import api_headers

R = Role
FRONT_LINE = {R.CALL_HANDLER, R.DIGITAL_DESK, R.TEAM_LEADER, R.ADMIN}
READERS = FRONT_LINE | {R.DISPATCHER, R.QA_REVIEWER, R.VICTIM_CARE}
ASSESSORS = FRONT_LINE | {R.DISPATCHER}
VICTIM_CARE = {R.VICTIM_CARE, R.ADMIN}
COMPLIANCE = VICTIM_CARE | {R.TEAM_LEADER, R.QA_REVIEWER}
DESK = {R.DIGITAL_DESK, R.TEAM_LEADER, R.ADMIN}
PEOPLE = {R.CALL_HANDLER, R.DIGITAL_DESK, R.TEAM_LEADER, R.VICTIM_CARE, R.ADMIN}
REFERRERS = {R.TEAM_LEADER, R.VICTIM_CARE, R.ADMIN}
MISSING = {R.CALL_HANDLER, R.TEAM_LEADER, R.ADMIN}
MISSING_REVIEW = {R.TEAM_LEADER, R.ADMIN}
MERGERS = {R.TEAM_LEADER, R.ADMIN}
REPORT = {R.TEAM_LEADER, R.QA_REVIEWER, R.ADMIN}
TELEPHONY = {R.TEAM_LEADER, R.ADMIN}
QA = {R.QA_REVIEWER, R.TEAM_LEADER, R.ADMIN}
QA_FEEDBACK = {R.CALL_HANDLER, R.DIGITAL_DESK, R.DISPATCHER, R.TEAM_LEADER, R.ADMIN}

MATRIX: list[tuple[str, str, set[Role]]] = [
    ("GET", "/api/contacts", READERS),
    ("POST", "/api/contacts", FRONT_LINE),
    ("GET", "/api/contacts/{contact}", READERS),
    ("GET", "/api/contacts/{contact}/file", READERS),
    ("POST", "/api/contacts/{contact}/assessments", ASSESSORS),
    ("GET", "/api/incidents", READERS),
    ("GET", "/contacts", READERS),
    ("GET", "/contacts/new", FRONT_LINE),
    ("GET", "/contacts/{contact}", READERS),
    ("GET", "/incidents", READERS),
    ("GET", "/api/contacts/{contact}/harms", READERS),
    ("GET", "/api/victims/queue", VICTIM_CARE),
    ("GET", "/victims", VICTIM_CARE),
    ("GET", "/api/victims/compliance/figures", COMPLIANCE),
    ("GET", "/victims/compliance", COMPLIANCE),
    ("GET", "/victims/crimes?reference=C260314-000001", VICTIM_CARE),
    ("GET", "/victims/crimes/{contact}", VICTIM_CARE),
    ("POST", "/victims/crimes/{contact}", VICTIM_CARE),
    ("POST", "/api/victims/crimes/{contact}/victims", VICTIM_CARE),
    ("GET", "/desk", DESK),
    ("GET", "/api/people/offers", PEOPLE),
    ("GET", "/api/agencies", REFERRERS),
    ("GET", "/api/referrals", REFERRERS | {R.PARTNER_AGENCY}),
    ("POST", "/api/missing", MISSING),
    ("GET", "/api/missing/1", MISSING),
    ("POST", "/api/missing/1/found", MISSING),
    ("POST", "/api/missing/1/reviews", MISSING_REVIEW),
    ("POST", "/api/missing/1/return-interview", MISSING),
    ("GET", "/people/offers", PEOPLE),
    ("POST", "/people/offers/1/confirm", MERGERS),
    ("POST", "/people/offers/1/reject", MERGERS),
    ("GET", "/people/1", PEOPLE),
    ("POST", "/people/1/merges", MERGERS),
    ("POST", "/people/1/unmerge", MERGERS),
    ("GET", "/people/1/referrals/new", REFERRERS),
    ("POST", "/people/1/referrals/check", REFERRERS),
    ("POST", "/people/1/referrals", REFERRERS),
    ("GET", "/referrals", REFERRERS | {R.PARTNER_AGENCY}),
    ("POST", "/referrals/1/status", REFERRERS | {R.PARTNER_AGENCY}),
    ("GET", "/missing", MISSING),
    ("GET", "/missing/new", MISSING),
    ("POST", "/missing", MISSING),
    ("GET", "/missing/1", MISSING),
    ("POST", "/missing/1/reviews", MISSING_REVIEW),
    ("POST", "/missing/1/found", MISSING),
    ("POST", "/missing/1/return-interview", MISSING),
    ("GET", "/api/records/people/1/export?reason=role+matrix", {R.ADMIN}),
    ("GET", "/api/records/people/1/export?reason=role+matrix&format=pdf", {R.ADMIN}),
    ("GET", "/reports/service", REPORT),
    ("GET", "/reports/service.csv", REPORT),
    ("POST", "/api/telephony/calls", TELEPHONY),
    ("GET", "/reports/service/telephony", TELEPHONY),
    ("POST", "/reports/service/telephony", TELEPHONY),
    ("POST", "/api/quality/samples", QA),
    ("GET", "/api/quality/samples", QA),
    ("GET", "/api/quality/criteria", QA),
    ("POST", "/api/quality/samples/1/review", QA),
    ("GET", "/api/quality/reviews", QA),
    ("GET", "/api/quality/my-reviews", QA_FEEDBACK),
    ("GET", "/api/quality/reviews/1", QA | QA_FEEDBACK),
    ("POST", "/api/quality/reviews/1/acknowledge", QA_FEEDBACK),
    ("GET", "/api/quality/trends", QA),
    ("GET", "/quality", QA),
    ("GET", "/quality/samples/1", QA),
    ("GET", "/quality/reviews", QA_FEEDBACK),
]


@pytest.fixture
def contact_id(client: TestClient, runtime: Runtime) -> int:
    handler = api_headers(client, runtime, Role.CALL_HANDLER)
    contact = new_contact(client, handler)
    assess(client, handler, contact)
    return contact


@pytest.mark.parametrize("role", list(Role), ids=[r.value for r in Role])
def test_each_role_reaches_only_what_the_table_allows(
        client: TestClient, runtime: Runtime, contact_id: int, role: Role) -> None:
    headers = api_headers(client, runtime, role)
    refused: list[tuple[str, str, int]] = []
    allowed: list[tuple[str, str, int]] = []
    for method, template, roles in MATRIX:
        path = template.format(contact=contact_id)
        body: dict[str, str] | None = {} if method == "POST" else None
        status = client.request(method, path, headers=headers, json=body,
                                follow_redirects=False).status_code
        if role in roles:
            allowed.append((method, path, status))
        else:
            refused.append((method, path, status))
    assert all(status == 403 for *_, status in refused), refused
    assert all(status != 403 and status < 500 for *_, status in allowed), allowed


def test_a_partner_agency_reaches_nothing_in_the_control_room(
        client: TestClient, runtime: Runtime, contact_id: int) -> None:
    """Only its own referrals (people tests check the filtering); nothing else at all."""
    headers = api_headers(client, runtime, Role.PARTNER_AGENCY)
    for method, template, roles in MATRIX:
        if Role.PARTNER_AGENCY in roles:
            continue
        path = template.format(contact=contact_id)
        response = client.request(method, path, headers=headers,
                                  json={} if method == "POST" else None)
        assert response.status_code == 403, (method, path)
        assert "Karen" not in response.text and "Sam Patel" not in response.text
