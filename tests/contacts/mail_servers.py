"""Real SMTP in tests: the desk's listener on a free port, and an outbox server catching what
the desk sends (both aiosmtpd, in-process)."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session

DESK = "digital-desk@example.police.uk"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@dataclass
class Outbox:
    """Every message the desk sent, parsed."""

    messages: list[EmailMessage] = field(default_factory=list)

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        parsed = message_from_bytes(envelope.original_content or b"", policy=policy.default)
        assert isinstance(parsed, EmailMessage)
        self.messages.append(parsed)
        return "250 OK"


@contextmanager
def outbox_server(port: int) -> Iterator[Outbox]:
    outbox = Outbox()
    server = Controller(outbox, hostname="127.0.0.1", port=port, decode_data=False)
    server.start()
    try:
        yield outbox
    finally:
        server.stop()


def email(subject: str, body: str, *, sender: str = "Mo Farah <mo@example.org>",
          message_id: str | None = None, in_reply_to: str | None = None) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = DESK
    message["Subject"] = subject
    if message_id:
        message["Message-ID"] = message_id
    if in_reply_to:
        message["In-Reply-To"] = in_reply_to
        message["References"] = in_reply_to
    message.set_content(body)
    return message
