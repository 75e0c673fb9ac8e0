"""Where call events imported from the telephony platform are kept: one row per call id."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, String
from sqlalchemy.orm import Mapped, mapped_column

from firstcontact.platform.db import Base, UTCDateTime


class TelephonyCallRow(Base):
    """One 999 or 101 call as the telephony platform reported it. The call id is unique, so
    importing the same calls again adds nothing."""

    __tablename__ = "telephony_calls"
    __table_args__ = (Index("ix_telephony_calls_offered_at", "offered_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[str] = mapped_column(String(64), unique=True)
    line: Mapped[str] = mapped_column(String(3))
    offered_at: Mapped[datetime] = mapped_column(UTCDateTime())
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    abandoned_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    handler: Mapped[str] = mapped_column(String(150))
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime())
