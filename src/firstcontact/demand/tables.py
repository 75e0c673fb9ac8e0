"""Where incidents are stored."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from firstcontact.platform.db import Base, UTCDateTime


class IncidentRow(Base):
    __tablename__ = "incidents"
    __table_args__ = (Index("ix_incidents_status_review", "status", "review_due_at"),)

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
    summary: Mapped[str] = mapped_column(Text)
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime())
    opened_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    last_assessed_at: Mapped[datetime] = mapped_column(UTCDateTime())
    review_due_at: Mapped[datetime] = mapped_column(UTCDateTime())
    review_state: Mapped[str] = mapped_column(String(20))
    response_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
