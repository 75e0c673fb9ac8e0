"""The social-media webhooks over HTTP, on SQLite and PostgreSQL: signed, stored once, threaded."""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from firstcontact.contacts.social_model import x_crc_answer
from firstcontact.contacts.tables import SocialConversationRow, SocialMessageRow
from firstcontact.platform.audit import AuditEntry
from firstcontact.platform.runtime import Runtime
from firstcontact.settings import Settings
from tests.contacts.social_support import (
    VERIFY_TOKEN,
    X_SECRET,
    counts,
    only_contact,
    payload,
    post_meta,
    post_x,
    social_settings,
)


@pytest.fixture
def settings(database_url: str) -> Settings:
    return social_settings(database_url)


def test_meta_handshake_echoes_the_challenge_for_our_verify_token(client: TestClient) -> None:
    query = {"hub.mode": "subscribe", "hub.verify_token": VERIFY_TOKEN,
             "hub.challenge": "1158201444"}
    answer = client.get("/api/webhooks/meta", params=query)
    assert (answer.status_code, answer.text) == (200, "1158201444")
    query["hub.verify_token"] = "guessed"
    assert client.get("/api/webhooks/meta", params=query).status_code == 403


def test_x_crc_check_is_answered_with_the_signed_token(client: TestClient) -> None:
    answer = client.get("/api/webhooks/x", params={"crc_token": "challenge-abc"})
    assert answer.status_code == 200
    assert answer.json() == x_crc_answer(X_SECRET, "challenge-abc")
    assert client.get("/api/webhooks/x").status_code == 422


def test_a_messenger_message_opens_a_social_contact(client: TestClient,
                                                    runtime: Runtime) -> None:
    answer = post_meta(client, payload("messenger_text"))
    assert answer.status_code == 200, answer.text
    assert answer.json() == {"stored": 1, "repeated": 0}
    contact = only_contact(runtime)
    assert contact.channel == "social"
    assert contact.status == "awaiting_assessment"
    assert "Someone has been following me home" in contact.narrative
    with runtime.database.read() as session:
        entry = session.scalars(select(AuditEntry).where(
            AuditEntry.subject_type == "social_conversation")).one()
    assert entry.actor_username == "webhook:messenger"


def test_a_retried_webhook_is_stored_once_and_answered_200(client: TestClient,
                                                          runtime: Runtime) -> None:
    body = payload("whatsapp_text")
    assert post_meta(client, body).json() == {"stored": 1, "repeated": 0}
    again = post_meta(client, body)
    assert again.status_code == 200
    assert again.json() == {"stored": 0, "repeated": 1}
    assert counts(runtime) == (1, 1)


def test_later_messages_from_one_sender_thread_into_one_contact(client: TestClient,
                                                               runtime: Runtime) -> None:
    first = payload("whatsapp_text")
    second = payload("whatsapp_text")
    message = second["entry"][0]["changes"][0]["value"]["messages"][0]
    message["id"] = "wamid.second"
    message["timestamp"] = "1773480900"
    message["text"]["body"] = "The fire brigade are here now"
    post_meta(client, first)
    post_meta(client, second)
    assert counts(runtime) == (1, 2)
    contact = only_contact(runtime)
    assert contact.caller_name == "Sheena Nelson"
    assert contact.caller_phone == "+447700900123"
    assert contact.narrative.index("car on fire") < contact.narrative.index("brigade are here")
    with runtime.database.read() as session:
        assert len(session.scalars(select(SocialConversationRow)).all()) == 1


def test_each_platform_is_its_own_conversation(client: TestClient, runtime: Runtime) -> None:
    for name in ("messenger_text", "instagram_text", "whatsapp_text"):
        assert post_meta(client, payload(name)).json()["stored"] == 1
    assert post_x(client, payload("x_direct_message")).json()["stored"] == 1
    assert counts(runtime) == (4, 4)
    with runtime.database.read() as session:
        platforms = sorted(session.scalars(select(SocialConversationRow.platform)).all())
    assert platforms == ["instagram", "messenger", "whatsapp", "x"]


def test_receipts_and_echoes_store_nothing_but_are_accepted(client: TestClient,
                                                           runtime: Runtime) -> None:
    assert post_meta(client, payload("whatsapp_status")).json() == {"stored": 0, "repeated": 0}
    assert counts(runtime) == (0, 0)


@pytest.mark.parametrize("signature", [None, "sha256=" + "0" * 64, "sha1=abc", ""])
def test_a_forged_or_missing_meta_signature_is_refused_and_nothing_stored(
        client: TestClient, runtime: Runtime, signature: str | None) -> None:
    answer = post_meta(client, payload("messenger_text"), signature=signature)
    assert answer.status_code == 401
    assert "signature" in answer.json()["detail"]
    assert counts(runtime) == (0, 0)


def test_a_body_changed_after_signing_is_refused(client: TestClient, runtime: Runtime) -> None:
    raw = json.dumps(payload("x_direct_message")).encode()
    from firstcontact.contacts.social_model import x_signature

    signature = x_signature(X_SECRET, raw)
    tampered = raw.replace(b"stolen bike", b"stolen car!")
    assert post_x(client, tampered, signature=signature).status_code == 401
    assert post_x(client, payload("x_direct_message"), signature=None).status_code == 401
    assert counts(runtime) == (0, 0)


def test_malformed_json_is_400_with_a_message(client: TestClient, runtime: Runtime) -> None:
    answer = post_meta(client, b'{"object": "page", "entry": [')
    assert answer.status_code == 400
    assert "not valid JSON" in answer.json()["detail"]
    assert post_x(client, b"[1, 2]").status_code == 400
    assert counts(runtime) == (0, 0)


def test_a_payload_in_the_wrong_shape_is_422_naming_the_field(client: TestClient,
                                                              runtime: Runtime) -> None:
    body = payload("messenger_text")
    body["entry"][0]["messaging"][0]["message"]["mid"] = ""
    answer = post_meta(client, body)
    assert answer.status_code == 422
    assert answer.json()["detail"][0]["field"] == "entry[0].messaging[0].message.mid"
    assert counts(runtime) == (0, 0)


def test_an_oversized_body_is_refused_with_413(client: TestClient, runtime: Runtime) -> None:
    body = payload("messenger_text")
    body["padding"] = "x" * (1024 * 1024 + 10)
    assert post_meta(client, body).status_code == 413
    assert counts(runtime) == (0, 0)


def test_script_in_a_message_is_stored_as_inert_text(client: TestClient,
                                                     runtime: Runtime) -> None:
    body = payload("messenger_text")
    body["entry"][0]["messaging"][0]["message"]["text"] = (
        '<script>document.location="https://evil.example"</script><img src=x onerror=alert(1)>')
    assert post_meta(client, body).status_code == 200
    contact = only_contact(runtime)
    with runtime.database.read() as session:
        stored = session.scalars(select(SocialMessageRow.text)).one()
    for text in (contact.narrative, stored):
        assert "<" not in text and ">" not in text
        assert "script" in text


def test_webhooks_refuse_everything_until_a_secret_is_configured(
        database_url: str, runtime: Runtime) -> None:
    from firstcontact.app import create_app

    runtime.settings = social_settings(database_url, meta_app_secret="", x_consumer_secret="")
    with TestClient(create_app(runtime.settings, runtime=runtime)) as bare:
        from firstcontact.contacts.social_model import hub_signature

        raw = json.dumps(payload("messenger_text")).encode()
        assert post_meta(bare, raw, signature=hub_signature("", raw)).status_code == 401
        assert bare.get("/api/webhooks/x", params={"crc_token": "t"}).status_code == 401
    assert counts(runtime) == (0, 0)


def test_the_same_webhook_delivered_at_once_to_several_workers_is_stored_once(
        client: TestClient, runtime: Runtime) -> None:
    from concurrent.futures import ThreadPoolExecutor

    body = payload("instagram_text")
    with ThreadPoolExecutor(max_workers=4) as pool:
        answers = list(pool.map(lambda _: post_meta(client, body), range(4)))
    assert [a.status_code for a in answers] == [200] * 4
    assert sum(a.json()["stored"] for a in answers) == 1
    assert counts(runtime) == (1, 1)
