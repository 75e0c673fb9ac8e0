"""The SMTP listener (aiosmtpd) that takes the public's email to the digital desk.

It accepts mail only for the desk's own address (never relays), refuses whole messages over
settings.email_max_bytes (552), answers 550 to a message with no sender we can reply to, and
451 (try again later) if storing fails, so the sending server keeps the message and retries.
"""

from __future__ import annotations

import asyncio
import logging

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session

from firstcontact.contacts import mail
from firstcontact.contacts.mail_model import MalformedEmail
from firstcontact.platform.runtime import Runtime

log = logging.getLogger(__name__)


class DeskMailbox:
    """aiosmtpd handler: RCPT checks the address, DATA stores the message."""

    def __init__(self, rt: Runtime) -> None:
        self.rt = rt

    async def handle_RCPT(self, server: SMTP, session: Session, envelope: Envelope,
                          address: str, rcpt_options: list[str]) -> str:
        if address.strip().lower() != self.rt.settings.email_desk_address.lower():
            return "550 5.1.1 No such mailbox here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        raw = envelope.original_content or b""
        try:
            received = await asyncio.to_thread(mail.receive, self.rt, raw)
        except MalformedEmail as error:
            return f"550 5.6.0 {error}"
        except Exception:
            log.exception("an inbound email could not be stored")
            return "451 4.3.0 Could not store the message; try again later"
        return f"250 2.0.0 Received as {received.reference}"


def controller(rt: Runtime, port: int | None = None) -> Controller:
    """The listener, not yet started (`.start()` runs it in its own thread)."""
    settings = rt.settings
    return Controller(DeskMailbox(rt), hostname=settings.email_listen_host,
                      port=settings.email_listen_port if port is None else port,
                      data_size_limit=settings.email_max_bytes, decode_data=False)
