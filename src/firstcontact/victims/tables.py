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
    party: Mapped[str] = mapped_column(String(20), default="person", server_default="person")
    """Who the victim is (a policy party: person, child, bereaved_relative, business)."""
    contact_name: Mapped[str] = mapped_column(String(200), default="", server_default="")
    """Who receives the letters when it is not the victim: a business's named contact, an
    under-18's parent or guardian."""
    relationship: Mapped[str] = mapped_column(String(200), default="", server_default="")
    """The parent or guardian's relationship to the child, or the bereaved relative's to the
    person who died (e.g. "mother", "son of Peter Jones")."""
    victim_age: Mapped[int | None]
    team: Mapped[str] = mapped_column(String(100), default="", server_default="")
    """The team of the member of staff who recorded the crime (the compliance split)."""


class CrimeReportedRow(Base):
    """A crime recorded at first contact, as the victims room needs it to add its victims:
    whoever the caller was, staff can add the people (or business) it happened to."""

    __tablename__ = "victim_crimes"

    id: Mapped[int] = mapped_column(primary_key=True)
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id"), unique=True)
    crime_reference: Mapped[str] = mapped_column(String(32), index=True)
    crime_type: Mapped[str] = mapped_column(String(40))
    flags: Mapped[list[str]]
    team: Mapped[str] = mapped_column(String(100))
    recorded_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime())


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
