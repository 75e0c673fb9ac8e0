"""Replies from the desk go out through each platform's adapter to a real local HTTP server,
which checks the request is shaped as the platform documents it."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from firstcontact.contacts.tables import ContactRow
from firstcontact.platform.model import Role
from firstcontact.platform.runtime import Runtime
from firstcontact.settings import Settings
from tests.contacts.social_support import (
    FakePlatform,
    conversation_id,
    payload,
    post_meta,
    post_x,
    social_settings,
)
from tests.staff import api_headers


@pytest.fixture
def settings(database_url: str, platform_server: FakePlatform) -> Settings:
    return social_settings(database_url, meta_graph_url=platform_server.url + "/v21.0",
                           x_api_url=platform_server.url)


@pytest.fixture
def desk(client: TestClient, runtime: Runtime) -> dict[str, str]:
    return api_headers(client, runtime, Role.DIGITAL_DESK)


def test_a_messenger_reply_goes_to_the_send_api_and_joins_the_contact(
        client: TestClient, runtime: Runtime, desk: dict[str, str],
        platform_server: FakePlatform) -> None:
    post_meta(client, payload("messenger_text"))
    conversation = conversation_id(runtime, "messenger")
    answer = client.post(f"/api/social/conversations/{conversation}/replies", headers=desk,
                         json={"text": "Are you safe now? If you are in danger call 999."})
    assert answer.status_code == 201, answer.text
    [request] = platform_server.received
    assert request["path"] == "/v21.0/106540352242922/messages"
    assert request["authorization"] == "Bearer page-token"
    assert request["content_type"] == "application/json"
    assert request["body"] == {"recipient": {"id": "6783291740163512"},
                               "messaging_type": "RESPONSE",
                               "message": {"text": "Are you safe now? If you are in danger "
                                                   "call 999."}}
    thread = client.get(f"/api/social/conversations/{conversation}", headers=desk).json()
    assert [m["direction"] for m in thread["messages"]] == ["in", "out"]
    with runtime.database.read() as session:
        narrative = session.scalars(select(ContactRow.narrative)).one()
    assert "Are you safe now?" in narrative


def test_a_whatsapp_reply_uses_the_cloud_api_messages_endpoint(
        client: TestClient, runtime: Runtime, desk: dict[str, str],
        platform_server: FakePlatform) -> None:
    post_meta(client, payload("whatsapp_text"))
    conversation = conversation_id(runtime, "whatsapp")
    answer = client.post(f"/api/social/conversations/{conversation}/replies", headers=desk,
                         json={"text": "Thank you, officers are on their way."})
    assert answer.status_code == 201, answer.text
    [request] = platform_server.received
    assert request["path"] == "/v21.0/106540352242922/messages"
    assert request["authorization"] == "Bearer wa-token"
    assert request["body"] == {
        "messaging_product": "whatsapp", "recipient_type": "individual",
        "to": "447700900123", "type": "text",
        "text": {"preview_url": False, "body": "Thank you, officers are on their way."}}


def test_an_instagram_reply_goes_from_the_instagram_account(
        client: TestClient, runtime: Runtime, desk: dict[str, str],
        platform_server: FakePlatform) -> None:
    post_meta(client, payload("instagram_text"))
    conversation = conversation_id(runtime, "instagram")
    client.post(f"/api/social/conversations/{conversation}/replies", headers=desk,
                json={"text": "Thank you for telling us."})
    [request] = platform_server.received
    assert request["path"] == "/v21.0/17841405822304914/messages"
    assert request["body"]["recipient"] == {"id": "1254459154682919"}


def test_an_x_reply_goes_to_the_dm_endpoint_for_the_sender(
        client: TestClient, runtime: Runtime, desk: dict[str, str],
        platform_server: FakePlatform) -> None:
    post_x(client, payload("x_direct_message"))
    conversation = conversation_id(runtime, "x")
    answer = client.post(f"/api/social/conversations/{conversation}/replies", headers=desk,
                         json={"text": "You can report it online at our website."})
    assert answer.status_code == 201, answer.text
    [request] = platform_server.received
    assert request["path"] == "/2/dm_conversations/with/3001969357/messages"
    assert request["authorization"] == "Bearer x-token"
    assert request["body"] == {"text": "You can report it online at our website."}


def test_a_reply_the_platform_refuses_is_502_and_not_recorded(
        client: TestClient, runtime: Runtime, desk: dict[str, str],
        platform_server: FakePlatform) -> None:
    post_meta(client, payload("messenger_text"))
    conversation = conversation_id(runtime, "messenger")
    platform_server.refuse = True
    answer = client.post(f"/api/social/conversations/{conversation}/replies", headers=desk,
                         json={"text": "Hello"})
    assert answer.status_code == 502
    assert "HTTP 400" in answer.json()["detail"]
    thread = client.get(f"/api/social/conversations/{conversation}", headers=desk).json()
    assert [m["direction"] for m in thread["messages"]] == ["in"]


def test_bad_replies_name_the_field_and_send_nothing(
        client: TestClient, runtime: Runtime, desk: dict[str, str],
        platform_server: FakePlatform) -> None:
    post_meta(client, payload("messenger_text"))
    conversation = conversation_id(runtime, "messenger")
    for text in ("", "<b>bold</b>", "x" * 2001):
        answer = client.post(f"/api/social/conversations/{conversation}/replies",
                             headers=desk, json={"text": text})
        assert answer.status_code == 422
        assert answer.json()["detail"][0]["field"] == "text"
    assert client.post("/api/social/conversations/999/replies", headers=desk,
                       json={"text": "Hello"}).status_code == 404
    assert platform_server.received == []


@pytest.mark.parametrize(("role", "reply", "read"), [
    (Role.DIGITAL_DESK, 201, 200), (Role.ADMIN, 201, 200), (Role.CALL_HANDLER, 403, 200),
    (Role.TEAM_LEADER, 403, 200), (Role.DISPATCHER, 403, 200), (Role.PARTNER_AGENCY, 403, 403),
])
def test_only_the_digital_desk_replies(client: TestClient, runtime: Runtime, role: Role,
                                       reply: int, read: int) -> None:
    post_meta(client, payload("messenger_text"))
    conversation = conversation_id(runtime, "messenger")
    headers = api_headers(client, runtime, role)
    assert client.post(f"/api/social/conversations/{conversation}/replies", headers=headers,
                       json={"text": "Hello"}).status_code == reply
    assert client.get(f"/api/social/conversations/{conversation}",
                      headers=headers).status_code == read
    with runtime.database.read() as session:
        contact_id = session.scalars(select(ContactRow.id)).one()
    listed = client.get("/api/social/conversations", params={"contact_id": contact_id},
                        headers=headers)
    assert listed.status_code == read
