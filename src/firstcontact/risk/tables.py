"""Where THRIVE assessments and determinations are stored."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from firstcontact.platform.db import Base, UTCDateTime


class AssessmentRow(Base):
    """One THRIVE assessment, with the grade the policy suggested and why."""

    __tablename__ = "assessments"
    __table_args__ = (Index("ix_assessments_contact", "contact_id", "assessed_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id"))
    incident_id: Mapped[int | None] = mapped_column(ForeignKey("incidents.id"))
    kind: Mapped[str] = mapped_column(String(20))
    answers: Mapped[dict[str, Any]]
    details: Mapped[dict[str, Any]]
    risk_escalating: Mapped[bool]
    notes: Mapped[dict[str, Any]]
    ndm: Mapped[dict[str, Any]]
    suggested_grade: Mapped[str] = mapped_column(String(40))
    suggestion_reasons: Mapped[list[str]]
    assessed_at: Mapped[datetime] = mapped_column(UTCDateTime())
    assessed_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class DeterminationRow(Base):
    """The handler's decision on a contact: one per contact."""

    __tablename__ = "determinations"

    id: Mapped[int] = mapped_column(primary_key=True)
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id"), unique=True)
    assessment_id: Mapped[int] = mapped_column(ForeignKey("assessments.id"))
    grade: Mapped[str] = mapped_column(String(40))
    suggested_grade: Mapped[str] = mapped_column(String(40))
    is_override: Mapped[bool]
    rationale: Mapped[str] = mapped_column(Text)
    nsir_category: Mapped[str] = mapped_column(String(40))
    opening_code: Mapped[str] = mapped_column(String(20))
    qualifiers: Mapped[list[str]]
    response_target_minutes: Mapped[int | None]
    response_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    determined_at: Mapped[datetime] = mapped_column(UTCDateTime())
    determined_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    incident_id: Mapped[int | None] = mapped_column(ForeignKey("incidents.id"))


class ReviewRow(Base):
    """A re-THRIVE decision on an open incident: its THRIVE record (kind "review"), the grade
    before and after, the rationale and what changed, and when the next review falls due."""

    __tablename__ = "reviews"
    __table_args__ = (Index("ix_reviews_incident", "incident_id", "reviewed_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id"))
    assessment_id: Mapped[int] = mapped_column(ForeignKey("assessments.id"), unique=True)
    previous_grade: Mapped[str] = mapped_column(String(40))
    grade: Mapped[str] = mapped_column(String(40))
    suggested_grade: Mapped[str] = mapped_column(String(40))
    rationale: Mapped[str] = mapped_column(Text)
    what_changed: Mapped[str] = mapped_column(Text)
    was_due_at: Mapped[datetime] = mapped_column(UTCDateTime())
    next_review_due_at: Mapped[datetime] = mapped_column(UTCDateTime())
    reviewed_at: Mapped[datetime] = mapped_column(UTCDateTime())
    reviewed_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
