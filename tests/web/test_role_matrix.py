"""Who may do what, stated as a table a supervisor can read, and checked against the real app.

Each row: a route and the roles allowed; every other role must get 403. Written out by hand
(not derived from ROLE_PERMISSIONS) so a change to the permissions that widens access fails
here until someone decides it is right. Every route the app serves must be in the table (or in
PUBLIC, the routes that need no sign-in): a new route fails
`test_every_route_of_the_app_is_in_the_table` until its row is written.
"""

from __future__ import annotations

import pytest
from fastapi.routing import iter_route_contexts
from fastapi.testclient import TestClient
from starlette.websockets import WebSocketDisconnect

from firstcontact.platform.model import Role
from firstcontact.platform.runtime import Runtime
from tests.web.world import World, build_world

R = Role
EVERYONE = set(Role)
"""Any signed-in member of staff: their own session and home page."""
FRONT_LINE = {R.CALL_HANDLER, R.DIGITAL_DESK, R.TEAM_LEADER, R.ADMIN}
READERS = FRONT_LINE | {R.DISPATCHER, R.QA_REVIEWER, R.VICTIM_CARE}
ASSESSORS = FRONT_LINE | {R.DISPATCHER}
DISPATCH = {R.DISPATCHER, R.TEAM_LEADER, R.ADMIN}
LEADERS = {R.TEAM_LEADER, R.ADMIN}
VICTIM_CARE = {R.VICTIM_CARE, R.ADMIN}
COMPLIANCE = VICTIM_CARE | {R.TEAM_LEADER, R.QA_REVIEWER}
DESK = {R.DIGITAL_DESK, R.TEAM_LEADER, R.ADMIN}
DESK_ONLY = {R.DIGITAL_DESK, R.ADMIN}
PEOPLE = {R.CALL_HANDLER, R.DIGITAL_DESK, R.TEAM_LEADER, R.VICTIM_CARE, R.ADMIN}
REFERRERS = {R.TEAM_LEADER, R.VICTIM_CARE, R.ADMIN}
REFERRAL_READERS = REFERRERS | {R.PARTNER_AGENCY}
MISSING = {R.CALL_HANDLER, R.TEAM_LEADER, R.ADMIN}
ADMIN = {R.ADMIN}
REPORT = {R.TEAM_LEADER, R.QA_REVIEWER, R.ADMIN}
QA = {R.QA_REVIEWER, R.TEAM_LEADER, R.ADMIN}
QA_FEEDBACK = {R.CALL_HANDLER, R.DIGITAL_DESK, R.DISPATCHER, R.TEAM_LEADER, R.ADMIN}

PUBLIC: set[tuple[str, str]] = {
    ("GET", "/"), ("GET", "/health"), ("GET", "/docs"), ("GET", "/openapi.json"),
    ("GET", "/login"), ("POST", "/login"), ("POST", "/api/session"),
    ("GET", "/report"), ("POST", "/report/start"), ("GET", "/report/check"),
    ("POST", "/report/check"), ("GET", "/report/sent"), ("GET", "/report/{slug}"),
    ("POST", "/report/{slug}"),
    ("GET", "/chat"), ("POST", "/api/chat/start"), ("WS", "/chat/socket"),
    ("GET", "/api/webhooks/meta"), ("POST", "/api/webhooks/meta"),
    ("GET", "/api/webhooks/x"), ("POST", "/api/webhooks/x"),
    ("GET", "/metrics"),  # for the monitoring system: its token or loopback (test_metrics.py)
}
"""Routes for the public and for the platforms: no sign-in, and no record of anyone's in them."""

ENDS_THE_SESSION = {("POST", "/logout"), ("POST", "/account/sessions/end-all"),
                    ("DELETE", "/api/session"), ("DELETE", "/api/session/all")}
"""Walked last, since they sign the walker out."""

MATRIX: list[tuple[str, str, set[Role]]] = [
    # signing in and out, and a person's own sessions
    ("GET", "/home", EVERYONE),
    ("GET", "/api/session", EVERYONE),
    ("GET", "/account/sessions", EVERYONE),
    ("POST", "/logout", EVERYONE),
    ("POST", "/account/sessions/end-all", EVERYONE),
    ("DELETE", "/api/session", EVERYONE),
    ("DELETE", "/api/session/all", EVERYONE),
    # contacts
    ("GET", "/api/contacts", READERS),
    ("POST", "/api/contacts", FRONT_LINE),
    ("GET", "/api/contacts/{contact_id}", READERS),
    ("GET", "/api/contacts/{contact_id}/file", READERS),
    ("GET", "/contacts", READERS),
    ("GET", "/contacts/new", FRONT_LINE),
    ("POST", "/contacts/new", FRONT_LINE),
    ("GET", "/contacts/{contact_id:int}", READERS),
    # THRIVE, determination and re-THRIVE
    ("POST", "/api/contacts/{contact_id}/assessments", ASSESSORS),
    ("POST", "/api/contacts/{contact_id}/determination", ASSESSORS),
    ("GET", "/contacts/{contact_id:int}/assess", ASSESSORS),
    ("POST", "/contacts/{contact_id:int}/assess", ASSESSORS),
    ("GET", "/contacts/{contact_id:int}/determination", ASSESSORS),
    ("POST", "/contacts/{contact_id:int}/determination", ASSESSORS),
    ("POST", "/api/incidents/{incident_id}/reviews", DISPATCH),
    ("GET", "/incidents/{incident_id:int}/review", DISPATCH),
    ("POST", "/incidents/{incident_id:int}/review", DISPATCH),
    ("POST", "/api/incidents/{incident_id}/finalise", DISPATCH),
    ("POST", "/api/incidents/{incident_id}/reopen", DISPATCH),
    ("GET", "/incidents/{incident_id:int}/finalise", DISPATCH),
    ("POST", "/incidents/{incident_id:int}/finalise", DISPATCH),
    ("GET", "/incidents/{incident_id:int}/reopen", DISPATCH),
    ("POST", "/incidents/{incident_id:int}/reopen", DISPATCH),
    # incidents, units and the live queues
    ("GET", "/api/incidents", READERS),
    ("GET", "/api/incidents/reviews-due", READERS),
    ("GET", "/api/incidents/{incident_id}", READERS),
    ("GET", "/api/incidents/{incident_id}/timeline", READERS),
    ("POST", "/api/incidents/{incident_id}/status", DISPATCH),
    ("POST", "/api/incidents/{incident_id}/grade", LEADERS),
    ("POST", "/api/incidents/{incident_id}/units", DISPATCH),
    ("GET", "/incidents", READERS),
    ("GET", "/incidents/reviews", READERS),
    ("GET", "/incidents/{incident_id:int}", READERS),
    ("POST", "/incidents/{incident_id:int}/status", DISPATCH),
    ("POST", "/incidents/{incident_id:int}/units", DISPATCH),
    ("POST", "/incidents/{incident_id:int}/leader", LEADERS),
    ("POST", "/incidents/{incident_id:int}/grade", LEADERS),
    ("POST", "/incidents/{incident_id:int}/units/{unit_id:int}/reassign", LEADERS),
    ("GET", "/api/units", READERS),
    ("POST", "/api/units/{unit_id}/status", DISPATCH),
    ("POST", "/api/units/{unit_id}/release", DISPATCH),
    ("POST", "/api/units/{unit_id}/reassign", LEADERS),
    ("GET", "/units", READERS),
    ("POST", "/units/{unit_id:int}/status", DISPATCH),
    ("POST", "/units/{unit_id:int}/release", DISPATCH),
    ("GET", "/demand/queue", READERS),
    ("GET", "/demand/queue/fragment", READERS),
    ("GET", "/demand/stream", READERS),
    ("GET", "/demand/overview", LEADERS),
    # hidden harms
    ("GET", "/api/contacts/{contact_id}/harms", READERS),
    ("POST", "/api/contacts/{contact_id}/harms/{finding_id}/decision", FRONT_LINE),
    ("POST", "/api/contacts/{contact_id}/harms/scan", READERS),
    ("GET", "/contacts/{contact_id:int}/harms", READERS),
    ("POST", "/contacts/{contact_id:int}/harms/{finding_id:int}", FRONT_LINE),
    # victims
    ("GET", "/api/victims/queue", VICTIM_CARE),
    ("GET", "/api/victims/{victim_id:int}", VICTIM_CARE),
    ("PUT", "/api/victims/{victim_id:int}/details", VICTIM_CARE),
    ("POST", "/api/victims/{victim_id:int}/entitlements/{entitlement_id:int}/outcome",
     VICTIM_CARE),
    ("GET", "/api/victims/compliance/figures", COMPLIANCE),
    ("GET", "/api/victims/compliance/figures.csv", COMPLIANCE),
    ("GET", "/api/victims/compliance/behind", VICTIM_CARE),  # names the victims
    ("GET", "/victims", VICTIM_CARE),
    ("GET", "/victims/{victim_id:int}", VICTIM_CARE),
    ("POST", "/victims/{victim_id:int}/details", VICTIM_CARE),
    ("POST", "/victims/{victim_id:int}/entitlements/{entitlement_id:int}", VICTIM_CARE),
    ("GET", "/victims/{victim_id:int}/letter", VICTIM_CARE),
    ("GET", "/victims/{victim_id:int}/letter.pdf", VICTIM_CARE),
    ("POST", "/victims/{victim_id:int}/letter", VICTIM_CARE),
    ("GET", "/victims/compliance", COMPLIANCE),
    ("GET", "/victims/compliance.csv", COMPLIANCE),
    ("GET", "/victims/compliance/behind", VICTIM_CARE),  # names the victims
    # the digital desk
    ("GET", "/desk", DESK),
    ("POST", "/desk/{contact_id:int}/replied", DESK),
    ("GET", "/desk/{contact_id:int}/email", DESK),
    ("POST", "/desk/{contact_id:int}/email", DESK),
    ("GET", "/desk/{contact_id:int}/social", DESK),
    ("POST", "/desk/{contact_id:int}/social", DESK_ONLY),
    ("GET", "/api/social/conversations", READERS),
    ("GET", "/api/social/conversations/{conversation_id}", READERS),
    ("POST", "/api/social/conversations/{conversation_id}/replies", DESK_ONLY),
    ("GET", "/desk/chat", DESK_ONLY),
    ("WS", "/desk/chat/socket", DESK_ONLY),
    # people, partner agencies and referrals
    ("GET", "/api/people/offers", PEOPLE),
    ("POST", "/api/people/offers/{offer_id}/confirm", LEADERS),
    ("POST", "/api/people/offers/{offer_id}/reject", LEADERS),
    ("POST", "/api/people/merges", LEADERS),
    ("POST", "/api/people/{person_id}/unmerge", LEADERS),
    ("POST", "/api/people/{person_id}/plans", LEADERS),
    ("GET", "/api/people/{person_id}", PEOPLE),
    ("GET", "/people/contacts/{contact_id:int}/history", PEOPLE),
    ("POST", "/api/agencies", ADMIN),
    ("GET", "/api/agencies", REFERRERS),
    ("POST", "/api/agencies/{agency_id}/members", ADMIN),
    ("POST", "/api/referrals", REFERRERS),
    ("GET", "/api/referrals", REFERRAL_READERS),
    ("POST", "/api/referrals/{referral_id}/status", REFERRAL_READERS),
    # missing people
    ("POST", "/api/missing", MISSING),
    ("GET", "/api/missing/{report_id}", MISSING),
    ("POST", "/api/missing/{report_id}/found", MISSING),
    ("POST", "/api/missing/{report_id}/reviews", LEADERS),
    ("POST", "/api/missing/{report_id}/return-interview", MISSING),
    ("GET", "/missing", MISSING),
    ("GET", "/missing/new", MISSING),
    ("POST", "/missing", MISSING),
    ("GET", "/missing/{report_id:int}", MISSING),
    ("POST", "/missing/{report_id:int}/found", MISSING),
    ("POST", "/missing/{report_id:int}/return-interview", MISSING),
    ("POST", "/missing/{report_id:int}/reviews", LEADERS),
    # the people pages and referrals
    ("GET", "/people/offers", PEOPLE),
    ("POST", "/people/offers/{offer_id:int}/{decision}", LEADERS),
    ("GET", "/people/{person_id:int}", PEOPLE),
    ("POST", "/people/{person_id:int}/merges", LEADERS),
    ("POST", "/people/{person_id:int}/unmerge", LEADERS),
    ("GET", "/people/{person_id:int}/referrals/new", REFERRERS),
    ("POST", "/people/{person_id:int}/referrals/check", REFERRERS),
    ("POST", "/people/{person_id:int}/referrals", REFERRERS),
    ("GET", "/referrals", REFERRAL_READERS),
    ("POST", "/referrals/{referral_id:int}/status", REFERRAL_READERS),
    # other victims of a crime
    ("GET", "/victims/crimes", VICTIM_CARE),
    ("GET", "/victims/crimes/{contact_id:int}", VICTIM_CARE),
    ("POST", "/victims/crimes/{contact_id:int}", VICTIM_CARE),
    ("POST", "/api/victims/crimes/{contact_id:int}/victims", VICTIM_CARE),
    # records management: subject access
    ("GET", "/api/records/people/{person_id}/export", ADMIN),
    # the service report and call events from the telephony platform
    ("GET", "/reports/service", REPORT),
    ("GET", "/reports/service.csv", REPORT),
    ("GET", "/reports/service.pdf", REPORT),
    ("POST", "/api/telephony/calls", LEADERS),
    ("GET", "/reports/service/telephony", LEADERS),
    ("POST", "/reports/service/telephony", LEADERS),
    # quality assurance
    ("GET", "/api/quality/criteria", QA),
    ("GET", "/api/quality/samples", QA),
    ("POST", "/api/quality/samples", QA),
    ("POST", "/api/quality/samples/{sample_id}/review", QA),
    ("GET", "/api/quality/reviews", QA),
    ("GET", "/api/quality/my-reviews", QA_FEEDBACK),
    ("GET", "/api/quality/reviews/{review_id}", QA | QA_FEEDBACK),
    ("POST", "/api/quality/reviews/{review_id}/acknowledge", QA_FEEDBACK),
    ("GET", "/api/quality/trends", QA),
    ("GET", "/quality", QA),
    ("POST", "/quality/samples", QA),
    ("GET", "/quality/samples/{sample_id:int}", QA),
    ("POST", "/quality/samples/{sample_id:int}/review", QA),
    ("GET", "/quality/reviews", QA_FEEDBACK),
    ("GET", "/quality/reviews/{review_id:int}", QA | QA_FEEDBACK),
    ("POST", "/quality/reviews/{review_id:int}/acknowledge", QA_FEEDBACK),
]

PERSONAL = ("Sam Patel", "07700900123", "12 High Street", "bank card", "Edith Clarke",
            "Tom Reyes", "Priya Shah")
"""Words from the world's records: none may appear in an answer to a role that is refused."""


def app_routes(client: TestClient) -> set[tuple[str, str]]:
    """(method, path) for every HTTP and websocket route the app serves (not static files)."""
    found: set[tuple[str, str]] = set()
    for route in iter_route_contexts(client.app.routes):  # type: ignore[attr-defined]
        kind = type(route.original_route).__name__
        if kind == "APIWebSocketRoute":
            found.add(("WS", str(route.path)))
        elif kind != "Mount":
            found.update((m, str(route.path)) for m in route.methods or () if m != "HEAD")
    return found


def in_walking_order() -> list[tuple[str, str, set[Role]]]:
    return sorted((row for row in MATRIX if row[0] != "WS"),
                  key=lambda row: (row[0], row[1]) in ENDS_THE_SESSION)


STREAMS = {("GET", "/demand/stream")}
"""Server-sent events: answered with headers at once, then open until the browser leaves."""


def answer(client: TestClient, world: World, role: Role, method: str, path: str
           ) -> tuple[int, str]:
    """The status and text of one request by `role` (a stream: its status, and no text)."""
    body: dict[str, str] | None = {} if method in ("POST", "PUT") else None
    with client.stream(method, world.path(method, path), headers=world.headers[role],
                       json=body, follow_redirects=False) as response:
        if (method, path) in STREAMS and response.status_code == 200:
            return 200, ""
        response.read()
        return response.status_code, response.text


@pytest.fixture
def world(client: TestClient, runtime: Runtime) -> World:
    return build_world(client, runtime)


def test_every_route_of_the_app_is_in_the_table(client: TestClient) -> None:
    listed = {(method, path) for method, path, _ in MATRIX}
    assert not listed & PUBLIC, "a route is both public and in the matrix"
    served = app_routes(client)
    assert sorted(served - listed - PUBLIC) == [], "routes missing from the role matrix"
    assert sorted((listed | PUBLIC) - served) == [], "rows for routes the app no longer has"


def test_each_role_reaches_only_what_the_table_allows(
        client: TestClient, runtime: Runtime, world: World) -> None:
    wrong: list[tuple[str, str, str, int]] = []
    for role in Role:
        for method, path, roles in in_walking_order():
            status, _ = answer(client, world, role, method, path)
            allowed = role in roles
            if (status == 403) == allowed or status >= 500:
                wrong.append((role.value, method, path, status))
    assert wrong == [], "\n".join(map(str, wrong))


def test_the_desk_chat_socket_opens_only_for_the_digital_desk(
        client: TestClient, world: World) -> None:
    roles = next(roles for method, path, roles in MATRIX if method == "WS")
    for role in Role:
        headers = world.headers[role]
        if role in roles:
            with client.websocket_connect("/desk/chat/socket", headers=headers) as socket:
                assert socket.receive_json()["type"] == "queue"
            continue
        with pytest.raises(WebSocketDisconnect) as closed, \
                client.websocket_connect("/desk/chat/socket", headers=headers) as socket:
            socket.receive_json()
        assert closed.value.code == 4403, role


def test_a_partner_agency_reaches_its_own_referrals_and_nothing_else(
        client: TestClient, world: World) -> None:
    """Every route, with real records behind it: 403 everywhere but its referrals, and no word
    of anyone's record in any answer; its referral list holds only its own agency's."""
    reached = []
    for method, path, roles in in_walking_order():
        status, text = answer(client, world, Role.PARTNER_AGENCY, method, path)
        if Role.PARTNER_AGENCY in roles:
            reached.append((method, path))
            continue
        assert status == 403, (method, path, status)
        assert not any(word in text for word in PERSONAL), (method, path)
    assert set(reached) - {(m, p) for m, p, r in MATRIX if r == EVERYONE} == {
        ("GET", "/api/referrals"), ("POST", "/api/referrals/{referral_id}/status"),
        ("GET", "/referrals"), ("POST", "/referrals/{referral_id:int}/status")}


def test_a_partner_agency_sees_and_moves_on_only_referrals_made_to_it(
        client: TestClient, world: World) -> None:
    headers = world.headers[Role.PARTNER_AGENCY]
    listed = client.get("/api/referrals", headers=headers).json()
    assert [r["id"] for r in listed] == [world.ids["referral_id"]]
    assert set(listed[0]["extract"]) <= {"given_name", "surname", "date_of_birth", "address",
                                         "postcode", "phone"}
    theirs = client.post(f"/api/referrals/{world.other_referral_id}/status",
                         json={"status": "accepted"}, headers=headers)
    assert theirs.status_code == 404
    ours = client.post(f"/api/referrals/{world.ids['referral_id']}/status",
                       json={"status": "accepted"}, headers=headers)
    assert ours.status_code == 200, ours.text
