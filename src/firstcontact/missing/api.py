"""JSON routes for missing-person reports: report, read, risk review, found."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends
from pydantic import BaseModel

from firstcontact.missing import service
from firstcontact.platform.model import Actor, Permission
from firstcontact.platform.runtime import Runtime
from firstcontact.web.deps import RowId, get_runtime, require

router = APIRouter(prefix="/api/missing", tags=["missing people"])

RuntimeDep = Annotated[Runtime, Depends(get_runtime)]
Reporter = Annotated[Actor, Depends(require(Permission.MISSING_REPORT))]
Reviewer = Annotated[Actor, Depends(require(Permission.MISSING_REVIEW))]


class ReportIn(BaseModel):
    person_id: int | None = None
    missing_name: str | None = None
    """Instead of person_id: the missing person's name (and date of birth), matched to People."""
    missing_date_of_birth: str | None = None
    contact_id: int | None = None
    description: str | None = None
    circumstances: str | None = None
    last_seen_at: str | None = None
    last_seen_place: str | None = None
    age: int | None = None
    medical_needs: str | None = None
    medication: str | None = None
    mental_health: str | None = None
    dementia: bool = False
    herbert_protocol: str | None = None
    child_in_care: bool = False
    local_authority_agency_id: int | None = None
    previous_episodes: str | None = None
    risk_factors: list[str] = []
    risk_level: str | None = None
    risk_rationale: str | None = None


class DecisionIn(BaseModel):
    risk_level: str | None = None
    risk_rationale: str | None = None


class FoundIn(BaseModel):
    found_at: str | None = None
    outcome: str | None = None
    outcome_note: str | None = None


class HeldIn(BaseModel):
    held_at: str | None = None


class DecisionOut(BaseModel):
    level: str
    suggested_level: str
    suggested_because: list[str]
    overridden: bool
    rationale: str
    decided_at: datetime


class ReportOut(BaseModel):
    id: int
    person_id: int
    contact_id: int | None
    episode: int
    episodes: int
    previous_report_id: int | None
    details: dict[str, str]
    last_seen_at: datetime
    last_seen_place: str
    age: int | None
    child: bool
    dementia: bool
    child_in_care: bool
    local_authority_agency_id: int | None
    referral_id: int | None
    risk_factors: list[str]
    risk_level: str
    review_due_at: datetime | None
    review_overdue: bool
    status: str
    found_at: datetime | None
    outcome: str | None
    return_interview_due_at: datetime | None
    return_interview_overdue: bool
    return_interview_held_at: datetime | None
    decisions: list[DecisionOut]

    @classmethod
    def of(cls, view: service.ReportView) -> ReportOut:
        row = view.row
        columns: dict[str, Any] = {name: getattr(row, name) for name in cls.model_fields
                                   if name not in ("episodes", "decisions")}
        columns["details"] = {str(k): str(v) for k, v in row.details.items()}
        return cls(**columns, episodes=view.episodes, decisions=[
            DecisionOut(level=d.level, suggested_level=d.suggested_level,
                        suggested_because=list(d.suggested_because), overridden=d.overridden,
                        rationale=d.rationale, decided_at=d.decided_at)
            for d in view.decisions])


@router.post("", response_model=ReportOut, status_code=201,
             summary="Report a person missing, with staff's risk level and rationale")
def report(body: ReportIn, rt: RuntimeDep, actor: Reporter) -> ReportOut:
    return ReportOut.of(service.report(rt, actor, body.model_dump()))


@router.get("/{report_id}", response_model=ReportOut)
def get_report(report_id: RowId, rt: RuntimeDep, actor: Reporter) -> ReportOut:
    return ReportOut.of(service.get_report(rt, actor, report_id))


@router.post("/{report_id}/reviews", response_model=ReportOut,
             summary="Review the risk level (a supervisor): level and rationale")
def review(report_id: RowId, body: DecisionIn, rt: RuntimeDep, actor: Reviewer) -> ReportOut:
    return ReportOut.of(service.review(rt, actor, report_id, body.model_dump()))


@router.post("/{report_id}/found", response_model=ReportOut,
             summary="Record that the person was found or returned, and how")
def found(report_id: RowId, body: FoundIn, rt: RuntimeDep, actor: Reporter) -> ReportOut:
    return ReportOut.of(service.found(rt, actor, report_id, body.model_dump()))


@router.post("/{report_id}/return-interview", response_model=ReportOut,
             summary="Record that the child's return home interview was held")
def return_interview(report_id: RowId, body: HeldIn, rt: RuntimeDep,
                     actor: Reporter) -> ReportOut:
    return ReportOut.of(service.return_interview_held(rt, actor, report_id, body.model_dump()))
