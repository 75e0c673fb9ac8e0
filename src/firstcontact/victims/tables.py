"""Where victims and their Victims' Code entitlements are stored."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from firstcontact.platform.db import Base, UTCDateTime


class VictimRow(Base):
    """A victim of a crime recorded at first contact: how to reach them and what they chose."""

    __tablename__ = "victims"
    __table_args__ = (Index("ix_victims_reported_at", "reported_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id"))
    crime_reference: Mapped[str] = mapped_column(String(32))
    crime_type: Mapped[str] = mapped_column(String(40))
    crime_summary: Mapped[str] = mapped_column(Text)
    channel: Mapped[str] = mapped_column(String(32))
    reported_at: Mapped[datetime] = mapped_column(UTCDateTime())
    name: Mapped[str] = mapped_column(String(200))
    contact_preference: Mapped[str] = mapped_column(String(20))
    email: Mapped[str] = mapped_column(String(254))
    phone: Mapped[str] = mapped_column(String(32))
    postal_address: Mapped[str] = mapped_column(String(500))
    language: Mapped[str] = mapped_column(String(200))
    communication_needs: Mapped[str] = mapped_column(Text)
    referral_consent: Mapped[str] = mapped_column(String(20))
    """How the referral may be passed on: "explicit" or "opt_out"."""
    consent_given: Mapped[bool | None]
    """None until the victim is asked (explicit) or while they have not opted out (opt_out)."""
    enhanced: Mapped[bool]
    enhanced_reasons: Mapped[list[str]]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class EntitlementRow(Base):
    """One entitlement owed to one victim, its state and the evidence it was delivered."""

    __tablename__ = "victim_entitlements"
    __table_args__ = (Index("ix_victim_entitlements_state_due", "state", "due_at"),
                      Index("ix_victim_entitlements_victim", "victim_id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    victim_id: Mapped[int] = mapped_column(ForeignKey("victims.id"))
    code: Mapped[str] = mapped_column(String(60))
    state: Mapped[str] = mapped_column(String(20))
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    """The first instant after the London day it is due on (None: no separate date)."""
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    delivered_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    method: Mapped[str] = mapped_column(String(20), default="")
    evidence: Mapped[str] = mapped_column(Text, default="")
    reason: Mapped[str] = mapped_column(Text, default="")
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str] = mapped_column(Text, default="")
