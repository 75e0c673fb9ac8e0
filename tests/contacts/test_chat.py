"""Live chat through its real websockets, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from starlette.websockets import WebSocketDisconnect

from firstcontact.contacts.tables import ChatMessageRow, ContactRow
from firstcontact.platform.audit import AuditEntry
from firstcontact.platform.clock import FixedClock
from firstcontact.platform.model import Role
from firstcontact.platform.runtime import Runtime
from firstcontact.settings import Settings
from tests.contacts.chat_support import (
    is_message,
    is_type,
    messages,
    send_frame,
    start_chat,
    until,
)
from tests.staff import api_headers, sign_in


@pytest.fixture
def settings(database_url: str) -> Settings:
    return Settings(database_url=database_url, timer_enabled=False, log_json=False,
                    secret_key="test-secret", chat_starts_per_hour=3,
                    chat_messages_per_minute=6)


def stored_messages(rt: Runtime) -> int:
    with rt.database.read() as session:
        return session.scalar(select(func.count()).select_from(ChatMessageRow)) or 0


def test_a_chat_opens_a_contact_and_waits_in_the_queue(client: TestClient, runtime: Runtime,
                                                       clock: FixedClock) -> None:
    opened = start_chat(client, "Sam Patel")
    clock.advance(timedelta(minutes=2, seconds=5))
    with client.websocket_connect("/chat/socket") as socket:
        socket.send_json({"type": "hello", "token": opened["token"], "after": 0})
        status = socket.receive_json()
    assert status == {"type": "status", "status": "waiting", "position": 1,
                      "wait_seconds": 125}
    with runtime.database.read() as session:
        contact = session.scalars(select(ContactRow)).one()
    assert (contact.channel, contact.caller_name) == ("chat", "Sam Patel")
    client.headers.update(api_headers(client, runtime, Role.DIGITAL_DESK))
    page = client.get("/desk/chat")
    assert page.status_code == 200
    assert "Sam Patel" in page.text and "2 min 5 s" in page.text


def test_a_message_is_stored_before_it_is_acknowledged_and_a_resend_is_not_repeated(
        client: TestClient, runtime: Runtime) -> None:
    opened = start_chat(client)
    with client.websocket_connect("/chat/socket") as socket:
        socket.send_json({"type": "hello", "token": opened["token"], "after": 0})
        until(socket, is_type("status"))
        frame = send_frame("My bike was stolen from outside the station")
        socket.send_json(frame)
        ack = until(socket, is_type("ack"))[-1]
        assert stored_messages(runtime) == 1  # stored by the time the ack arrived
        socket.send_json(frame)  # the browser resends after a dropped connection
        again = until(socket, is_type("ack"))[-1]
        assert again["id"] == ack["id"]
        socket.send_json(send_frame("It is a red Raleigh"))
        seen = until(socket, is_message("It is a red Raleigh"))
    assert stored_messages(runtime) == 2
    assert [m["id"] for m in messages(seen)].count(ack["id"]) <= 1


def test_reconnecting_replays_only_what_was_missed(client: TestClient) -> None:
    opened = start_chat(client)
    with client.websocket_connect("/chat/socket") as socket:
        socket.send_json({"type": "hello", "token": opened["token"], "after": 0})
        for text in ("one", "two"):
            socket.send_json(send_frame(text))
            until(socket, is_message(text))
    with client.websocket_connect("/chat/socket") as socket:  # a reload: whole history
        socket.send_json({"type": "hello", "token": opened["token"], "after": 0})
        seen = until(socket, is_message("two"))
    history = messages(seen)
    assert [m["text"] for m in history] == ["one", "two"]
    with client.websocket_connect("/chat/socket") as socket:  # a drop: only what was missed
        socket.send_json({"type": "hello", "token": opened["token"],
                          "after": history[0]["id"]})
        seen = until(socket, is_message("two"))
    assert [m["text"] for m in messages(seen)] == ["two"]


def test_an_agent_takes_the_chat_and_both_ends_see_each_other(
        client: TestClient, runtime: Runtime) -> None:
    opened = start_chat(client, "Sam")
    headers = api_headers(client, runtime, Role.DIGITAL_DESK)
    with client.websocket_connect("/chat/socket") as visitor, \
            client.websocket_connect("/desk/chat/socket", headers=headers) as agent:
        visitor.send_json({"type": "hello", "token": opened["token"], "after": 0})
        until(visitor, is_type("status"))
        queue = until(agent, is_type("queue"))[-1]
        assert [c["chat_id"] for c in queue["chats"]] == [opened["chat_id"]]
        until(agent, is_type("mine"))
        agent.send_json({"type": "take", "chat_id": opened["chat_id"]})
        taken = until(agent, is_type("taken"))[-1]
        assert taken["assess_url"].endswith("/assess")
        assert until(visitor, lambda f: f.get("status") == "active")
        visitor.send_json(send_frame("Hello, is anyone there?"))
        until(agent, is_message("Hello, is anyone there?"))
        agent.send_json(send_frame("Yes, I am here. Are you safe?", opened["chat_id"]))
        until(visitor, is_message("Yes, I am here. Are you safe?"))
    with runtime.database.read() as session:
        narrative = session.scalars(select(ContactRow.narrative)).one()
    assert narrative.index("anyone there") < narrative.index("Are you safe?")
    assess = client.get(taken["assess_url"], headers=headers)
    assert assess.status_code == 200
    with runtime.database.read() as session:
        purposes = set(session.scalars(select(AuditEntry.purpose).where(
            AuditEntry.subject_type == "chat")).all())
    assert {"live chat requested by the public", "digital desk answering a live chat",
            "live chat message"} <= purposes


def test_a_chat_already_taken_cannot_be_taken_again(client: TestClient,
                                                     runtime: Runtime) -> None:
    opened = start_chat(client)
    first = api_headers(client, runtime, Role.DIGITAL_DESK)
    second = api_headers(client, runtime, Role.DIGITAL_DESK)
    with client.websocket_connect("/desk/chat/socket", headers=first) as agent:
        agent.send_json({"type": "take", "chat_id": opened["chat_id"]})
        until(agent, is_type("taken"))
    with client.websocket_connect("/desk/chat/socket", headers=second) as other:
        other.send_json({"type": "take", "chat_id": opened["chat_id"]})
        error = until(other, is_type("error"))[-1]
        assert error["status"] == 409
        other.send_json(send_frame("Hello", opened["chat_id"]))
        assert until(other, is_type("error"))[-1]["status"] == 409
    assert stored_messages(runtime) == 0


@pytest.mark.parametrize("role", [Role.CALL_HANDLER, Role.TEAM_LEADER, Role.DISPATCHER])
def test_only_the_digital_desk_answers_chats(client: TestClient, runtime: Runtime,
                                             role: Role) -> None:
    headers = api_headers(client, runtime, role)
    with pytest.raises(WebSocketDisconnect) as closed, \
            client.websocket_connect("/desk/chat/socket", headers=headers) as socket:
        socket.receive_json()
    assert closed.value.code == 4403
    assert client.get("/desk/chat", headers=headers).status_code == 403


def test_a_desk_socket_from_another_site_is_refused(client: TestClient,
                                                     runtime: Runtime) -> None:
    sign_in(client, runtime, Role.DIGITAL_DESK)
    with pytest.raises(WebSocketDisconnect) as closed, client.websocket_connect(
            "/desk/chat/socket", headers={"origin": "https://evil.example"}) as socket:
        socket.receive_json()
    assert closed.value.code == 4403


def test_bad_frames_are_answered_with_the_field_at_fault(client: TestClient,
                                                        runtime: Runtime) -> None:
    opened = start_chat(client)
    with client.websocket_connect("/chat/socket") as socket:
        socket.send_json({"type": "hello", "token": opened["token"], "after": 0})
        until(socket, is_type("status"))
        for frame, field in ((send_frame(""), "text"),
                             (send_frame("<script>alert(1)</script>"), "text"),
                             (send_frame("x" * 2001), "text"),
                             (send_frame("hello", client_id="no"), "client_id")):
            socket.send_json(frame)
            error = until(socket, is_type("error"))[-1]
            assert (error["status"], error["field"]) == (422, field)
        socket.send_text("not json")
        assert until(socket, is_type("error"))[-1]["status"] == 400
        socket.send_json(["a", "list"])
        assert until(socket, is_type("error"))[-1]["status"] == 400
    assert stored_messages(runtime) == 0
    headers = api_headers(client, runtime, Role.DIGITAL_DESK)
    with client.websocket_connect("/desk/chat/socket", headers=headers) as agent:
        for chat_id in ("abc", None, -4, 99999):
            agent.send_json({"type": "take", "chat_id": chat_id})
            assert until(agent, is_type("error"))[-1]["status"] == 404
    with pytest.raises(WebSocketDisconnect) as closed, \
            client.websocket_connect("/chat/socket") as socket:
        socket.send_json({"type": "hello", "token": "guessed", "after": 0})
        socket.receive_json()
    assert closed.value.code == 4401


def test_a_flood_from_one_address_is_told_to_wait(client: TestClient,
                                                  runtime: Runtime) -> None:
    opened = [start_chat(client) for _ in range(3)]
    refused = client.post("/api/chat/start", json={"name": "Sam"})
    assert refused.status_code == 429
    assert "Wait" in refused.json()["detail"]
    assert int(refused.headers["retry-after"]) > 0
    with client.websocket_connect("/chat/socket") as socket:
        socket.send_json({"type": "hello", "token": opened[0]["token"], "after": 0})
        until(socket, is_type("status"))
        for number in range(6):
            socket.send_json(send_frame(f"message {number}"))
            until(socket, is_type("ack"))
        socket.send_json(send_frame("one too many"))
        error = until(socket, is_type("error"))[-1]
    assert error["status"] == 429 and "Wait" in error["message"]
    assert stored_messages(runtime) == 6


def test_the_public_chat_page_loads_its_script_from_a_file(client: TestClient) -> None:
    page = client.get("/chat")
    assert page.status_code == 200
    assert '<script src="/static/contacts-chat.js" defer></script>' in page.text
    assert "call 999" in page.text
    assert client.get("/static/contacts-chat.js").status_code == 200
    assert "connect-src 'self'" in page.headers["content-security-policy"]
