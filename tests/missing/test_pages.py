"""Missing-person pages: take a report from a person or a contact (every field's error shown
at once, nothing half-stored), the suggested level beside staff's decision, risk reviews due,
found and the return home interview; real HTTP with cookie and CSRF, SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from firstcontact.app import timer_handlers
from firstcontact.missing.tables import MissingReportRow
from firstcontact.missing.views import local_moment
from firstcontact.people.tables import PersonRow
from firstcontact.platform.audit import AuditEntry
from firstcontact.platform.clock import FixedClock
from firstcontact.platform.deadlines import TimerLoop
from firstcontact.platform.model import Role
from firstcontact.platform.runtime import Runtime
from tests.missing.flow import missing_person
from tests.people.test_referrals import agency
from tests.staff import api_headers, sign_in


def form(csrf: str, **changes: str | list[str]) -> dict[str, str | list[str]]:
    fields: dict[str, str | list[str]] = {
        "csrf_token": csrf, "description": "White female, 5ft 2in, grey hair, blue coat",
        "circumstances": "Left the care home after lunch and did not come back",
        "last_seen_at": "2026-03-14T08:00", "last_seen_place": "Elm Road care home",
        "age": "81", "medication": "Insulin, twice a day", "dementia": "yes",
        "herbert_protocol": "Photo held; walks to the old family house",
        "risk_factors": ["needs_essential_medication"], "risk_level": "medium",
        "risk_rationale": "Seen by a neighbour, walking calmly"}
    fields.update(changes)
    return fields


def reports(runtime: Runtime) -> int:
    with runtime.database.transaction() as session:
        return session.scalar(select(func.count()).select_from(MissingReportRow)) or 0


def test_a_page_time_is_read_as_uk_time() -> None:
    assert local_moment("2026-06-01T10:00") == "2026-06-01T10:00:00+01:00"
    assert local_moment("2026-03-14T08:00") == "2026-03-14T08:00:00+00:00"
    assert local_moment("yesterday") == "yesterday"


def test_a_call_handler_reports_from_a_person_and_sees_the_suggestion(
        client: TestClient, runtime: Runtime) -> None:
    person = missing_person(client, runtime, api_headers(client, runtime, Role.CALL_HANDLER))
    csrf = sign_in(client, runtime, Role.CALL_HANDLER)
    page = client.get(f"/missing/new?person_id={person}&contact_id=1")
    assert page.status_code == 200
    assert f'name="person_id" type="text" value="{person}"' in page.text
    assert 'name="contact_id" value="1"' in page.text
    made = client.post("/missing", data=form(csrf, person_id=str(person), contact_id="1"),
                       follow_redirects=False)
    assert made.status_code == 303, made.text
    report = client.get(made.headers["location"]).text
    assert "Suggested High because: needs essential medication, dementia." in report
    assert "Differs from the suggestion" in report
    assert "Rationale: Seen by a neighbour, walking calmly" in report
    assert "Next risk review by" in report and "14 Mar 2026 13:30" in report
    assert "Review the risk level" not in report  # a call handler does not review
    with runtime.database.transaction() as session:
        row = session.scalars(select(MissingReportRow)).one()
        assert (row.person_id, row.contact_id) == (person, 1)
        created = session.scalars(select(AuditEntry).where(
            AuditEntry.subject_type == "missing_report", AuditEntry.action == "create")).one()
    assert created.actor_role == "call_handler"


def test_every_fault_is_named_at_once_and_nothing_is_stored(client: TestClient,
                                                            runtime: Runtime) -> None:
    person = missing_person(client, runtime, api_headers(client, runtime, Role.CALL_HANDLER))
    csrf = sign_in(client, runtime, Role.TEAM_LEADER)
    refused = client.post("/missing", data=form(
        csrf, person_id=str(person), herbert_protocol="", risk_rationale="",
        last_seen_at="2026-03-14T10:00", age="eighty", risk_factors=["bored"]))
    assert refused.status_code == 422
    summary = refused.text[refused.text.index("govuk-error-summary"):]
    for field in ("herbert_protocol", "risk_rationale", "last_seen_at", "age", "risk_factors"):
        assert f'href="#{field}"' in summary, field
    assert "Must not be in the future" in summary
    assert 'value="eighty"' in refused.text  # what was typed comes back to correct
    nobody = client.post("/missing", data=form(csrf, person_id=""))
    assert nobody.status_code == 422 and 'href="#person_id"' in nobody.text
    care = client.post("/missing", data=form(csrf, person_id=str(person),
                                             child_in_care="yes", age="14"))
    assert 'href="#local_authority_agency_id"' in care.text
    assert reports(runtime) == 0


def test_a_daughter_reports_her_mother_by_name_and_the_next_episode_finds_her(
        client: TestClient, runtime: Runtime) -> None:
    csrf = sign_in(client, runtime, Role.CALL_HANDLER)
    with runtime.database.transaction() as session:
        people_before = session.scalar(select(func.count()).select_from(PersonRow))
    for _ in range(2):
        made = client.post("/missing", data=form(
            csrf, missing_name="Margaret Carr", missing_date_of_birth="1942-05-17"),
            follow_redirects=False)
        assert made.status_code == 303, made.text
    with runtime.database.transaction() as session:
        rows = session.scalars(select(MissingReportRow).order_by(MissingReportRow.id)).all()
        assert session.scalar(select(func.count()).select_from(PersonRow)) == \
            (people_before or 0) + 1
    assert rows[0].person_id == rows[1].person_id and rows[1].episode == 2
    bad_date = client.post("/missing", data=form(csrf, missing_name="Margaret Carr",
                                                 missing_date_of_birth="1942-02-30"))
    assert bad_date.status_code == 422 and 'href="#missing_date_of_birth"' in bad_date.text
    assert reports(runtime) == 2


def test_a_leader_reviews_sees_reviews_due_records_found_and_the_interview(
        client: TestClient, runtime: Runtime, clock: FixedClock) -> None:
    admin = api_headers(client, runtime, Role.ADMIN)
    council = agency(client, admin, "Anytown Children's Services", "childrens_social_care")
    person = missing_person(client, runtime, api_headers(client, runtime, Role.CALL_HANDLER),
                            "Jayden Miller", "07700 900140")
    csrf = sign_in(client, runtime, Role.TEAM_LEADER)
    made = client.post("/missing", data=form(
        csrf, person_id=str(person), age="14", dementia="", herbert_protocol="",
        child_in_care="yes", local_authority_agency_id=str(council),
        risk_factors=["child_sexual_exploitation"], risk_level="high",
        risk_rationale="Child in care, seen with older men"), follow_redirects=False)
    assert made.status_code == 303, made.text
    url = made.headers["location"]
    assert "the local authority was sent" in client.get(url).text
    clock.advance(timedelta(hours=1))
    TimerLoop(runtime, timer_handlers()).run_once()
    listing = client.get("/missing").text
    assert "Review overdue" in listing and "Child in care" in listing
    review = client.post(f"{url}/reviews", data={"csrf_token": csrf, "risk_level": "high",
                                                  "risk_rationale": ""})
    assert review.status_code == 422 and 'href="#risk_rationale"' in review.text
    client.post(f"{url}/reviews", data={"csrf_token": csrf, "risk_level": "high",
                                        "risk_rationale": "Phone last pinged in Easton"})
    assert "Review overdue" not in client.get("/missing").text
    early = client.post(f"{url}/found", data={"csrf_token": csrf, "outcome": "found_safe",
                                              "found_at": "2026-03-14T07:00"})
    assert early.status_code == 422 and "before the time they were last seen" in early.text
    found = client.post(f"{url}/found", data={"csrf_token": csrf, "outcome": "found_safe",
                                              "found_at": "2026-03-14T10:15"},
                        follow_redirects=False)
    assert found.status_code == 303
    page = client.get(url).text
    assert "Found" in page and "Due by" in page and "17 Mar 2026 10:15" in page
    assert "Return home interview by" in client.get("/missing").text
    held = client.post(f"{url}/return-interview", data={"csrf_token": csrf,
                                                         "held_at": "2026-03-14T10:25"},
                       follow_redirects=False)
    assert held.status_code == 303
    assert "Held" in client.get(url).text
    assert "Nobody is reported missing" in client.get("/missing").text
    for too_large in (2**31, 2**63):  # PostgreSQL's INTEGER stops at 2**31 - 1
        assert client.get(f"/missing/{too_large}").status_code in (404, 422)
