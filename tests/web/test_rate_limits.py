"""Every public way in is limited per address (per sender, for email), counted in the database
so every worker shares the count: past the limit the answer is 429 with Retry-After and words a
person can act on (SMTP's own 451 for email, so the sending server keeps the message and tries
again). Limits are set low here; the defaults are in Settings."""

from __future__ import annotations

import json
import smtplib
from collections.abc import Callable, Iterator
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from httpx import Response

from firstcontact.contacts import online_service
from firstcontact.contacts.mail_listener import controller
from firstcontact.platform.clock import FixedClock
from firstcontact.platform.model import Role
from firstcontact.platform.runtime import Runtime
from firstcontact.settings import Settings
from tests.contacts.mail_servers import DESK, email, free_port
from tests.contacts.report_flow import form_token
from tests.contacts.social_support import VERIFY_TOKEN, post_meta, post_x, social_settings
from tests.staff import create_staff, login_token

LIMIT = 3


@pytest.fixture
def settings(database_url: str) -> Settings:
    return social_settings(database_url, webhook_posts_per_minute=LIMIT,
                           chat_starts_per_hour=LIMIT, email_messages_per_hour=LIMIT,
                           login_attempts_allowed=LIMIT)


def meta_handshake(client: TestClient) -> Response:
    answer: Response = client.get("/api/webhooks/meta", params={
        "hub.mode": "subscribe", "hub.verify_token": VERIFY_TOKEN, "hub.challenge": "42"})
    return answer


def wrong_password(client: TestClient) -> Response:
    answer: Response = client.post("/login", data={
        "username": "dev.sharma", "password": "not-this-one",
        "login_token": login_token(client), "next": "/home"})
    return answer


PUBLIC_ROUTES: dict[str, tuple[Callable[[TestClient], Response], str]] = {
    "POST /api/webhooks/meta": (lambda c: post_meta(c, json.dumps({"object": "page"}).encode()),
                                "Too many webhook calls"),
    "POST /api/webhooks/x": (lambda c: post_x(c, b"{}"), "Too many webhook calls"),
    "GET /api/webhooks/meta": (meta_handshake, "Too many webhook calls"),
    "GET /api/webhooks/x": (lambda c: c.get("/api/webhooks/x", params={"crc_token": "t"}),
                            "Too many webhook calls"),
    "POST /api/chat/start": (lambda c: c.post("/api/chat/start", json={"name": "Sam"}),
                             "sending too much too quickly"),
    "POST /login": (wrong_password, "Too many failed sign-in attempts"),
    "POST /api/session": (lambda c: c.post("/api/session", json={
        "username": "dev.sharma", "password": "not-this-one"}), "Too many failed sign-in"),
}


@pytest.mark.parametrize("route", list(PUBLIC_ROUTES))
def test_a_public_route_answers_429_with_retry_after_once_an_address_passes_its_limit(
        client: TestClient, runtime: Runtime, route: str) -> None:
    create_staff(runtime, Role.DISPATCHER, username="dev.sharma")
    send, says = PUBLIC_ROUTES[route]
    for _ in range(LIMIT):
        assert send(client).status_code != 429, route
    refused = send(client)
    assert refused.status_code == 429, (route, refused.text[:300])
    assert says in refused.text
    wait = int(refused.headers["retry-after"])
    assert 0 < wait <= 3600


def test_another_address_is_not_held_back_by_one_that_flooded(
        client: TestClient) -> None:
    for _ in range(LIMIT + 1):
        post_x(client, b"{}")
    elsewhere = TestClient(client.app, client=("198.51.100.7", 50000))
    assert post_x(elsewhere, b"{}").status_code == 200


def test_the_webhook_limit_opens_again_in_the_next_minute(
        client: TestClient, clock: FixedClock) -> None:
    for _ in range(LIMIT + 1):
        post_x(client, b"{}")
    assert post_x(client, b"{}").status_code == 429
    clock.set(clock.now().replace(second=0) + timedelta(minutes=1))
    assert post_x(client, b"{}").status_code == 200


def test_the_online_report_is_limited_too(client: TestClient) -> None:
    """Its own limit (online_service.FLOOD_LIMIT a window), a page a person can read."""
    token = form_token(client.get("/report"))
    statuses = [client.post("/report/start", data={"csrf_token": token},
                            follow_redirects=False).status_code
                for _ in range(online_service.FLOOD_LIMIT + 1)]
    assert statuses[-1] == 429 and 429 not in statuses[:-1]
    busy = client.post("/report/start", data={"csrf_token": token})
    assert "too many forms sent from your connection" in busy.text
    assert busy.headers["retry-after"] == str(int(online_service.FLOOD_WINDOW.total_seconds()))


@pytest.fixture
def listener(runtime: Runtime) -> Iterator[int]:
    runtime.settings.email_desk_address = DESK
    runtime.settings.email_smtp_port = free_port()  # acknowledgements go nowhere
    port = free_port()
    running = controller(runtime, port=port)
    running.start()
    try:
        yield port
    finally:
        running.stop()


def test_email_from_one_sender_past_its_hourly_limit_is_told_to_try_later(
        listener: int) -> None:
    with smtplib.SMTP("127.0.0.1", listener, timeout=10) as smtp:
        for number in range(LIMIT):
            smtp.sendmail("mo@example.org", [DESK],
                          email("Stolen bike", f"Message {number}",
                                message_id=f"<m{number}@example.org>").as_bytes())
        with pytest.raises(smtplib.SMTPDataError) as refused:
            smtp.sendmail("mo@example.org", [DESK], email(
                "Stolen bike", "One more", message_id="<m9@example.org>").as_bytes())
        smtp.sendmail("someone.else@example.org", [DESK],
                      email("Noise", "Next door again",
                            message_id="<other@example.org>").as_bytes())
    assert refused.value.smtp_code == 451
    assert b"Too many messages from this sender" in refused.value.smtp_error
