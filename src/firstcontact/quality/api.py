"""JSON routes for quality assurance: take samples, list them, review one, read and
acknowledge feedback, and the per-criterion trend."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, Field

from firstcontact.platform.clock import london
from firstcontact.platform.model import Actor, Permission
from firstcontact.platform.runtime import Runtime
from firstcontact.quality import sampling, service
from firstcontact.quality.model import Average, parse_days
from firstcontact.quality.policy import criteria
from firstcontact.web.deps import ActorDep, RowId, get_runtime, require

router = APIRouter(prefix="/api/quality", tags=["quality assurance"])

RuntimeDep = Annotated[Runtime, Depends(get_runtime)]
Reviewer = Annotated[Actor, Depends(require(Permission.QA_REVIEW))]
Handler = Annotated[Actor, Depends(require(Permission.QA_FEEDBACK))]


class SamplingIn(BaseModel):
    from_: str | None = Field(default=None, alias="from", description="first day, YYYY-MM-DD")
    to: str | None = Field(default=None, description="last day, YYYY-MM-DD (inclusive)")


class SampleOut(BaseModel):
    id: int
    contact_id: int
    contact_reference: str
    reason: str
    reason_label: str
    detail: str
    handler: str
    happened_at: datetime
    sampled_at: datetime
    review_id: int | None

    @classmethod
    def of(cls, view: service.SampleView) -> SampleOut:
        return cls(**{**view.__dict__, "reason": view.reason.value,
                      "reason_label": view.reason.label})


class SamplingOut(BaseModel):
    first: date
    last: date
    days_drawn: int
    samples_taken: int
    contact_ids: list[int]


class ReviewIn(BaseModel):
    scores: dict[str, int | str | None] = Field(
        default_factory=dict, description="criterion code -> score (0..top), or 'na' "
        "where the criterion allows it")
    notes: dict[str, str] = Field(default_factory=dict, description="criterion code -> note")
    summary: str | None = Field(default=None, description="feedback for the handler")


class ReviewOut(BaseModel):
    id: int
    sample: SampleOut
    team: str
    scores: dict[str, int | None]
    notes: dict[str, str]
    summary: str
    reviewer: str
    reviewed_at: datetime
    acknowledged_at: datetime | None
    acknowledgement: str

    @classmethod
    def of(cls, view: service.ReviewView) -> ReviewOut:
        fields = {k: v for k, v in view.__dict__.items() if k != "handler_user_id"}
        return cls(**{**fields, "sample": SampleOut.of(view.sample)})


class AcknowledgeIn(BaseModel):
    comment: str | None = None


class CriterionOut(BaseModel):
    code: str
    title: str
    question: str
    scale: list[str]
    may_not_apply: bool


class AverageOut(BaseModel):
    code: str
    reviews: int
    mean: float | None
    percent: float | None


class SummaryOut(BaseModel):
    reviews: int
    criteria: list[AverageOut]

    @classmethod
    def of(cls, summary: service.QaSummary) -> SummaryOut:
        return cls(reviews=summary.reviews, criteria=[_average(a) for a in summary.criteria])


def _average(average: Average) -> AverageOut:
    return AverageOut(**average.__dict__)


class TrendsOut(BaseModel):
    first: date
    last: date
    team: str | None
    teams: list[str]
    overall: SummaryOut
    months: dict[str, SummaryOut]


@router.post("/samples", response_model=SamplingOut, status_code=201,
             summary="Take QA samples over whole days: random share and risk-based")
def take_samples(body: SamplingIn, rt: RuntimeDep, actor: Reviewer) -> SamplingOut:
    first, last = parse_days(body.from_, body.to, london(rt.clock.now()).date(), 0)
    run = sampling.take_samples(rt, actor, first, last, sampling.draw_rng())
    return SamplingOut(first=run.first, last=run.last, days_drawn=run.days_drawn,
                       samples_taken=len(run.taken),
                       contact_ids=[c.contact_id for c in run.taken])


@router.get("/samples", response_model=list[SampleOut],
            summary="QA samples: waiting for review (default), reviewed, or all")
def list_samples(rt: RuntimeDep, actor: Reviewer,
                 status: Annotated[str, Query(pattern="^(waiting|reviewed|all)$")] = "waiting"
                 ) -> list[SampleOut]:
    reviewed = {"waiting": False, "reviewed": True, "all": None}[status]
    return [SampleOut.of(s) for s in service.samples(rt, actor, reviewed=reviewed)]


@router.get("/criteria", response_model=list[CriterionOut],
            summary="The QA review form's criteria and score scales")
def list_criteria(actor: Reviewer) -> list[CriterionOut]:
    return [CriterionOut(code=c.code, title=c.title, question=c.question, scale=list(c.scale),
                         may_not_apply=c.may_not_apply) for c in criteria()]


@router.post("/samples/{sample_id}/review", response_model=ReviewOut, status_code=201,
             summary="Score a sampled contact against every criterion, with notes")
def review(sample_id: RowId, body: ReviewIn, rt: RuntimeDep, actor: Reviewer) -> ReviewOut:
    return ReviewOut.of(service.submit_review(rt, actor, sample_id, body.scores, body.notes,
                                              body.summary))


@router.get("/reviews", response_model=list[ReviewOut], summary="Every QA review (reviewers)")
def all_reviews(rt: RuntimeDep, actor: Reviewer) -> list[ReviewOut]:
    return [ReviewOut.of(r) for r in service.reviews(rt, actor, mine=False)]


@router.get("/my-reviews", response_model=list[ReviewOut],
            summary="The QA reviews of the signed-in member of staff's own contacts")
def my_reviews(rt: RuntimeDep, actor: Handler) -> list[ReviewOut]:
    return [ReviewOut.of(r) for r in service.reviews(rt, actor, mine=True)]


@router.get("/reviews/{review_id}", response_model=ReviewOut,
            summary="One QA review: a reviewer sees any, a handler only their own (404)")
def get_review(review_id: RowId, rt: RuntimeDep, actor: ActorDep) -> ReviewOut:
    return ReviewOut.of(service.get_review(rt, actor, review_id))


@router.post("/reviews/{review_id}/acknowledge", response_model=ReviewOut,
             summary="The handler acknowledges their feedback, with an optional comment")
def acknowledge(review_id: RowId, body: AcknowledgeIn, rt: RuntimeDep,
                actor: Handler) -> ReviewOut:
    return ReviewOut.of(service.acknowledge(rt, actor, review_id, body.comment))


@router.get("/trends", response_model=TrendsOut,
            summary="Each criterion's average score per month, for all teams or one")
def trends(rt: RuntimeDep, actor: Reviewer,
           from_: Annotated[str | None, Query(alias="from")] = None, to: str | None = None,
           team: str | None = None) -> TrendsOut:
    first, last = parse_days(from_, to, london(rt.clock.now()).date())
    found = service.trends(rt, actor, first, last, team or None)
    return TrendsOut(first=first, last=last, team=team or None, teams=found.teams,
                     overall=SummaryOut.of(found.overall),
                     months={m: SummaryOut.of(s) for m, s in found.by_month.items()})
