"""Where missing-person reports are stored, with every risk decision kept (never overwritten)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from firstcontact.platform.db import Base, UTCDateTime


class MissingReportRow(Base):
    """One missing episode of one Person; repeat episodes point at the one before."""

    __tablename__ = "missing_reports"
    __table_args__ = (Index("ix_missing_reports_person_id", "person_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("contacts.id"))
    episode: Mapped[int]
    """1 for the person's first report, 2 for the next, and so on."""
    previous_report_id: Mapped[int | None] = mapped_column(ForeignKey("missing_reports.id"))
    details: Mapped[dict[str, Any]] = mapped_column(JSON)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime())
    last_seen_place: Mapped[str] = mapped_column(String(300))
    age: Mapped[int | None]
    child: Mapped[bool] = mapped_column(Boolean)
    dementia: Mapped[bool] = mapped_column(Boolean)
    child_in_care: Mapped[bool] = mapped_column(Boolean)
    local_authority_agency_id: Mapped[int | None] = mapped_column(
        ForeignKey("partner_agencies.id"))
    referral_id: Mapped[int | None] = mapped_column(ForeignKey("referrals.id"))
    risk_factors: Mapped[list[Any]] = mapped_column(JSON)
    risk_level: Mapped[str] = mapped_column(String(20))
    review_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    review_overdue: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[str] = mapped_column(String(10))
    found_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    outcome: Mapped[str | None] = mapped_column(String(20))
    outcome_note: Mapped[str | None] = mapped_column(Text)
    return_interview_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    return_interview_overdue: Mapped[bool] = mapped_column(Boolean, default=False)
    return_interview_held_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    created_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class RiskDecisionRow(Base):
    """A risk level staff chose, why, and what the factors suggested (an override shows)."""

    __tablename__ = "missing_risk_decisions"
    __table_args__ = (Index("ix_missing_risk_decisions_report_id", "report_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("missing_reports.id"))
    level: Mapped[str] = mapped_column(String(20))
    suggested_level: Mapped[str] = mapped_column(String(20))
    suggested_because: Mapped[list[Any]] = mapped_column(JSON)
    overridden: Mapped[bool] = mapped_column(Boolean)
    rationale: Mapped[str] = mapped_column(Text)
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime())
    decided_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
