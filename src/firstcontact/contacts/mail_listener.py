"""The SMTP listener (aiosmtpd) that takes the public's email to the digital desk.

It accepts mail only for the desk's own address (never relays), refuses whole messages over
settings.email_max_bytes (552), answers 550 to a message with no sender we can reply to, and
451 (try again later) if storing fails, so the sending server keeps the message and retries.
A sender address or sending server over its hourly limit is told 451 too: a flood waits, and
a real message held back by it is delivered when the hour turns, never lost.
"""

from __future__ import annotations

import asyncio
import logging
import math
from datetime import timedelta

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session

from firstcontact.contacts import flood, mail
from firstcontact.contacts.mail_model import MalformedEmail
from firstcontact.platform.runtime import Runtime

log = logging.getLogger(__name__)
FLOODED = "Too many messages from this sender: try again in {0} minutes"


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
        server_address = str(session.peer[0]) if session.peer else "unknown"
        wait = await asyncio.to_thread(flood_wait, self.rt, server_address,
                                       envelope.mail_from or "")
        if wait:
            return f"451 4.7.1 {FLOODED.format(math.ceil(wait / 60))}"
        try:
            received = await asyncio.to_thread(mail.receive, self.rt, raw)
        except MalformedEmail as error:
            return f"550 5.6.0 {error}"
        except Exception:
            log.exception("an inbound email could not be stored")
            return "451 4.3.0 Could not store the message; try again later"
        return f"250 2.0.0 Received as {received.reference}"


def flood_wait(rt: Runtime, server_address: str, sender: str) -> int:
    """Seconds until this message may be taken (0: now), counting it against the sender's and
    the sending server's hourly limits (contacts.flood, shared by every worker)."""
    settings, hour = rt.settings, timedelta(hours=1)
    by_sender = flood.retry_after(rt, "email", sender.strip().lower(),
                                  settings.email_messages_per_hour, hour)
    by_server = flood.retry_after(rt, "email-server", server_address,
                                  settings.email_messages_per_server_hour, hour)
    return max(by_sender, by_server)


def controller(rt: Runtime, port: int | None = None) -> Controller:
    """The listener, not yet started (`.start()` runs it in its own thread)."""
    settings = rt.settings
    return Controller(DeskMailbox(rt), hostname=settings.email_listen_host,
                      port=settings.email_listen_port if port is None else port,
                      data_size_limit=settings.email_max_bytes, decode_data=False)
