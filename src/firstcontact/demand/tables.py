"""Where incidents are stored."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from firstcontact.platform.db import Base, UTCDateTime


class IncidentRow(Base):
    __tablename__ = "incidents"
    __table_args__ = (Index("ix_incidents_status_review", "status", "review_due_at"),
                      Index("ix_incidents_opened_at", "opened_at"))

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str | None] = mapped_column(String(32), unique=True)
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id"), unique=True)
    grade: Mapped[str] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(String(20))
    nsir_category: Mapped[str] = mapped_column(String(40))
    opening_code: Mapped[str] = mapped_column(String(20))
    qualifiers: Mapped[list[str]]
    location: Mapped[str] = mapped_column(String(500))
    area_type: Mapped[str] = mapped_column(String(16))
    sector: Mapped[str] = mapped_column(String(40), default="unsectored",
                                        server_default="unsectored")
    summary: Mapped[str] = mapped_column(Text)
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime())
    opened_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    last_assessed_at: Mapped[datetime] = mapped_column(UTCDateTime())
    review_due_at: Mapped[datetime] = mapped_column(UTCDateTime())
    review_state: Mapped[str] = mapped_column(String(20))
    response_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    closing_code: Mapped[str | None] = mapped_column(String(20))
    result: Mapped[str | None] = mapped_column(String(40))
    finalised_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    version: Mapped[int] = mapped_column(default=1, server_default=text("1"))
    """Raised by every change a person makes: a form carries the version it was drawn from,
    and a change made against an older version is refused (two dispatchers, one incident)."""


class IncidentEventRow(Base):
    """One line of an incident's timeline: what happened, when, who did it, in words."""

    __tablename__ = "incident_events"
    __table_args__ = (Index("ix_incident_events_incident", "incident_id", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    kind: Mapped[str] = mapped_column(String(40))
    summary: Mapped[str] = mapped_column(Text)
    actor_username: Mapped[str] = mapped_column(String(150))
    detail: Mapped[dict[str, Any]]


class UnitRow(Base):
    """A unit the dispatcher can send: its call sign, kind, skills, sector and where it is.

    `incident_id` is set exactly while the unit is deployed; assigning is a conditional UPDATE
    on status "available", so two dispatchers can never send the same unit twice.
    """

    __tablename__ = "units"
    __table_args__ = (Index("ix_units_status_sector", "status", "sector"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    call_sign: Mapped[str] = mapped_column(String(20), unique=True)
    unit_type: Mapped[str] = mapped_column(String(40))
    skills: Mapped[list[str]]
    sector: Mapped[str] = mapped_column(String(40))
    shift: Mapped[str] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(String(20))
    incident_id: Mapped[int | None] = mapped_column(ForeignKey("incidents.id"), index=True)
    status_since: Mapped[datetime] = mapped_column(UTCDateTime())
