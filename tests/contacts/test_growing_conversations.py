"""A live chat or a direct-message conversation is scanned for hidden harms again each time
the public say more, on their words alone: staff's own questions are never read as a
disclosure, a retried webhook scans nothing twice, and a failing step loses no message."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from firstcontact.contacts.tables import ChatMessageRow, ContactRow
from firstcontact.harm.tables import HarmFindingRow
from firstcontact.platform.audit import AuditEntry
from firstcontact.platform.model import Role
from firstcontact.platform.runtime import Runtime
from firstcontact.settings import Settings
from tests.contacts.chat_support import (
    is_message,
    is_type,
    join,
    send_frame,
    start_chat,
    until,
)
from tests.contacts.social_support import counts, payload, post_meta, social_settings
from tests.staff import api_headers

DISCLOSURE = "The boss keeps my passport and we are not allowed out of the house."
FOLLOWED = "No. But a man has been following me home every night and sitting outside my flat."


@pytest.fixture
def settings(database_url: str) -> Settings:
    return social_settings(database_url)


def findings(rt: Runtime) -> dict[str, list[dict[str, Any]]]:
    with rt.database.read() as session:
        rows = session.scalars(select(HarmFindingRow)).all()
        return {row.harm_type: list(row.evidence) for row in rows}


def test_a_chat_is_scanned_again_as_the_visitor_says_more(client: TestClient,
                                                          runtime: Runtime) -> None:
    opened = start_chat(client)
    with client.websocket_connect("/chat/socket") as visitor:
        join(visitor, opened)
        visitor.send_json(send_frame("Hello, I need some advice about work."))
        until(visitor, is_message("Hello, I need some advice about work."))
        assert findings(runtime) == {}
        visitor.send_json(send_frame(DISCLOSURE))
        until(visitor, is_message(DISCLOSURE))
    found = findings(runtime)
    assert "modern_slavery" in found
    words = "Hello, I need some advice about work.\n" + DISCLOSURE
    assert all(words[e["start"]:e["end"]] == e["text"] for e in found["modern_slavery"])


def test_staff_questions_in_a_chat_are_not_read_as_a_disclosure(client: TestClient,
                                                                runtime: Runtime) -> None:
    opened = start_chat(client)
    headers = api_headers(client, runtime, Role.DIGITAL_DESK)
    question = ("Is anyone keeping your passport? Are you being forced to work, or not "
                "allowed out of the house?")
    with client.websocket_connect("/chat/socket") as visitor, \
            client.websocket_connect("/desk/chat/socket", headers=headers) as agent:
        join(visitor, opened)
        until(agent, is_type("mine"))
        agent.send_json({"type": "take", "chat_id": opened["chat_id"]})
        until(agent, is_type("taken"))
        visitor.send_json(send_frame("My bike was stolen from the station."))
        until(agent, is_message("My bike was stolen from the station."))
        agent.send_json(send_frame(question, opened["chat_id"]))
        until(visitor, is_message(question))
        visitor.send_json(send_frame(FOLLOWED))
        until(agent, is_message(FOLLOWED))
    assert set(findings(runtime)) == {"stalking"}  # the visitor's words, not the question's
    with runtime.database.read() as session:
        narrative = session.scalars(select(ContactRow.narrative)).one()
    assert "keeping your passport" in narrative  # the record keeps both sides


def test_a_chat_message_is_kept_when_a_growth_step_fails(client: TestClient,
                                                         runtime: Runtime) -> None:
    def broken(*_: object) -> None:
        raise RuntimeError("scanner fault")

    runtime.growth_steps.insert(0, broken)
    opened = start_chat(client)
    with client.websocket_connect("/chat/socket") as visitor:
        join(visitor, opened)
        visitor.send_json(send_frame(DISCLOSURE))
        assert until(visitor, is_type("ack"))
    with runtime.database.read() as session:
        assert session.scalars(select(ChatMessageRow.text)).all() == [DISCLOSURE]
    assert "modern_slavery" in findings(runtime)  # the steps after the broken one still ran


def direct_message(message_id: str, text: str) -> dict[str, Any]:
    body = payload("whatsapp_text")
    message = body["entry"][0]["changes"][0]["value"]["messages"][0]
    message["id"], message["text"]["body"] = message_id, text
    return body


def test_a_direct_message_conversation_is_scanned_again_once_per_message(
        client: TestClient, runtime: Runtime) -> None:
    assert post_meta(client, direct_message("wamid.1", "Can I ask something?")).json() == {
        "stored": 1, "repeated": 0}
    assert findings(runtime) == {}
    later = direct_message("wamid.2", DISCLOSURE)
    assert post_meta(client, later).json() == {"stored": 1, "repeated": 0}
    assert "modern_slavery" in findings(runtime)
    assert scans(runtime) == 1
    assert post_meta(client, later).json() == {"stored": 0, "repeated": 1}  # a retry
    assert counts(runtime) == (1, 2)
    assert scans(runtime) == 1
    with runtime.database.read() as session:
        assert len(session.scalars(select(HarmFindingRow)).all()) == 1


def scans(rt: Runtime) -> int:
    """Scans that found something: each writes one audit entry."""
    with rt.database.read() as session:
        return len(session.scalars(select(AuditEntry).where(
            AuditEntry.purpose == "hidden-harm scan of the contact's words")).all())


def test_a_long_conversation_is_scanned_on_its_newest_words_and_keeps_what_was_found(
        client: TestClient, runtime: Runtime) -> None:
    runtime.settings.narrative_max_chars = 300
    post_meta(client, direct_message("wamid.1", "Hello."))
    post_meta(client, direct_message("wamid.2", DISCLOSURE))
    for number in range(3, 6):
        post_meta(client, direct_message(f"wamid.{number}", "More about my day. " * 8))
    post_meta(client, direct_message("wamid.6", FOLLOWED))
    with runtime.database.read() as session:
        scanned = dict(session.execute(select(HarmFindingRow.harm_type,
                                              HarmFindingRow.scanned_text_length)).all())
    assert set(scanned) == {"modern_slavery", "stalking"}
    assert scanned["stalking"] <= 300
