"""Where People are stored: a Person, the records that describe them, the blocking keys that
find them, the matches offered to staff, and each merge (kept so it can be undone)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Date, Float, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from firstcontact.platform.db import Base, UTCDateTime


class PersonRow(Base):
    __tablename__ = "people"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    """Set while this person is merged into another (their records then belong there)."""


class PersonRecordRow(Base):
    """One description of a person, as one contact (or import) gave it."""

    __tablename__ = "person_records"
    __table_args__ = (Index("ix_person_records_person_id", "person_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("contacts.id"))
    given_name: Mapped[str] = mapped_column(String(200))
    surname: Mapped[str] = mapped_column(String(200))
    date_of_birth: Mapped[str] = mapped_column(String(8))
    address: Mapped[str] = mapped_column(String(500))
    postcode: Mapped[str] = mapped_column(String(16))
    phone: Mapped[str] = mapped_column(String(32))
    email: Mapped[str] = mapped_column(String(254))
    social_handle: Mapped[str] = mapped_column(String(230), default="", server_default="")
    """"platform:id" of a social-media sender (people.model.social_handle)."""
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class PersonKeyRow(Base):
    __tablename__ = "person_keys"
    __table_args__ = (Index("ix_person_keys_key", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(300))
    record_id: Mapped[int] = mapped_column(ForeignKey("person_records.id"))


class MatchOfferRow(Base):
    """A likely match below the auto-link threshold, waiting for staff to confirm or reject."""

    __tablename__ = "person_match_offers"
    __table_args__ = (Index("ix_person_match_offers_status", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    record_id: Mapped[int] = mapped_column(ForeignKey("person_records.id"))
    candidate_person_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    score: Mapped[float] = mapped_column(Float)
    explanation: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decided_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class PersonMergeRow(Base):
    __tablename__ = "person_merges"

    id: Mapped[int] = mapped_column(primary_key=True)
    kept_person_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    merged_person_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    record_ids: Mapped[list[Any]] = mapped_column(JSON)
    """The records moved by the merge: exactly these go back on unmerge."""
    reason: Mapped[str] = mapped_column(Text)
    merged_at: Mapped[datetime] = mapped_column(UTCDateTime())
    merged_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    unmerged_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class ManagementPlanRow(Base):
    """A frequent caller's agreed multi-agency plan: how to respond, with whom, review when."""

    __tablename__ = "person_management_plans"
    __table_args__ = (Index("ix_person_management_plans_person_id", "person_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    agreed_response: Mapped[str] = mapped_column(Text)
    partner_agency: Mapped[str] = mapped_column(String(200))
    review_on: Mapped[date] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    created_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class AgencyRow(Base):
    __tablename__ = "partner_agencies"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    agency_type: Mapped[str] = mapped_column(String(60))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class AgencyMemberRow(Base):
    """A partner-agency user's agency: they see only referrals made to it."""

    __tablename__ = "partner_agency_members"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("partner_agencies.id"))


class ReferralRow(Base):
    __tablename__ = "referrals"
    __table_args__ = (Index("ix_referrals_agency_id", "agency_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("partner_agencies.id"))
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    reason: Mapped[str] = mapped_column(Text)
    lawful_basis: Mapped[str] = mapped_column(String(60))
    extract: Mapped[dict[str, Any]]
    """The minimised data the agency receives, fixed when the referral is made."""
    status: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    created_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
