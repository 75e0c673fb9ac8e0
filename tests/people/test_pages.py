"""The people pages: likely matches offered to staff (explained, confirmed or rejected) and a
person's page with merge and unmerge, through real HTTP with the session cookie and CSRF
token, on SQLite and PostgreSQL. Each decision leaves its audit row."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import select

from firstcontact.people.tables import MatchOfferRow, PersonRow
from firstcontact.platform.audit import AuditEntry
from firstcontact.platform.model import Role
from firstcontact.platform.runtime import Runtime
from tests.demand.test_queue import count_queries
from tests.people.test_linking import caller, person_of
from tests.risk.flow import new_contact
from tests.staff import api_headers, sign_in


def offered_pair(client: TestClient, runtime: Runtime, phone: str = "07700 900456",
                 name: str = "Sam Patel") -> tuple[int, int]:
    """Two callers with one name and different phones: the second is offered, not linked."""
    handler = api_headers(client, runtime, Role.CALL_HANDLER)
    first = person_of(runtime, new_contact(client, handler, **caller(name, "07700 900123")))
    second = person_of(runtime, new_contact(client, handler, **caller(name, phone)))
    assert first != second
    return first, second


def offer_ids(runtime: Runtime) -> list[int]:
    with runtime.database.transaction() as session:
        return list(session.scalars(select(MatchOfferRow.id).order_by(MatchOfferRow.id)))


def two_strangers(client: TestClient, runtime: Runtime) -> tuple[int, int, str]:
    """Two unrelated People, and a team leader signed in (their CSRF token)."""
    handler = api_headers(client, runtime, Role.CALL_HANDLER)
    one = person_of(runtime, new_contact(client, handler, **caller("Ann Lee", "07700 900111")))
    two = person_of(runtime, new_contact(client, handler, **caller("Bo Chan", "07700 900222")))
    return one, two, sign_in(client, runtime, Role.TEAM_LEADER)


def audit_rows(runtime: Runtime, subject_type: str) -> list[AuditEntry]:
    with runtime.database.transaction() as session:
        return list(session.scalars(select(AuditEntry).where(
            AuditEntry.subject_type == subject_type).order_by(AuditEntry.id)))


def test_a_team_leader_sees_the_explanation_and_confirms_a_match(client: TestClient,
                                                                 runtime: Runtime) -> None:
    first, second = offered_pair(client, runtime)
    csrf = sign_in(client, runtime, Role.TEAM_LEADER)
    page = client.get("/people/offers")
    assert page.status_code == 200
    assert "score 0.5" not in page.text and "score 6.5" in page.text
    assert "given name agree (+3.0)" in page.text and "phone disagree (-0.5)" in page.text
    assert f'href="/people/{first}"' in page.text and "+447700900456" in page.text
    assert 'href="/people/offers"' in page.text  # the navigation link for a team leader
    [offer] = offer_ids(runtime)
    confirmed = client.post(f"/people/offers/{offer}/confirm", data={"csrf_token": csrf},
                            follow_redirects=False)
    assert confirmed.status_code == 303
    assert "No likely matches are waiting" in client.get(confirmed.headers["location"]).text
    with runtime.database.transaction() as session:
        gone = session.get(PersonRow, second)
        assert gone is not None and gone.merged_into_id == first
    decision = [e for e in audit_rows(runtime, "person_match_offer") if e.action == "update"]
    assert [(e.detail["status"], e.actor_role) for e in decision] == [
        ("confirmed", "team_leader")]
    again = client.post(f"/people/offers/{offer}/reject", data={"csrf_token": csrf})
    assert again.status_code == 409


def test_a_rejected_match_keeps_two_people_and_needs_the_csrf_token(client: TestClient,
                                                                    runtime: Runtime) -> None:
    _, second = offered_pair(client, runtime)
    csrf = sign_in(client, runtime, Role.TEAM_LEADER)
    [offer] = offer_ids(runtime)
    forged = client.post(f"/people/offers/{offer}/reject", data={})
    assert forged.status_code == 403
    rejected = client.post(f"/people/offers/{offer}/reject", data={"csrf_token": csrf},
                           follow_redirects=False)
    assert rejected.status_code == 303
    with runtime.database.transaction() as session:
        assert session.get(MatchOfferRow, offer).status == "rejected"  # type: ignore[union-attr]
        kept = session.get(PersonRow, second)
        assert kept is not None and kept.merged_into_id is None


def test_a_call_handler_sees_offers_but_has_no_buttons_to_decide(client: TestClient,
                                                                 runtime: Runtime) -> None:
    offered_pair(client, runtime)
    csrf = sign_in(client, runtime, Role.CALL_HANDLER)
    page = client.get("/people/offers")
    assert page.status_code == 200 and "Confirm: same person" not in page.text
    [offer] = offer_ids(runtime)
    assert client.post(f"/people/offers/{offer}/confirm",
                       data={"csrf_token": csrf}).status_code == 403


def test_the_offers_page_runs_the_same_queries_however_many_offers(client: TestClient,
                                                                  runtime: Runtime) -> None:
    offered_pair(client, runtime)
    sign_in(client, runtime, Role.TEAM_LEADER)
    few = count_queries(runtime, client, "/people/offers")
    offered_pair(client, runtime, "07700 900777", "Ann Lee")
    offered_pair(client, runtime, "07700 900778", "Bo Chan")
    assert len(offer_ids(runtime)) == 3
    assert count_queries(runtime, client, "/people/offers") == few


def test_merge_on_the_person_page_with_its_errors_in_the_summary(client: TestClient,
                                                                 runtime: Runtime) -> None:
    one, two, csrf = two_strangers(client, runtime)
    page = client.get(f"/people/{one}")
    assert page.status_code == 200 and "Ann Lee" in page.text
    itself = client.post(f"/people/{one}/merges", data={
        "csrf_token": csrf, "merge_person_id": str(one), "reason": "Same"})
    assert itself.status_code == 422
    assert "govuk-error-summary" in itself.text
    assert 'href="#merge_person_id">A person cannot be merged with themselves' in itself.text
    assert "<title>Error: Person" in itself.text
    several = client.post(f"/people/{one}/merges", data={
        "csrf_token": csrf, "merge_person_id": "twelve", "reason": ""})
    assert "Enter the other person&#39;s number" in several.text
    absent = client.post(f"/people/{one}/merges", data={
        "csrf_token": csrf, "merge_person_id": "99999", "reason": "Same"})
    assert absent.status_code == 422 and "There is no person with this number" in absent.text
    merged = client.post(f"/people/{one}/merges", data={
        "csrf_token": csrf, "merge_person_id": str(two),
        "reason": "Same PNC number <b>confirmed</b>"}, follow_redirects=False)
    assert merged.status_code == 303
    kept = client.get(f"/people/{one}").text
    assert "Bo Chan" in kept and f'href="/people/{two}"' in kept
    [row] = [e for e in audit_rows(runtime, "person") if e.purpose.startswith("merging")]
    assert row.detail == {"merge": 1, "merged_person": two,
                          "reason": "Same PNC number <b>confirmed</b>"}
    assert "<b>confirmed" not in kept  # (the reason is not shown, and nothing is unescaped)


def test_unmerge_from_the_person_page_and_its_errors(client: TestClient,
                                                     runtime: Runtime) -> None:
    one, two, csrf = two_strangers(client, runtime)
    never = client.post(f"/people/{two}/unmerge", data={"csrf_token": csrf,
                                                        "unmerge_reason": "Oops"})
    assert never.status_code == 422
    assert 'href="#unmerge_reason">This person has not been merged into anyone' in never.text
    client.post(f"/people/{one}/merges", data={"csrf_token": csrf,
                                               "merge_person_id": str(two), "reason": "Same"})
    away = client.get(f"/people/{two}").text
    assert "Merged into" in away and "Undo the merge" in away
    no_reason = client.post(f"/people/{two}/unmerge", data={"csrf_token": csrf,
                                                            "unmerge_reason": "  "})
    assert no_reason.status_code == 422 and "Enter why these are different people" in \
        no_reason.text
    undone = client.post(f"/people/{two}/unmerge", data={
        "csrf_token": csrf, "unmerge_reason": "Different dates of birth"},
        follow_redirects=False)
    assert undone.status_code == 303
    assert "Bo Chan" in client.get(f"/people/{two}").text
    assert "Bo Chan" not in client.get(f"/people/{one}").text
    [row] = [e for e in audit_rows(runtime, "person") if e.purpose == "undoing a wrong merge"]
    assert row.actor_role == "team_leader" and row.subject_id == str(two)


def test_opening_a_person_page_is_audited_and_escapes_what_the_caller_gave(
        client: TestClient, runtime: Runtime) -> None:
    handler = api_headers(client, runtime, Role.CALL_HANDLER)
    person = person_of(runtime, new_contact(client, handler, **caller(
        "Ann O'Lee", "07700 900111")))
    sign_in(client, runtime, Role.CALL_HANDLER)
    page = client.get(f"/people/{person}")
    assert "Merge another person" not in page.text  # a call handler may not merge
    assert f'href="/missing/new?person_id={person}"' in page.text
    reads = [e for e in audit_rows(runtime, "person") if e.action == "read"]
    assert reads[-1].purpose == "viewing a person's linked records"
    assert reads[-1].actor_role == "call_handler"
    assert client.get("/people/99999").status_code == 404
    for too_large in (2**31, 2**64):  # no column holds it: not a 500
        assert client.get(f"/people/{too_large}").status_code in (404, 422)
