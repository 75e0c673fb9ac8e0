"""Audit completeness (DPA 2018 Part 3 s.62): every API and UI route that shows a person's
record is walked, as a role allowed to see it, and must leave a "read" (or "disclose") row in
the audit log naming that record; lists name every record they show. Afterwards the hash chain
verifies, and `firstcontact audit verify` catches a row altered behind the platform's back
(on PostgreSQL the database itself refuses the change).

Every GET route the app serves is either walked here or listed in NO_RECORD with the reason it
shows no one's record, so a new page is classified before it ships.
"""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError
from typer.testing import CliRunner

from firstcontact.cli import app as cli
from firstcontact.platform import audit
from firstcontact.platform.audit import AuditAction, AuditEntry
from firstcontact.platform.model import Role
from firstcontact.platform.runtime import Runtime
from tests.web.test_role_matrix import PUBLIC, STREAMS
from tests.web.test_security_walk import routes
from tests.web.world import World, build_world

RECORD_PARAMS = ("contact_id", "incident_id", "victim_id", "person_id", "report_id",
                 "conversation_id")
LISTS = {
    "/api/contacts": ("contact_ids", "contact_id"), "/contacts": ("contact_ids", "contact_id"),
    "/desk": ("contact_ids", "email_contact"),
    "/api/incidents": ("incident_ids", "incident_id"),
    "/incidents": ("incident_ids", "incident_id"),
    "/demand/queue": ("incident_ids", "incident_id"),
    "/demand/queue/fragment": ("incident_ids", "incident_id"),
    "/api/victims/queue": ("victim_ids", "victim_id"), "/victims": ("victim_ids", "victim_id"),
    "/api/referrals": ("referral", "referral_id"), "/referrals": ("referral", "referral_id"),
    "/missing": ("reports", "report_id"),
    "/victims/crimes/{contact_id:int}": ("victim_ids", "victim_id"),
}
"""List pages: the detail key that names the records shown, and one record that must be in it."""
ALSO_NAMED = {"/api/social/conversations": "conversation_id",
              "/desk/{contact_id:int}/social": "conversation_id"}
"""Pages about a contact whose audit row names the conversation read, not the contact."""
NO_RECORD = {
    "/home": "the person's own landing page",
    "/account/sessions": "the person's own sessions",
    "/api/session": "who is signed in",
    "/contacts/new": "an empty form",
    "/api/agencies": "the partner-agency directory: organisations, not people",
    "/units": "police units", "/api/units": "police units",
    "/api/victims/compliance/figures": "counts only",
    "/api/victims/compliance/figures.csv": "counts only",
    "/victims/compliance": "counts only", "/victims/compliance.csv": "counts only",
    "/demand/overview": "counts per queue (audited as a demand overview)",
    "/api/people/offers": "likely matches (audited; none waiting in this world)",
    "/api/incidents/reviews-due": "reviews due (none due in this world)",
    "/incidents/reviews": "reviews due (none due in this world)",
    "/desk/chat": "waiting visitors' first names; taking a chat is audited",
    "/api/victims/compliance/behind": "the drill-down (audited; needs a chosen figure)",
    "/victims/compliance/behind": "the drill-down (audited; needs a chosen figure)",
    "/victims/crimes": "finds a crime by its reference and sends the reader to its page",
    "/missing/new": "an empty form",
    "/people/offers": "likely matches (audited; none waiting in this world)",
    "/people/{person_id:int}/referrals/new": "an empty form; the extract is shown, and its "
    "reading audited, at the check step",
    "/reports/service": "counts only (audited as a service report)",
    "/reports/service.csv": "counts only (audited as a service report)",
    "/reports/service.pdf": "counts only (audited as a service report)",
    "/reports/service/telephony": "an empty upload form for call events",
    "/api/quality/criteria": "the review form's criteria",
    "/api/quality/trends": "average scores per month",
    "/quality": "samples waiting (contact numbers and reasons, no caller's details) and trends",
    "/api/quality/samples": "samples waiting (contact numbers and reasons)",
    "/api/quality/reviews": "reviews of staff's handling (none in this world)",
    "/api/quality/my-reviews": "the reader's own reviews (none in this world)",
    "/quality/reviews": "the reader's own reviews (none in this world)",
    "/api/quality/reviews/{review_id}": "needs a review: its reading is audited "
    "(tests/quality/test_reviews.py)",
    "/quality/reviews/{review_id:int}": "needs a review: its reading is audited "
    "(tests/quality/test_reviews.py)",
    "/quality/samples/{sample_id:int}": "needs a sample: its reading of the contact is audited "
    "(tests/quality/test_reviews.py)",
}
QUERIES = {"/api/social/conversations": "?contact_id={social_contact}",
           "/api/records/people/{person_id}/export": "?reason=audit+walk"}
PARAM = re.compile(r"\{(\w+)(?::\w+)?\}")
WALKER = Role.ADMIN
"""May reach every route; the role matrix proves the others are refused or allowed."""


@pytest.fixture
def world(client: TestClient, runtime: Runtime) -> World:
    return build_world(client, runtime)


def newest_id(runtime: Runtime) -> int:
    with runtime.database.read() as session:
        return session.scalar(select(AuditEntry.id).order_by(AuditEntry.id.desc()).limit(1)) or 0


def reads_since(runtime: Runtime, after: int) -> list[AuditEntry]:
    with runtime.database.read() as session:
        rows = list(session.scalars(select(AuditEntry).where(
            AuditEntry.id > after,
            AuditEntry.action.in_([AuditAction.READ, AuditAction.DISCLOSE]))))
        session.expunge_all()
        return rows


def names(entry: AuditEntry, value: str) -> bool:
    """The row is about the record, or says which record it was read for."""
    return entry.subject_id == value or value in {str(v) for v in entry.detail.values()}


def record_routes(client: TestClient) -> list[str]:
    return [path for method, path in routes(client, {"GET"})
            if ("GET", path) not in PUBLIC and ("GET", path) not in STREAMS]


def walk(client: TestClient, runtime: Runtime, world: World, path: str) -> list[str]:
    """Request one route as the walker; return what is wrong with its audit trail."""
    url = world.path("GET", path) + QUERIES.get(path, "").format(**world.ids)
    before = newest_id(runtime)
    response = client.get(url, headers=world.headers[WALKER])
    if response.status_code != 200:
        return [f"{path}: {response.status_code}"]
    rows = reads_since(runtime, before)
    if path in LISTS:
        key, which = LISTS[path]
        shown = world.ids[which]
        ok = any(shown == row.detail.get(key) or shown in (row.detail.get(key) or [])
                 for row in rows if isinstance(row.detail.get(key), list | int))
        return [] if ok else [f"{path}: no read naming {key} {shown}"]
    values = [url.split("?")[0].split("/")[i] for i, part in enumerate(path.split("/"))
              if (found := PARAM.fullmatch(part)) and found.group(1) in RECORD_PARAMS]
    if path in ALSO_NAMED:
        values.append(str(world.ids[ALSO_NAMED[path]]))
    if not any(names(row, value) for row in rows for value in values):
        return [f"{path}: no read naming record {values}"]
    return []


def test_every_route_showing_a_persons_record_is_audited_naming_it(
        client: TestClient, runtime: Runtime, world: World) -> None:
    faults: list[str] = []
    walked = 0
    for path in record_routes(client):
        if path in NO_RECORD:
            continue
        walked += 1
        faults += walk(client, runtime, world, path)
    assert faults == [], "\n".join(faults)
    assert walked >= 30
    unclassified = [p for p in NO_RECORD if p not in record_routes(client)]
    assert unclassified == [], "NO_RECORD lists routes the app no longer has"
    assert audit.verify(runtime.database).ok


def test_a_partner_agencys_reading_of_a_referral_is_audited_as_a_disclosure(
        client: TestClient, runtime: Runtime, world: World) -> None:
    before = newest_id(runtime)
    assert client.get("/api/referrals", headers=world.headers[Role.PARTNER_AGENCY]).is_success
    [row] = reads_since(runtime, before)
    assert row.action == AuditAction.DISCLOSE
    assert (row.subject_type, row.subject_id) == ("person", str(world.ids["person_id"]))
    assert row.detail == {"referral": world.ids["referral_id"]}


def test_tampering_with_the_log_after_the_walk_is_caught_by_audit_verify(
        client: TestClient, runtime: Runtime, world: World,
        monkeypatch: pytest.MonkeyPatch) -> None:
    for path in ("/api/contacts/{contact_id}", "/api/people/{person_id}"):
        client.get(world.path("GET", path), headers=world.headers[WALKER])
    monkeypatch.setenv("FIRSTCONTACT_DATABASE_URL", runtime.settings.database_url)
    runner = CliRunner()
    intact = runner.invoke(cli, ["audit", "verify"])
    assert intact.exit_code == 0, intact.output
    target = newest_id(runtime) - 1
    tamper = text("UPDATE audit_log SET actor_username = 'someone-else' WHERE id = :id")
    if runtime.database.dialect == "postgresql":
        with pytest.raises(DBAPIError, match="append-only"), runtime.database.transaction() \
                as session:
            session.execute(tamper, {"id": target})
        assert runner.invoke(cli, ["audit", "verify"]).exit_code == 0
        return
    with runtime.database.transaction() as session:
        session.execute(tamper, {"id": target})
    broken = runner.invoke(cli, ["audit", "verify"])
    assert broken.exit_code == 1
    assert f"BROKEN at entry {target}" in broken.output
    assert "altered" in broken.output
