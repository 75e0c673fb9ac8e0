"""The desk's page for a social-media conversation: read the thread, reply in the platform the
person used (through a real local HTTP server standing in for it), the item leaves the queue."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from firstcontact.contacts.tables import DeskItemRow, SocialMessageRow
from firstcontact.platform.model import Role
from firstcontact.platform.runtime import Runtime
from firstcontact.settings import Settings
from tests.contacts.social_support import (
    FakePlatform,
    only_contact,
    payload,
    post_meta,
    social_settings,
)
from tests.staff import sign_in

REPLY = "Are you safe now? If you are in danger call 999."


@pytest.fixture
def settings(database_url: str, platform_server: FakePlatform) -> Settings:
    return social_settings(database_url, meta_graph_url=platform_server.url + "/v21.0",
                           x_api_url=platform_server.url)


def a_messenger_contact(client: TestClient, runtime: Runtime, text: str = "") -> int:
    body = payload("messenger_text")
    if text:
        body["entry"][0]["messaging"][0]["message"]["text"] = text
    assert post_meta(client, body).status_code == 200
    return only_contact(runtime).id


def desk_item(runtime: Runtime, contact_id: int) -> DeskItemRow:
    with runtime.database.read() as session:
        item = session.get(DeskItemRow, contact_id)
    assert item is not None
    return item


def outbound_texts(runtime: Runtime) -> list[str]:
    with runtime.database.read() as session:
        return list(session.scalars(select(SocialMessageRow.text).where(
            SocialMessageRow.direction == "out")))


def test_the_desk_reads_the_conversation_and_replies_from_the_page(
        client: TestClient, runtime: Runtime, platform_server: FakePlatform) -> None:
    contact_id = a_messenger_contact(client, runtime, 'Tom & "Jerry" keep following me')
    csrf = sign_in(client, runtime, Role.DIGITAL_DESK)
    assert f'href="/desk/{contact_id}/social"' in client.get("/desk").text
    page = client.get(f"/desk/{contact_id}/social")
    assert page.status_code == 200
    assert "Tom &amp; &#34;Jerry&#34; keep following me" in page.text
    assert "Reply by Facebook Messenger" in page.text
    sent = client.post(f"/desk/{contact_id}/social", data={"csrf_token": csrf, "text": REPLY},
                       follow_redirects=False)
    assert sent.status_code == 303
    [request] = platform_server.received
    assert request["body"]["message"] == {"text": REPLY}
    assert request["body"]["recipient"] == {"id": "6783291740163512"}
    after = client.get(sent.headers["location"])
    assert "Your reply was sent" in after.text and REPLY in after.text
    assert after.text.index("keep following me") < after.text.index(REPLY)
    assert desk_item(runtime, contact_id).replied_at is not None
    assert f"/desk/{contact_id}/social" not in client.get("/desk").text


def test_a_refused_send_is_shown_as_an_error_and_nothing_is_recorded(
        client: TestClient, runtime: Runtime, platform_server: FakePlatform) -> None:
    contact_id = a_messenger_contact(client, runtime)
    csrf = sign_in(client, runtime, Role.DIGITAL_DESK)
    platform_server.refuse = True
    refused = client.post(f"/desk/{contact_id}/social",
                          data={"csrf_token": csrf, "text": REPLY})
    assert refused.status_code == 502
    assert "govuk-error-summary" in refused.text and 'href="#text"' in refused.text
    assert "HTTP 400" in refused.text and REPLY in refused.text  # kept to send again
    assert outbound_texts(runtime) == []
    assert desk_item(runtime, contact_id).replied_at is None


def test_bad_replies_and_forged_posts_send_nothing(
        client: TestClient, runtime: Runtime, platform_server: FakePlatform) -> None:
    contact_id = a_messenger_contact(client, runtime)
    csrf = sign_in(client, runtime, Role.DIGITAL_DESK)
    for text in ("", "<b>bold</b>", "x" * 2001):
        answer = client.post(f"/desk/{contact_id}/social",
                             data={"csrf_token": csrf, "text": text})
        assert answer.status_code == 422
        assert 'href="#text"' in answer.text
    assert client.post(f"/desk/{contact_id}/social",
                       data={"text": REPLY}).status_code == 403
    assert client.post(f"/desk/{contact_id}/social",
                       data={"csrf_token": "forged", "text": REPLY}).status_code == 403
    assert client.get("/desk/999999/social").status_code == 404
    assert client.post("/desk/999999/social",
                       data={"csrf_token": csrf, "text": REPLY}).status_code == 404
    assert platform_server.received == [] and outbound_texts(runtime) == []
    assert desk_item(runtime, contact_id).replied_at is None


@pytest.mark.parametrize(("role", "read", "reply"), [
    (Role.DIGITAL_DESK, 200, 303), (Role.ADMIN, 200, 303), (Role.TEAM_LEADER, 200, 403),
    (Role.CALL_HANDLER, 403, 403), (Role.DISPATCHER, 403, 403),
])
def test_only_the_digital_desk_replies_from_the_page(
        client: TestClient, runtime: Runtime, platform_server: FakePlatform, role: Role,
        read: int, reply: int) -> None:
    contact_id = a_messenger_contact(client, runtime)
    csrf = sign_in(client, runtime, role)
    page = client.get(f"/desk/{contact_id}/social")
    assert page.status_code == read
    if read == 200:
        assert ('name="text"' in page.text) == (reply == 303)
    assert client.post(f"/desk/{contact_id}/social", data={"csrf_token": csrf, "text": REPLY},
                       follow_redirects=False).status_code == reply
    assert len(platform_server.received) == (1 if reply == 303 else 0)
