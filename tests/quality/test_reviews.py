"""The QA review: the reviewer reads the whole contact (audited) and scores it; the handler
reads their own feedback only and acknowledges it (audited); bad scores are named; the
figures the trend page and the service report use."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import event, func, select

from firstcontact.platform.audit import AuditEntry
from firstcontact.platform.clock import FixedClock
from firstcontact.platform.model import SYSTEM, Role
from firstcontact.platform.runtime import Runtime
from firstcontact.quality.report import Window
from firstcontact.quality.report_service import service_report
from firstcontact.quality.sampling import take_samples
from firstcontact.quality.service import PURPOSE, qa_summary
from firstcontact.quality.tables import QaReviewRow, SampleRow
from tests.quality.qa_day import FRIDAY, Signed, caller, graded, staff
from tests.staff import csrf_token_on, sign_in

SCORES = {"thrive": 3, "vulnerability": 2, "grade": 2, "hidden_demand": 1, "vcop": "na",
          "courtesy": 3}


def sampled(client: TestClient, rt: Runtime, clock: FixedClock, handler: Signed,
            at: datetime = FRIDAY, n: int = 0) -> int:
    """One contact graded 'no police action' by `handler` at `at`, sampled: the sample id."""
    back = clock.now()
    clock.set(at)
    contact_id = graded(client, handler, "no_police_action", contact=caller(n),
                        threat="none", harm="none", engagement="advice")
    clock.set(back)
    take_samples(rt, SYSTEM, at.date(), at.date(), random.Random(7))
    with rt.database.transaction() as session:
        sample_id = session.scalar(select(SampleRow.id).where(SampleRow.contact_id == contact_id))
    assert sample_id is not None
    return sample_id


def submit(client: TestClient, who: Signed, sample_id: int, **changes: Any) -> Any:
    body: dict[str, Any] = {"scores": SCORES, "notes": {"grade": "Right to signpost"},
                            "summary": "Clear and kind; check the caller's history next time."}
    body.update(changes)
    return client.post(f"/api/quality/samples/{sample_id}/review", json=body,
                       headers=who.headers)


def audit_rows(rt: Runtime, subject_type: str) -> list[tuple[str, str, str]]:
    with rt.database.transaction() as session:
        return [(e.action.value, e.actor_username, e.purpose) for e in session.scalars(
            select(AuditEntry).where(AuditEntry.subject_type == subject_type)
            .order_by(AuditEntry.id))]


def test_bad_scores_are_named_and_nothing_is_stored(
        client: TestClient, runtime: Runtime, clock: FixedClock) -> None:
    handler, reviewer = staff(client, runtime, Role.CALL_HANDLER), staff(
        client, runtime, Role.QA_REVIEWER)
    sample_id = sampled(client, runtime, clock, handler)
    bad = submit(client, reviewer, sample_id, scores={**SCORES, "thrive": 7, "grade": "na"})
    assert bad.status_code == 422
    assert {(d["field"], d["message"]) for d in bad.json()["detail"]} == {
        ("scores.thrive", "Score must be a whole number from 0 to 3"),
        ("scores.grade", "Score must be a whole number from 0 to 3")}
    assert submit(client, reviewer, sample_id, summary="").json()["detail"][0]["field"] == (
        "summary")
    assert submit(client, reviewer, 999).status_code == 404
    with runtime.database.transaction() as session:
        assert session.scalar(select(func.count()).select_from(QaReviewRow)) == 0


def test_the_reviewer_reads_the_contact_audited_and_the_handler_acknowledges(
        client: TestClient, runtime: Runtime, clock: FixedClock) -> None:
    handler, reviewer = staff(client, runtime, Role.CALL_HANDLER), staff(
        client, runtime, Role.QA_REVIEWER)
    sample_id = sampled(client, runtime, clock, handler)
    [waiting] = client.get("/api/quality/samples", headers=reviewer.headers).json()
    assert (waiting["id"], waiting["reason"], waiting["review_id"]) == (sample_id, "random",
                                                                      None)
    page = client.get(f"/quality/samples/{sample_id}", headers=reviewer.headers)
    assert page.status_code == 200 and "Ada Quinn" in page.text
    assert ("read", reviewer.actor.username, PURPOSE) in audit_rows(runtime, "contact")
    done = submit(client, reviewer, sample_id)
    assert done.status_code == 201, done.text
    review = done.json()
    assert review["scores"] == {**SCORES, "vcop": None} and review["team"] == "Call handler"
    assert submit(client, reviewer, sample_id).status_code == 409
    mine = client.get("/api/quality/my-reviews", headers=handler.headers).json()
    assert [r["id"] for r in mine] == [review["id"]]
    url = f"/api/quality/reviews/{review['id']}"
    assert client.get(url, headers=handler.headers).json()["summary"].startswith("Clear and")
    clock.advance(timedelta(minutes=5))
    ack = client.post(f"{url}/acknowledge", json={"comment": "Thanks"},
                      headers=handler.headers)
    assert ack.status_code == 200, ack.text
    assert (ack.json()["acknowledged_at"], ack.json()["acknowledgement"]) == (
        "2026-03-14T09:35:00Z", "Thanks")
    assert client.post(f"{url}/acknowledge", json={}, headers=handler.headers).status_code == 409
    assert audit_rows(runtime, "qa_review") == [
        ("create", reviewer.actor.username, PURPOSE),
        ("read", handler.actor.username, "reading QA feedback"),
        ("update", handler.actor.username, "QA feedback acknowledged")]


def test_a_handler_never_sees_another_handlers_review(
        client: TestClient, runtime: Runtime, clock: FixedClock) -> None:
    handler, other = staff(client, runtime, Role.CALL_HANDLER), staff(
        client, runtime, Role.DIGITAL_DESK)
    reviewer = staff(client, runtime, Role.TEAM_LEADER)
    review_id = submit(client, reviewer, sampled(client, runtime, clock, handler)).json()["id"]
    url = f"/api/quality/reviews/{review_id}"
    assert client.get(url, headers=other.headers).status_code == 404
    assert client.post(f"{url}/acknowledge", json={}, headers=other.headers).status_code == 404
    assert client.get("/api/quality/my-reviews", headers=other.headers).json() == []
    assert client.get("/api/quality/reviews", headers=other.headers).status_code == 403
    assert client.get("/api/quality/samples", headers=other.headers).status_code == 403
    assert client.get(f"/quality/reviews/{review_id}", headers=other.headers).status_code == 404
    victim_care = staff(client, runtime, Role.VICTIM_CARE)
    assert client.get(url, headers=victim_care.headers).status_code == 403
    assert client.get(url, headers=reviewer.headers).status_code == 200


def test_nobody_reviews_their_own_contact(client: TestClient, runtime: Runtime,
                                          clock: FixedClock) -> None:
    leader = staff(client, runtime, Role.TEAM_LEADER)
    refused = submit(client, leader, sampled(client, runtime, clock, leader))
    assert refused.status_code == 403


def test_the_review_form_needs_its_csrf_token_and_shows_every_error(
        client: TestClient, runtime: Runtime, clock: FixedClock) -> None:
    handler = staff(client, runtime, Role.CALL_HANDLER)
    sample_id = sampled(client, runtime, clock, handler)
    csrf = sign_in(client, runtime, Role.QA_REVIEWER)
    url = f"/quality/samples/{sample_id}/review"
    assert client.post(url, data={"scores.thrive": "3"}).status_code == 403
    page = client.post(url, data={"csrf_token": csrf, "scores.thrive": "9",
                                  "notes.grade": "<b>no</b>"})
    assert page.status_code == 422
    assert 'href="#scores.thrive"' in page.text and 'href="#notes.grade"' in page.text
    assert 'href="#summary"' in page.text
    form = {"csrf_token": csrf, "summary": "Good call", **{
        f"scores.{code}": str(score) for code, score in SCORES.items()}}
    done = client.post(url, data=form, follow_redirects=False)
    assert done.status_code == 303 and done.headers["location"].startswith("/quality/reviews/")
    assert "Clear and" not in client.get(done.headers["location"]).text
    assert csrf_token_on(client.get("/quality").text) == csrf


def test_trends_and_the_service_report_summary_give_exact_averages(
        client: TestClient, runtime: Runtime, clock: FixedClock) -> None:
    handler, reviewer = staff(client, runtime, Role.CALL_HANDLER), staff(
        client, runtime, Role.QA_REVIEWER)
    february = sampled(client, runtime, clock, handler, datetime(2026, 2, 20, 10, tzinfo=UTC))
    clock.set(datetime(2026, 2, 27, 12, tzinfo=UTC))
    submit(client, reviewer, february, scores={**SCORES, "thrive": 1, "vcop": 2})
    clock.set(datetime(2026, 3, 14, 9, 30, tzinfo=UTC))
    submit(client, reviewer, sampled(client, runtime, clock, handler, n=1))
    body = client.get("/api/quality/trends?from=2026-01-01&to=2026-03-31",
                      headers=reviewer.headers).json()
    thrive = {m: s["criteria"][0] for m, s in body["months"].items()}
    assert thrive == {"2026-02": {"code": "thrive", "reviews": 1, "mean": 1.0, "percent": 33.3},
                      "2026-03": {"code": "thrive", "reviews": 1, "mean": 3.0, "percent": 100.0}}
    assert body["overall"]["reviews"] == 2 and body["teams"] == ["Call handler"]
    assert body["overall"]["criteria"][4] == {"code": "vcop", "reviews": 1, "mean": 2.0,
                                              "percent": 66.7}
    with runtime.database.transaction() as session:
        march = qa_summary(session, datetime(2026, 3, 1, tzinfo=UTC),
                           datetime(2026, 4, 1, tzinfo=UTC))
    assert march.reviews == 1 and march.criteria[0].mean == 3
    assert [a.reviews for a in march.criteria] == [1, 1, 1, 1, 0, 1]
    qa = next(s for s in service_report(runtime, SYSTEM, Window(date(2026, 3, 1), date(
        2026, 3, 31))).sections if s.key == "qa_results")
    assert qa.findings == ("1 QA reviews completed.",)
    assert qa.tables[0].rows[0][:2] == ("THRIVE completed and proportionate", 1)
    assert qa.tables[0].rows[0][3] == 100.0 and qa.tables[0].rows[4][1] == 0
    page = client.get("/quality?from=2026-01-01&to=2026-03-31", headers=reviewer.headers)
    assert page.status_code == 200
    assert "1.0 of 3 (33.3%, 1)" in page.text and "3.0 of 3 (100.0%, 1)" in page.text
    assert page.text.count('<rect class="fc-qa-bar--') == 12
    none = client.get("/quality?team=Team+9&from=2026-01-01", headers=reviewer.headers)
    assert "0 reviews completed" in none.text
    assert client.get("/quality?from=yesterday", headers=reviewer.headers).status_code == 422
    assert date(2026, 3, 14) == clock.now().date()


def count_queries(rt: Runtime, client: TestClient, path: str, headers: dict[str, str]) -> int:
    statements: list[str] = []

    def seen(*args: Any) -> None:
        statements.append(str(args[2]))

    event.listen(rt.database.engine, "before_cursor_execute", seen)
    try:
        assert client.get(path, headers=headers).status_code == 200
    finally:
        event.remove(rt.database.engine, "before_cursor_execute", seen)
    return len(statements)


def test_the_review_lists_run_the_same_few_queries_however_long_they_are(
        client: TestClient, runtime: Runtime, clock: FixedClock) -> None:
    handler, reviewer = staff(client, runtime, Role.CALL_HANDLER), staff(
        client, runtime, Role.QA_REVIEWER)
    submit(client, reviewer, sampled(client, runtime, clock, handler))
    one = {path: count_queries(runtime, client, path, who.headers) for path, who in
           (("/quality/reviews", handler), ("/api/quality/reviews", reviewer))}
    for n, day in ((1, 19), (2, 18)):
        at = datetime(2026, 3, day, 10, tzinfo=UTC) - timedelta(days=7)
        submit(client, reviewer, sampled(client, runtime, clock, handler, at, n))
    three = {path: count_queries(runtime, client, path, who.headers) for path, who in
             (("/quality/reviews", handler), ("/api/quality/reviews", reviewer))}
    assert three == one
    assert len(client.get("/api/quality/my-reviews", headers=handler.headers).json()) == 3


def test_an_id_too_large_for_the_database_is_refused_by_name(
        client: TestClient, runtime: Runtime) -> None:
    handler = staff(client, runtime, Role.CALL_HANDLER)
    huge = client.get("/api/quality/reviews/99999999999999999999", headers=handler.headers)
    assert huge.status_code == 422 and huge.json()["detail"][0]["field"] == "review_id"
