"""Where hidden-harm findings are stored: one row per contact and harm type, with its evidence
and the member of staff's decision on it."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from firstcontact.platform.db import Base, UTCDateTime


class HarmFindingRow(Base):
    """What the scanner found for one harm type in one contact, and what staff decided."""

    __tablename__ = "harm_findings"
    __table_args__ = (UniqueConstraint("contact_id", "harm_type",
                                       name="uq_harm_findings_contact_type"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id"))
    harm_type: Mapped[str] = mapped_column(String(40))
    level: Mapped[str] = mapped_column(String(16))
    score: Mapped[float]
    evidence: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    """[{"indicator", "start", "end", "text"}]: spans in the text that was scanned."""
    action: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str] = mapped_column(Text, default="")
    qualifiers_added: Mapped[list[str]]
    scanned_text_length: Mapped[int]
    first_found_at: Mapped[datetime] = mapped_column(UTCDateTime())
    last_scanned_at: Mapped[datetime] = mapped_column(UTCDateTime())
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decided_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
