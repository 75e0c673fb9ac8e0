"""Taking QA samples over a real day of work: the exact samples for a fixed clock and seed,
each with its reason; a second run adds nothing; today's contacts wait for the day to end."""

from __future__ import annotations

import random
from datetime import date, timedelta

from fastapi.testclient import TestClient
from sqlalchemy import select

from firstcontact.platform.audit import AuditEntry
from firstcontact.platform.clock import FixedClock
from firstcontact.platform.model import SYSTEM, Role
from firstcontact.platform.runtime import Runtime
from firstcontact.quality.sampling import take_samples
from firstcontact.quality.tables import RandomDrawRow, SampleRow
from firstcontact.risk.tables import ReviewRow
from tests.quality.qa_day import Day, friday, graded, staff

FRIDAY = date(2026, 3, 13)


def taken(rt: Runtime) -> set[tuple[int, str]]:
    with rt.database.transaction() as session:
        return set(session.execute(select(SampleRow.contact_id, SampleRow.reason)))


def expected(day: Day) -> set[tuple[int, str]]:
    """Friday's samples with seed 7: the draw picks the first handler's 3rd contact (of 5) and
    the second handler's 1st (of 3), at 5% rounded up to one each; every open incident's
    re-THRIVE is overdue by Saturday morning."""
    with_incidents = [c for c in day.by_first + day.by_second if c != day.repeat_no_action]
    return {(day.by_first[2], "random"), (day.by_second[0], "random"),
            (day.dismissed, "harm_prompt_dismissed"),
            (day.repeat_no_action, "repeat_caller_no_police_action"),
            (day.downgraded, "downgraded_at_rethrive"),
            *((c, "missed_review_deadline") for c in with_incidents)}


def test_a_day_is_sampled_at_random_and_for_every_risk_with_its_reason(
        client: TestClient, runtime: Runtime, clock: FixedClock) -> None:
    day = friday(client, runtime, clock)
    run = take_samples(runtime, SYSTEM, FRIDAY, FRIDAY, random.Random(7))
    assert run.days_drawn == 2
    assert taken(runtime) == expected(day)
    details = {(c.contact_id, c.reason.value): c.detail for c in run.taken}
    assert details[(day.downgraded, "downgraded_at_rethrive")] == "priority to scheduled"
    with runtime.database.transaction() as session:  # the re-THRIVE kept the grade it found
        assert session.execute(select(ReviewRow.previous_grade, ReviewRow.grade)).one() == (
            "priority", "scheduled")
    assert details[(day.downgraded, "missed_review_deadline")] == (
        "re-THRIVE done 15 minutes after it was due")
    assert details[(day.dismissed, "harm_prompt_dismissed")] == (
        "domestic abuse prompt dismissed: Caller is reading a script")
    assert details[(day.by_first[2], "random")] == "drawn at 5% from 5 contacts that day"
    handlers = {c.contact_id: c.handler_user_id for c in run.taken if c.reason.value == "random"}
    assert handlers == {day.by_first[2]: day.first.actor.user_id,
                        day.by_second[0]: day.second.actor.user_id}
    with runtime.database.transaction() as session:
        draws = session.execute(select(RandomDrawRow.handler_user_id, RandomDrawRow.pool,
                                       RandomDrawRow.drawn)).all()
        [entry] = session.scalars(select(AuditEntry).where(
            AuditEntry.subject_type == "qa_sampling")).all()
    assert sorted(draws) == [(day.first.actor.user_id, 5, 1), (day.second.actor.user_id, 3, 1)]
    assert (entry.subject_id, entry.detail["samples"]) == ("2026-03-13..2026-03-13", 12)


def test_sampling_the_same_days_again_adds_nothing_whatever_the_seed(
        client: TestClient, runtime: Runtime, clock: FixedClock) -> None:
    day = friday(client, runtime, clock)
    take_samples(runtime, SYSTEM, FRIDAY, FRIDAY, random.Random(7))
    again = take_samples(runtime, SYSTEM, FRIDAY - timedelta(days=1), FRIDAY,
                         random.Random(99))
    assert (again.days_drawn, again.taken) == (0, [])
    assert taken(runtime) == expected(day)


def test_today_is_not_drawn_at_random_until_it_has_ended(
        client: TestClient, runtime: Runtime, clock: FixedClock) -> None:
    handler = staff(client, runtime, Role.CALL_HANDLER)
    graded(client, handler, "no_police_action", threat="none", harm="none",
           engagement="advice")
    saturday = clock.now().date()
    early = take_samples(runtime, SYSTEM, saturday, saturday, random.Random(7))
    assert (early.days_drawn, early.taken) == (0, [])
    clock.advance(timedelta(days=1))
    later = take_samples(runtime, SYSTEM, saturday, saturday, random.Random(7))
    assert later.days_drawn == 1 and [c.reason.value for c in later.taken] == ["random"]


def test_sampling_through_the_api_checks_the_days_and_the_role(
        client: TestClient, runtime: Runtime) -> None:
    reviewer = staff(client, runtime, Role.QA_REVIEWER)
    handler = staff(client, runtime, Role.CALL_HANDLER)
    bad = client.post("/api/quality/samples", json={"from": "2026-03-13", "to": "13/03/2026"},
                      headers=reviewer.headers)
    assert bad.status_code == 422 and bad.json()["detail"][0]["field"] == "to"
    refused = client.post("/api/quality/samples", json={}, headers=handler.headers)
    assert refused.status_code == 403
    done = client.post("/api/quality/samples", json={"from": "2026-03-13"},
                       headers=reviewer.headers)
    assert done.status_code == 201, done.text
    assert done.json() == {"first": "2026-03-13", "last": "2026-03-14", "days_drawn": 0,
                           "samples_taken": 0, "contact_ids": []}
