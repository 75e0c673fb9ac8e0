"""The dispatcher's re-THRIVE pages: the review-due queue, the form, and the timeline after."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient

from firstcontact.app import timer_handlers
from firstcontact.platform.clock import FixedClock
from firstcontact.platform.deadlines import TimerLoop
from firstcontact.platform.model import Role
from firstcontact.platform.runtime import Runtime
from tests.demand.test_service import open_incident
from tests.risk.test_views import thrive_form
from tests.staff import api_headers, sign_in


def review_form(csrf: str, version: int | str, **changes: str) -> dict[str, str | list[str]]:
    form = thrive_form(csrf)
    form.update(grade="emergency", version=str(version),
                rationale="Suspect is back at the address and armed",
                what_changed="Neighbour rang: the suspect has returned")
    form.update(changes)
    return form


@pytest.fixture
def handler(client: TestClient, runtime: Runtime) -> dict[str, str]:
    return api_headers(client, runtime, Role.CALL_HANDLER)


def test_a_dispatcher_completes_a_due_review_from_the_queue(
        client: TestClient, runtime: Runtime, clock: FixedClock,
        handler: dict[str, str]) -> None:
    incident_id = open_incident(client, handler, "priority")
    clock.advance(timedelta(hours=3, minutes=30))
    TimerLoop(runtime, timer_handlers()).run_once()
    csrf = sign_in(client, runtime, Role.DISPATCHER)
    queue = client.get("/incidents/reviews")
    assert queue.status_code == 200
    assert f'href="/incidents/{incident_id}/review"' in queue.text
    assert "14 Mar 2026 13:00" in queue.text and "Review due" in queue.text

    form = client.get(f"/incidents/{incident_id}/review")
    assert form.status_code == 200
    # The form starts from the last THRIVE (threat "none", harm "moderate").
    assert 'name="threat" type="radio" value="none" checked' in form.text
    assert 'name="harm" type="radio" value="moderate" checked' in form.text
    assert 'name="version" value="1"' in form.text

    done = client.post(f"/incidents/{incident_id}/review", data=review_form(csrf, 1),
                       follow_redirects=False)
    assert done.status_code == 303, done.text
    page = client.get(done.headers["location"])
    assert "Re-THRIVE: priority to emergency" in page.text
    assert "What changed: Neighbour rang: the suspect has returned" in page.text
    assert "Next re-THRIVE by <time datetime=\"2026-03-14T16:30+00:00\">14 Mar 2026 16:30" in (
        page.text)
    assert 'id="no-reviews-due"' in client.get("/incidents/reviews").text


def test_a_review_without_rationale_is_reshown_with_each_error_and_the_answers_kept(
        client: TestClient, runtime: Runtime, handler: dict[str, str]) -> None:
    incident_id = open_incident(client, handler, "priority")
    csrf = sign_in(client, runtime, Role.DISPATCHER)
    page = client.post(f"/incidents/{incident_id}/review",
                       data=review_form(csrf, 1, rationale="", what_changed=""))
    assert page.status_code == 422
    assert 'href="#rationale"' in page.text and 'href="#what_changed"' in page.text
    assert 'name="threat" type="radio" value="immediate" checked' in page.text
    assert 'name="version" value="1"' in page.text
    assert "Re-THRIVE:" not in client.get(f"/incidents/{incident_id}").text


def test_a_second_dispatcher_on_a_stale_form_is_told_and_nothing_changes(
        client: TestClient, runtime: Runtime, handler: dict[str, str]) -> None:
    incident_id = open_incident(client, handler, "priority")
    csrf = sign_in(client, runtime, Role.DISPATCHER)
    first = client.post(f"/incidents/{incident_id}/review", data=review_form(csrf, 1),
                        follow_redirects=False)
    assert first.status_code == 303
    second = client.post(f"/incidents/{incident_id}/review",
                         data=review_form(csrf, 1, grade="scheduled"))
    assert second.status_code == 409
    assert "This has changed" in second.text and "Someone else changed this incident" in (
        second.text)
    assert client.get(f"/api/incidents/{incident_id}", headers=handler).json()["grade"] == (
        "emergency")


def test_a_call_handler_sees_the_incident_but_cannot_re_thrive_it(
        client: TestClient, runtime: Runtime, handler: dict[str, str]) -> None:
    incident_id = open_incident(client, handler, "priority")
    sign_in(client, runtime, Role.CALL_HANDLER)
    page = client.get(f"/incidents/{incident_id}")
    assert page.status_code == 200 and 'id="rethrive"' not in page.text
    assert client.get(f"/incidents/{incident_id}/review").status_code == 403


def test_the_screen_shows_london_time_across_the_spring_clock_change(
        client: TestClient, runtime: Runtime, clock: FixedClock) -> None:
    clock.set(datetime(2026, 3, 28, 23, 0, tzinfo=UTC))
    handler = api_headers(client, runtime, Role.CALL_HANDLER)
    incident_id = open_incident(client, handler, "priority")
    loop = TimerLoop(runtime, timer_handlers())
    clock.set(datetime(2026, 3, 29, 2, 30, tzinfo=UTC))
    assert loop.run_once() == 1
    sign_in(client, runtime, Role.DISPATCHER)
    page = client.get(f"/incidents/{incident_id}").text
    # 23:00 GMT + 3h30 of real time = 03:30 BST: what the dispatcher reads.
    assert '<time datetime="2026-03-28T23:00+00:00">28 Mar 2026 23:00</time>' in page
    assert '<time datetime="2026-03-29T03:30+01:00">29 Mar 2026 03:30</time>' in page
    assert "Review due" in page
    clock.set(datetime(2026, 3, 29, 3, 0, tzinfo=UTC))
    assert loop.run_once() == 1
    queue = client.get("/incidents/reviews").text
    assert "29 Mar 2026 03:30" in queue and "Review overdue: escalated" in queue
    assert "30 min" in queue
