"""Where QA samples, the days already drawn at random, reviews, and the call events imported
from the telephony platform are stored."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Date, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from firstcontact.platform.db import Base, UTCDateTime


class SampleRow(Base):
    """A contact picked for a QA review, and why. One per contact per reason, so sampling the
    same period again adds nothing."""

    __tablename__ = "qa_samples"
    __table_args__ = (UniqueConstraint("contact_id", "reason", name="uq_qa_samples_contact_reason"),
                      Index("ix_qa_samples_sampled_at", "sampled_at"))

    id: Mapped[int] = mapped_column(primary_key=True)
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id"))
    reason: Mapped[str] = mapped_column(String(40))
    detail: Mapped[str] = mapped_column(Text)
    handler_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    happened_at: Mapped[datetime] = mapped_column(UTCDateTime())
    sampled_at: Mapped[datetime] = mapped_column(UTCDateTime())


class RandomDrawRow(Base):
    """One person's contacts on one day (Europe/London) have been drawn from at random: a day is
    drawn once, so a second run over the same period draws nothing more."""

    __tablename__ = "qa_random_draws"

    handler_user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    pool: Mapped[int]
    drawn: Mapped[int]
    drawn_at: Mapped[datetime] = mapped_column(UTCDateTime())


class QaReviewRow(Base):
    """A reviewer's scored review of one sampled contact, and the handler's acknowledgement."""

    __tablename__ = "qa_reviews"
    __table_args__ = (Index("ix_qa_reviews_handler", "handler_user_id", "reviewed_at"),
                      Index("ix_qa_reviews_reviewed_at", "reviewed_at"))

    id: Mapped[int] = mapped_column(primary_key=True)
    sample_id: Mapped[int] = mapped_column(ForeignKey("qa_samples.id"), unique=True)
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id"))
    handler_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    team: Mapped[str] = mapped_column(String(100))
    """The handler's team when reviewed, so a later move does not rewrite old trends."""
    scores: Mapped[dict[str, Any]] = mapped_column(JSON)
    notes: Mapped[dict[str, Any]] = mapped_column(JSON)
    summary: Mapped[str] = mapped_column(Text)
    reviewed_at: Mapped[datetime] = mapped_column(UTCDateTime())
    reviewed_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    acknowledgement: Mapped[str] = mapped_column(Text, default="")


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
