"""The running platform that services are handed: settings, database, clock and bus together."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from firstcontact.platform.clock import Clock, SystemClock
from firstcontact.platform.db import Database
from firstcontact.platform.events import Bus, Event, InProcessBus
from firstcontact.settings import Settings

log = logging.getLogger(__name__)

IntakeStep = Callable[["Runtime", Session, int], None]
"""Work done on a new contact once it is stored (hidden-harm scan, identity match, desk
placement): given the intake's session and the contact's id. Each step runs in its own
savepoint of that one transaction (contacts.service.run_intake_steps)."""
GrowthStep = Callable[["Runtime", Session, int, str], None]
"""Work done when a conversation's contact hears more from the public (a live chat or a
direct message goes on): given the session, the contact's id and all the public's words so
far, staff's own messages left out (a call handler's question is not a disclosure). Each step
runs in its own savepoint of the transaction that stores the message (contacts.service
.grown_in)."""


@dataclass
class Runtime:
    settings: Settings
    database: Database
    clock: Clock
    bus: Bus
    intake_steps: list[IntakeStep] = field(default_factory=list)
    """Run in order on each new contact, in the transaction that stores it (or, for a channel
    that stores its own records first, the one right after); wired by firstcontact.app."""
    growth_steps: list[GrowthStep] = field(default_factory=list)
    """Run in order each time a conversation's contact hears more from the public, in the
    transaction that stores the message; wired by firstcontact.app."""


def make_bus(settings: Settings) -> Bus:
    """In-process on SQLite; PostgreSQL LISTEN/NOTIFY when the database is PostgreSQL."""
    from firstcontact.platform.db import normalise_url

    url = normalise_url(settings.database_url)
    if url.startswith("postgresql"):
        from firstcontact.platform.pgbus import PostgresBus

        return PostgresBus(url)
    return InProcessBus()


def build_runtime(settings: Settings, clock: Clock | None = None,
                  bus: Bus | None = None) -> Runtime:
    chosen_bus = bus if bus is not None else make_bus(settings)

    def publish(staged: list[Event]) -> None:
        # The work is committed by now: a bus that cannot send (PostgreSQL restarting) must
        # not turn a stored contact into an error answer. Screens catch up on their next fetch.
        try:
            chosen_bus.publish(staged)
        except Exception:
            log.exception("%d event(s) committed but not announced on the bus", len(staged))

    database = Database(settings.database_url, on_commit=publish)
    return Runtime(settings=settings, database=database, clock=clock or SystemClock(),
                   bus=chosen_bus)
