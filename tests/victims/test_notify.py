"""The written acknowledgement by text (and email) through GOV.UK Notify, against a local
server that checks the requests Notify's API expects and answers like Notify."""

from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient

from firstcontact.app import timer_handlers
from firstcontact.platform.clock import FixedClock
from firstcontact.platform.deadlines import TimerLoop
from firstcontact.platform.runtime import Runtime
from tests.victims.conftest import record_crime, victim_of
from tests.victims.notify_server import EMAIL_TEMPLATE, SMS_TEMPLATE, NotifyServer
from tests.victims.test_delivery import choose_email, states


def choose_text(client: TestClient, care: dict[str, str], victim_id: int,
                phone: str = "07700 900123", language: str = "English") -> None:
    response = client.put(f"/api/victims/{victim_id}/details", headers=care, json={
        "contact_preference": "text", "phone": phone, "language": language})
    assert response.status_code == 200, response.text


def acknowledgement(client: TestClient, care: dict[str, str], victim_id: int
                    ) -> dict[str, str]:
    victim = client.get(f"/api/victims/{victim_id}", headers=care).json()
    found: dict[str, str] = next(e for e in victim["entitlements"]
                                 if e["code"] == "written_acknowledgement")
    return found


def test_a_victim_who_chose_text_gets_the_acknowledgement_by_sms_through_notify(
        client: TestClient, runtime: Runtime, notify_server: NotifyServer,
        handler: dict[str, str], care: dict[str, str]) -> None:
    victim = victim_of(client, care, record_crime(client, handler))
    choose_text(client, care, victim["id"])
    assert TimerLoop(runtime, timer_handlers()).run_once() == 1
    assert notify_server.problems == []
    path, body = notify_server.received[-1]
    assert path == "/v2/notifications/sms"
    assert body["phone_number"] == "07700 900123" and body["template_id"] == SMS_TEMPLATE
    values = body["personalisation"]
    assert values["crime_reference"] == victim["crime_reference"]
    assert values["what"] == "Burglary (dwelling)" and values["reported_on"] == "14 March 2026"
    assert "Call 101" in values["how_to_contact"]
    assert victim["crime_reference"] in values["body"] and "Call 101" in values["body"]
    given = acknowledgement(client, care, victim["id"])
    assert given["state"] == "delivered" and given["method"] == "text"
    assert given["evidence"].startswith("notify:")
    assert states(client, care, victim["id"])["compensation_information"] == "delivered"


def test_a_welsh_speaker_gets_the_text_in_welsh(
        client: TestClient, runtime: Runtime, notify_server: NotifyServer,
        handler: dict[str, str], care: dict[str, str]) -> None:
    victim = victim_of(client, care, record_crime(client, handler))
    choose_text(client, care, victim["id"], language="Cymraeg")
    TimerLoop(runtime, timer_handlers()).run_once()
    body = notify_server.received[-1][1]["personalisation"]["body"]
    assert f"Cyfeirnod y drosedd: {victim['crime_reference']}" in body


def test_notify_email_replaces_the_relay_when_its_template_is_set(
        client: TestClient, runtime: Runtime, notify_server: NotifyServer,
        handler: dict[str, str], care: dict[str, str]) -> None:
    runtime.settings.notify_email_template_id = EMAIL_TEMPLATE
    victim = victim_of(client, care, record_crime(client, handler))
    choose_email(client, care, victim["id"], "sam@example.org")
    assert TimerLoop(runtime, timer_handlers()).run_once() == 1
    path, body = notify_server.received[-1]
    assert path == "/v2/notifications/email" and notify_server.problems == []
    assert body["email_address"] == "sam@example.org"
    assert body["template_id"] == EMAIL_TEMPLATE
    given = acknowledgement(client, care, victim["id"])
    assert given["method"] == "email" and given["evidence"].startswith("notify:")


def test_notify_down_is_tried_again_with_back_off_then_shown_failed_to_staff(
        client: TestClient, runtime: Runtime, clock: FixedClock,
        notify_server: NotifyServer, handler: dict[str, str], care: dict[str, str]) -> None:
    notify_server.status = 500
    victim = victim_of(client, care, record_crime(client, handler))
    choose_text(client, care, victim["id"])
    loop = TimerLoop(runtime, timer_handlers())
    assert loop.run_once() == 1
    assert acknowledgement(client, care, victim["id"])["state"] == "due"
    assert loop.run_once() == 0  # the next try waits a minute
    for wait in (1, 2, 4, 8):
        clock.advance(timedelta(minutes=wait))
        assert loop.run_once() == 1
    assert len(notify_server.received) == 5
    failed = acknowledgement(client, care, victim["id"])
    assert failed["state"] == "failed" and "500" in failed["last_error"]
    queue = client.get("/api/victims/queue", headers=care).json()
    assert queue[0]["entitlement"]["state"] == "failed"


def test_notify_down_then_back_delivers_on_the_next_try(
        client: TestClient, runtime: Runtime, clock: FixedClock,
        notify_server: NotifyServer, handler: dict[str, str], care: dict[str, str]) -> None:
    notify_server.status = 503
    victim = victim_of(client, care, record_crime(client, handler))
    choose_text(client, care, victim["id"])
    loop = TimerLoop(runtime, timer_handlers())
    loop.run_once()
    notify_server.status = 201
    clock.advance(timedelta(minutes=1))
    assert loop.run_once() == 1
    assert acknowledgement(client, care, victim["id"])["state"] == "delivered"


def test_a_number_notify_refuses_fails_at_once(
        client: TestClient, runtime: Runtime, notify_server: NotifyServer,
        handler: dict[str, str], care: dict[str, str]) -> None:
    notify_server.status = 400
    victim = victim_of(client, care, record_crime(client, handler))
    choose_text(client, care, victim["id"], phone="0161 496 0000")
    TimerLoop(runtime, timer_handlers()).run_once()
    failed = acknowledgement(client, care, victim["id"])
    assert failed["state"] == "failed" and "Not a UK mobile number" in failed["last_error"]


def test_without_notify_a_text_is_not_sent_and_stays_owed(
        client: TestClient, runtime: Runtime, handler: dict[str, str],
        care: dict[str, str]) -> None:
    victim = victim_of(client, care, record_crime(client, handler))
    choose_text(client, care, victim["id"])
    assert TimerLoop(runtime, timer_handlers()).run_once() == 0
    assert acknowledgement(client, care, victim["id"])["state"] == "due"
