"""Victims-room fixtures: staff, a crime recorded for a victim caller, a real SMTP server."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session
from fastapi.testclient import TestClient

from firstcontact.platform.model import Role
from firstcontact.platform.runtime import Runtime
from tests.risk.flow import assess, new_contact
from tests.staff import api_headers
from tests.victims.notify_server import NotifyServer, running_notify

REFUSED = "nobody@refused.example"


@pytest.fixture
def handler(client: TestClient, runtime: Runtime) -> dict[str, str]:
    return api_headers(client, runtime, Role.CALL_HANDLER)


@pytest.fixture
def care(client: TestClient, runtime: Runtime) -> dict[str, str]:
    return api_headers(client, runtime, Role.VICTIM_CARE)


def record_crime(client: TestClient, headers: dict[str, str], opening_code: str = "CR-BUR",
                 qualifiers: tuple[str, ...] = (), category: str = "crime",
                 **contact: Any) -> int:
    """A contact walked to a determination; returns the contact id."""
    contact_id = new_contact(client, headers, **contact)
    suggested = assess(client, headers, contact_id)["suggestion"]["grade"]
    response = client.post(f"/api/contacts/{contact_id}/determination", headers=headers, json={
        "grade": suggested, "nsir_category": category, "opening_code": opening_code,
        "qualifiers": list(qualifiers)})
    assert response.status_code == 201, response.text
    return contact_id


def victim_of(client: TestClient, care: dict[str, str], contact_id: int) -> dict[str, Any]:
    queue = client.get("/api/victims/queue", headers=care).json()
    victim_ids = {item["victim_id"] for item in queue}
    for victim_id in sorted(victim_ids):
        victim: dict[str, Any] = client.get(f"/api/victims/{victim_id}", headers=care).json()
        if victim["contact_id"] == contact_id:
            return victim
    raise AssertionError(f"no victim for contact {contact_id}")


@dataclass
class Mailbox:
    """What the test SMTP server received."""

    host: str
    port: int
    messages: list[Envelope] = field(default_factory=list)

    async def handle_RCPT(self, server: SMTP, session: Session, envelope: Envelope,
                          address: str, rcpt_options: list[str]) -> str:
        if address == REFUSED:
            return "550 5.1.1 No such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        self.messages.append(envelope)
        return "250 Message accepted for delivery"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@pytest.fixture
def mailbox(runtime: Runtime) -> Iterator[Mailbox]:
    """A real SMTP server on localhost, and the runtime's settings pointed at it."""
    box = Mailbox("127.0.0.1", free_port())
    controller = Controller(box, hostname=box.host, port=box.port)
    controller.start()
    runtime.settings.smtp_host, runtime.settings.smtp_port = box.host, box.port
    yield box
    controller.stop()


@pytest.fixture
def notify_server(runtime: Runtime) -> Iterator[NotifyServer]:
    """A local HTTP server answering like GOV.UK Notify (see notify_server.py)."""
    with running_notify(runtime) as server:
        yield server
