"""The written acknowledgement by email, through a real SMTP server, retried with back-off."""

from __future__ import annotations

from datetime import timedelta
from email import message_from_bytes
from email.message import Message

from fastapi.testclient import TestClient

from firstcontact.app import timer_handlers
from firstcontact.platform.clock import FixedClock
from firstcontact.platform.deadlines import TimerLoop
from firstcontact.platform.model import Role
from firstcontact.platform.runtime import Runtime
from firstcontact.victims.delivery import MAX_TRIES
from tests.staff import sign_in
from tests.victims.conftest import REFUSED, Mailbox, free_port, record_crime, victim_of


def choose_email(client: TestClient, care: dict[str, str], victim_id: int, email: str,
                 language: str = "English") -> None:
    response = client.put(f"/api/victims/{victim_id}/details", headers=care, json={
        "contact_preference": "email", "email": email, "language": language})
    assert response.status_code == 200, response.text


def states(client: TestClient, care: dict[str, str], victim_id: int) -> dict[str, str]:
    victim = client.get(f"/api/victims/{victim_id}", headers=care).json()
    return {e["code"]: e["state"] for e in victim["entitlements"]}


def received(mailbox: Mailbox) -> Message:
    content = mailbox.messages[-1].content
    assert isinstance(content, bytes)
    return message_from_bytes(content)


def test_the_acknowledgement_email_carries_the_crime_reference_what_and_when(
        client: TestClient, runtime: Runtime, mailbox: Mailbox, handler: dict[str, str],
        care: dict[str, str]) -> None:
    victim = victim_of(client, care, record_crime(client, handler))
    choose_email(client, care, victim["id"], "sam@example.org")
    assert TimerLoop(runtime, timer_handlers()).run_once() == 1
    assert mailbox.messages[-1].rcpt_tos == ["sam@example.org"]
    email = received(mailbox)
    body = email.get_payload(decode=True)
    assert isinstance(body, bytes)
    text = body.decode()
    assert victim["crime_reference"] in email["Subject"]
    assert victim["crime_reference"] in text
    assert "Burglary (dwelling)" in text and "My shed was broken into" in text
    assert "14 March 2026" in text and "Call 101" in text
    assert "https://www.gov.uk/claim-compensation-criminal-injury" in text
    given = client.get(f"/api/victims/{victim['id']}", headers=care).json()["entitlements"]
    acknowledgement = next(e for e in given if e["code"] == "written_acknowledgement")
    assert acknowledgement["state"] == "delivered" and acknowledgement["method"] == "email"
    assert acknowledgement["evidence"] == email["Message-ID"]
    assert states(client, care, victim["id"])["compensation_information"] == "delivered"
    assert states(client, care, victim["id"])["support_referral"] == "due"


def test_a_welsh_speaker_gets_the_acknowledgement_in_welsh(
        client: TestClient, runtime: Runtime, mailbox: Mailbox, handler: dict[str, str],
        care: dict[str, str]) -> None:
    victim = victim_of(client, care, record_crime(client, handler))
    choose_email(client, care, victim["id"], "sam@example.org", language="Cymraeg")
    TimerLoop(runtime, timer_handlers()).run_once()
    email = received(mailbox)
    assert email["Subject"] == f"Cyfeirnod eich trosedd {victim['crime_reference']}"
    body = email.get_payload(decode=True)
    assert isinstance(body, bytes)
    text = body.decode()
    assert f"Cyfeirnod y drosedd: {victim['crime_reference']}" in text
    assert "Annwyl Sam Patel," in text and "Sut i geisio iawndal" in text


def test_an_address_the_relay_refuses_fails_at_once_and_goes_back_to_staff(
        client: TestClient, runtime: Runtime, mailbox: Mailbox, handler: dict[str, str],
        care: dict[str, str]) -> None:
    victim = victim_of(client, care, record_crime(client, handler))
    choose_email(client, care, victim["id"], REFUSED)
    TimerLoop(runtime, timer_handlers()).run_once()
    assert mailbox.messages == []
    assert states(client, care, victim["id"])["written_acknowledgement"] == "failed"
    queue = client.get("/api/victims/queue", headers=care).json()
    assert queue[0]["entitlement"]["state"] == "failed"
    assert "refused" in queue[0]["entitlement"]["last_error"]


def test_a_relay_that_is_down_is_tried_again_with_back_off_then_handed_to_staff(
        client: TestClient, runtime: Runtime, clock: FixedClock, handler: dict[str, str],
        care: dict[str, str]) -> None:
    runtime.settings.smtp_host, runtime.settings.smtp_port = "127.0.0.1", free_port()
    runtime.settings.smtp_timeout_seconds = 2
    victim = victim_of(client, care, record_crime(client, handler))
    choose_email(client, care, victim["id"], "sam@example.org")
    loop = TimerLoop(runtime, timer_handlers())
    assert loop.run_once() == 1
    assert states(client, care, victim["id"])["written_acknowledgement"] == "due"
    assert loop.run_once() == 0  # the next try waits a minute
    for wait in (1, 2, 4, 8):
        clock.advance(timedelta(minutes=wait))
        assert loop.run_once() == 1
    victim_now = client.get(f"/api/victims/{victim['id']}", headers=care).json()
    acknowledgement = next(e for e in victim_now["entitlements"]
                           if e["code"] == "written_acknowledgement")
    assert acknowledgement["state"] == "failed"
    assert MAX_TRIES == 5


def test_without_an_email_nothing_is_sent_and_the_acknowledgement_stays_owed(
        client: TestClient, runtime: Runtime, mailbox: Mailbox, handler: dict[str, str],
        care: dict[str, str]) -> None:
    victim = victim_of(client, care, record_crime(client, handler))
    response = client.put(f"/api/victims/{victim['id']}/details", headers=care, json={
        "contact_preference": "letter", "postal_address": "1 Mill Lane, Anytown"})
    assert response.status_code == 200
    assert TimerLoop(runtime, timer_handlers()).run_once() == 0
    assert mailbox.messages == []
    assert states(client, care, victim["id"])["written_acknowledgement"] == "due"


def test_a_printed_letter_gives_the_acknowledgement_with_its_hash_as_evidence(
        client: TestClient, runtime: Runtime, handler: dict[str, str],
        care: dict[str, str]) -> None:
    victim = victim_of(client, care, record_crime(client, handler))
    csrf = sign_in(client, runtime, Role.VICTIM_CARE)
    letter = client.get(f"/victims/{victim['id']}/letter")
    assert letter.status_code == 200
    assert victim["crime_reference"] in letter.text and "14 March 2026" in letter.text
    posted = client.post(f"/victims/{victim['id']}/letter", data={"csrf_token": csrf},
                         follow_redirects=False)
    assert posted.status_code == 303
    given = client.get(f"/api/victims/{victim['id']}", headers=care).json()["entitlements"]
    acknowledgement = next(e for e in given if e["code"] == "written_acknowledgement")
    assert acknowledgement["method"] == "letter"
    assert acknowledgement["evidence"].startswith("sha256:")
    again = client.post(f"/victims/{victim['id']}/letter", data={"csrf_token": csrf})
    assert again.status_code == 409
