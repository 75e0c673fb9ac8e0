"""JSON routes for THRIVE assessments and determinations at first contact."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends
from pydantic import BaseModel, Field

from firstcontact.demand.api import IncidentOut
from firstcontact.platform.model import Actor, Permission
from firstcontact.platform.runtime import Runtime
from firstcontact.risk import service
from firstcontact.risk.model import (
    DETAIL_OPTIONS,
    ELEMENT_OPTIONS,
    NDM_STAGES,
    Grade,
    parse_thrive,
)
from firstcontact.web.deps import RowId, get_runtime, require

router = APIRouter(prefix="/api/contacts", tags=["THRIVE and determination"])

RuntimeDep = Annotated[Runtime, Depends(get_runtime)]
Assessor = Annotated[Actor, Depends(require(Permission.ASSESSMENT_CREATE))]
Reader = Annotated[Actor, Depends(require(Permission.CONTACT_READ))]
Text = Annotated[str, Field(max_length=20_000)]


class ElementIn(BaseModel):
    """One THRIVE element: the structured answer and the handler's note."""

    answer: str = Field(max_length=40, description="One of the element's options")
    note: Text = ""


class ThriveIn(BaseModel):
    threat: ElementIn = Field(description=f"answer in {ELEMENT_OPTIONS['threat']}")
    harm: ElementIn = Field(description=f"answer in {ELEMENT_OPTIONS['harm']}")
    risk: ElementIn = Field(description=f"answer in {ELEMENT_OPTIONS['risk']}")
    investigation: ElementIn = Field(description=f"answer in {ELEMENT_OPTIONS['investigation']}")
    vulnerability: ElementIn = Field(description=f"answer in {ELEMENT_OPTIONS['vulnerability']}")
    engagement: ElementIn = Field(description=f"answer in {ELEMENT_OPTIONS['engagement']}")
    risk_escalating: bool = False
    threat_to: list[Annotated[str, Field(max_length=40)]] = Field(
        default=[], max_length=20, description=f"any of {DETAIL_OPTIONS['threat_to']}")
    harm_kinds: list[Annotated[str, Field(max_length=40)]] = Field(
        default=[], max_length=20, description=f"any of {DETAIL_OPTIONS['harm_kinds']}")
    investigation_opportunities: list[Annotated[str, Field(max_length=40)]] = Field(
        default=[], max_length=20,
        description=f"any of {DETAIL_OPTIONS['investigation_opportunities']}")
    vulnerability_factors: list[Annotated[str, Field(max_length=40)]] = Field(
        default=[], max_length=20, description=f"any of {DETAIL_OPTIONS['vulnerability_factors']}")
    ndm: dict[str, Text] = Field(description=f"rationale for each NDM stage: {list(NDM_STAGES)}",
                                 max_length=10)

    def fields(self) -> dict[str, str | list[str] | None]:
        fields: dict[str, str | list[str] | None] = {}
        for name in ELEMENT_OPTIONS:
            element: ElementIn = getattr(self, name)
            fields[name] = element.answer
            fields[f"{name}_note"] = element.note
        for name in DETAIL_OPTIONS:
            fields[name] = list(getattr(self, name))
        fields["risk_escalating"] = "yes" if self.risk_escalating else "no"
        fields.update({f"ndm_{stage}": self.ndm.get(stage) for stage in NDM_STAGES})
        return fields


class SuggestionOut(BaseModel):
    grade: Grade
    reasons: list[str]


class AssessmentOut(BaseModel):
    id: int
    contact_id: int
    kind: str
    answers: dict[str, str]
    notes: dict[str, str]
    details: dict[str, list[str]]
    risk_escalating: bool
    ndm: dict[str, str]
    suggestion: SuggestionOut
    assessed_at: datetime

    @classmethod
    def of(cls, view: service.AssessmentView) -> AssessmentOut:
        thrive = view.thrive
        return cls(id=view.id, contact_id=view.contact_id, kind=view.kind,
                   answers=dict(thrive.answers), notes=dict(thrive.notes),
                   details={k: list(v) for k, v in thrive.details.items()},
                   risk_escalating=thrive.risk_escalating, ndm=dict(thrive.ndm),
                   suggestion=SuggestionOut(grade=view.suggestion.grade,
                                            reasons=list(view.suggestion.reasons)),
                   assessed_at=view.assessed_at)


class DeterminationIn(BaseModel):
    grade: str = Field(max_length=40)
    rationale: Text = Field("", description="Required when the grade differs from the suggestion")
    nsir_category: str = Field(max_length=40)
    opening_code: str = Field(max_length=20)
    qualifiers: list[Annotated[str, Field(max_length=60)]] = Field(default=[], max_length=30)


class DeterminationOut(BaseModel):
    id: int
    contact_id: int
    grade: Grade
    suggested_grade: Grade
    is_override: bool
    rationale: str
    nsir_category: str
    opening_code: str
    qualifiers: list[str]
    response_target_minutes: int | None
    response_due_at: datetime | None
    determined_at: datetime
    incident: IncidentOut | None

    @classmethod
    def of(cls, view: service.DeterminationView) -> DeterminationOut:
        d = view.decision
        return cls(id=view.id, contact_id=view.contact_id, grade=d.grade,
                   suggested_grade=d.suggested_grade, is_override=d.is_override,
                   rationale=d.rationale, nsir_category=d.nsir_category,
                   opening_code=d.opening_code, qualifiers=list(d.qualifiers),
                   response_target_minutes=view.response_target_minutes,
                   response_due_at=view.response_due_at, determined_at=view.determined_at,
                   incident=IncidentOut.of(view.incident) if view.incident else None)


@router.post("/{contact_id}/assessments", status_code=201, response_model=AssessmentOut,
             summary="Record a THRIVE assessment; the answer carries the suggested grade")
def assess(contact_id: RowId, body: ThriveIn, rt: RuntimeDep, actor: Assessor) -> AssessmentOut:
    return AssessmentOut.of(service.assess(rt, actor, contact_id, parse_thrive(body.fields())))


@router.post("/{contact_id}/determination", status_code=201, response_model=DeterminationOut,
             summary="Record the determination; opens an incident when the grade needs one")
def determine(contact_id: RowId, body: DeterminationIn, rt: RuntimeDep,
              actor: Assessor) -> DeterminationOut:
    fields = {"grade": body.grade, "rationale": body.rationale,
              "nsir_category": body.nsir_category, "opening_code": body.opening_code,
              "qualifiers": list(body.qualifiers)}
    return DeterminationOut.of(service.determine(rt, actor, contact_id, fields))


class ContactFileOut(BaseModel):
    contact_id: int
    assessments: list[AssessmentOut]
    determination: DeterminationOut | None
    trail: list[dict[str, str | int | None]]


@router.get("/{contact_id}/file", response_model=ContactFileOut,
            summary="The contact's THRIVE history, determination and audit trail (audited)")
def contact_file(contact_id: RowId, rt: RuntimeDep, actor: Reader) -> ContactFileOut:
    found = service.contact_file(rt, actor, contact_id)
    return ContactFileOut(
        contact_id=contact_id, assessments=[AssessmentOut.of(a) for a in found.assessments],
        determination=DeterminationOut.of(found.determination) if found.determination else None,
        trail=[{"id": e.id, "at": e.at.isoformat(), "actor": e.actor_username,
                "action": e.action, "subject_type": e.subject_type,
                "subject_id": e.subject_id, "purpose": e.purpose} for e in found.trail],
    )


incidents_router = APIRouter(prefix="/api/incidents", tags=["re-THRIVE"])
Reviewer = Annotated[Actor, Depends(require(Permission.INCIDENT_REVIEW))]


class ReviewIn(ThriveIn):
    """A re-THRIVE: the full THRIVE again, the grade from now, and why."""

    grade: str = Field(max_length=40, description="The grade from now (one that keeps the "
                                                  "incident open)")
    rationale: Text = Field(description="Why this grade (required)")
    what_changed: Text = Field(description="What has changed since the last THRIVE (required)")
    version: int = Field(description="The incident version this review was made against; a "
                                     "stale version is refused with 409")


class ReviewOut(BaseModel):
    id: int
    assessment: AssessmentOut
    grade: Grade
    suggested_grade: Grade
    rationale: str
    what_changed: str
    incident: IncidentOut


@incidents_router.post("/{incident_id}/reviews", status_code=201, response_model=ReviewOut,
                       summary="Re-THRIVE an open incident; sets its next review deadline")
def reassess(incident_id: RowId, body: ReviewIn, rt: RuntimeDep, actor: Reviewer) -> ReviewOut:
    fields = body.fields()
    fields.update(grade=body.grade, rationale=body.rationale, what_changed=body.what_changed)
    done = service.reassess(rt, actor, incident_id, parse_thrive(fields), fields, body.version)
    return ReviewOut(id=done.id, assessment=AssessmentOut.of(done.assessment),
                     grade=done.review.grade, suggested_grade=done.review.suggested_grade,
                     rationale=done.review.rationale, what_changed=done.review.what_changed,
                     incident=IncidentOut.of(done.incident))



Dispatcher = Annotated[Actor, Depends(require(Permission.INCIDENT_DISPATCH))]


class FinaliseIn(BaseModel):
    closing_code: str = Field(max_length=20, description="An NSIR closing code (any category)")
    result: str = Field(max_length=40, description="What the police did (see the NSIR file)")
    closing_note: Text = ""
    version: int = Field(description="The incident version seen; a stale one is refused (409)")


class ReopenIn(BaseModel):
    reason: Text = Field(description="Why it is reopened (required)")
    version: int = Field(description="The incident version seen; a stale one is refused (409)")


@incidents_router.post("/{incident_id}/finalise", response_model=IncidentOut,
                       summary="Finalise with an NSIR closing code and result")
def finalise(incident_id: RowId, body: FinaliseIn, rt: RuntimeDep,
             actor: Dispatcher) -> IncidentOut:
    fields = {"closing_code": body.closing_code, "result": body.result,
              "closing_note": body.closing_note}
    return IncidentOut.of(service.finalise(rt, actor, incident_id, fields, body.version))


@incidents_router.post("/{incident_id}/reopen", response_model=IncidentOut,
                       summary="Reopen a finalised incident; its history is kept")
def reopen(incident_id: RowId, body: ReopenIn, rt: RuntimeDep, actor: Dispatcher) -> IncidentOut:
    return IncidentOut.of(service.reopen(rt, actor, incident_id, {"reason": body.reason},
                                         body.version))
