"""JSON routes for People: a person's records, likely matches to decide, merge and unmerge."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends
from pydantic import BaseModel

from firstcontact.people import caller_history, referrals, service
from firstcontact.platform.model import Actor, Permission
from firstcontact.platform.runtime import Runtime
from firstcontact.web.deps import RowId, get_runtime, require

router = APIRouter(prefix="/api/people", tags=["people"])
partners_router = APIRouter(prefix="/api", tags=["partner agencies"])

RuntimeDep = Annotated[Runtime, Depends(get_runtime)]
Reader = Annotated[Actor, Depends(require(Permission.PERSON_READ))]
Merger = Annotated[Actor, Depends(require(Permission.PERSON_MERGE))]
Referrer = Annotated[Actor, Depends(require(Permission.REFERRAL_CREATE))]
ReferralReader = Annotated[Actor, Depends(require(Permission.REFERRAL_READ))]
AgencyAdmin = Annotated[Actor, Depends(require(Permission.AGENCY_MANAGE))]


class RecordOut(BaseModel):
    id: int
    contact_id: int | None
    given_name: str
    surname: str
    date_of_birth: str
    postcode: str
    phone: str
    email: str


class PersonOut(BaseModel):
    id: int
    merged_into_id: int | None
    records: list[RecordOut]


class OfferOut(BaseModel):
    id: int
    record_id: int
    person_id: int
    candidate_person_id: int
    score: float
    explanation: str
    status: str

    @classmethod
    def of(cls, view: service.OfferView) -> OfferOut:
        return cls(id=view.id, record_id=view.record_id, person_id=view.person_id,
                   candidate_person_id=view.candidate_person_id, score=view.score,
                   explanation=view.explanation, status=view.status)


class MergeIn(BaseModel):
    keep_person_id: int
    merge_person_id: int
    reason: str


class UnmergeIn(BaseModel):
    reason: str


class MergeOut(BaseModel):
    merge_id: int


@router.get("/offers", response_model=list[OfferOut],
            summary="Likely matches waiting for staff to confirm or reject")
def list_offers(rt: RuntimeDep, actor: Reader) -> list[OfferOut]:
    return [OfferOut.of(offer) for offer in service.open_offers(rt, actor)]


@router.post("/offers/{offer_id}/confirm", response_model=OfferOut)
def confirm_offer(offer_id: RowId, rt: RuntimeDep, actor: Merger) -> OfferOut:
    return OfferOut.of(service.decide_offer(rt, actor, offer_id, confirm=True))


@router.post("/offers/{offer_id}/reject", response_model=OfferOut)
def reject_offer(offer_id: RowId, rt: RuntimeDep, actor: Merger) -> OfferOut:
    return OfferOut.of(service.decide_offer(rt, actor, offer_id, confirm=False))


@router.post("/merges", response_model=MergeOut, status_code=201,
             summary="Merge one person into another (undo with unmerge)")
def merge(body: MergeIn, rt: RuntimeDep, actor: Merger) -> MergeOut:
    return MergeOut(merge_id=service.merge(rt, actor, body.keep_person_id,
                                           body.merge_person_id, body.reason))


@router.post("/{person_id}/unmerge", response_model=PersonOut,
             summary="Undo the merge that folded this person into another")
def unmerge(person_id: RowId, body: UnmergeIn, rt: RuntimeDep, actor: Merger) -> PersonOut:
    service.unmerge(rt, actor, person_id, body.reason)
    return get_person(person_id, rt, actor)


class PlanIn(BaseModel):
    agreed_response: str
    partner_agency: str
    review_on: str


class PlanOut(BaseModel):
    plan_id: int


@router.post("/{person_id}/plans", response_model=PlanOut, status_code=201,
             summary="Record a frequent caller's agreed management plan")
def agree_plan(person_id: RowId, body: PlanIn, rt: RuntimeDep, actor: Merger) -> PlanOut:
    return PlanOut(plan_id=caller_history.agree_plan(
        rt, actor, person_id, body.agreed_response, body.partner_agency, body.review_on))


@router.get("/{person_id}", response_model=PersonOut)
def get_person(person_id: RowId, rt: RuntimeDep, actor: Reader) -> PersonOut:
    view = service.get_person(rt, actor, person_id, "viewing a person's linked records")
    return PersonOut(id=view.id, merged_into_id=view.merged_into_id, records=[
        RecordOut(id=record_id, contact_id=contact_id, given_name=i.given_name,
                  surname=i.surname, date_of_birth=i.date_of_birth, postcode=i.postcode,
                  phone=i.phone, email=i.email)
        for record_id, i, contact_id in view.records])


class AgencyIn(BaseModel):
    name: str | None = None
    agency_type: str | None = None


class AgencyOut(BaseModel):
    id: int
    name: str
    agency_type: str


class MemberIn(BaseModel):
    user_id: int


class ReferralIn(BaseModel):
    person_id: int
    agency_id: int
    reason: str | None = None
    lawful_basis: str | None = None


class StatusIn(BaseModel):
    status: str | None = None


class ReferralOut(BaseModel):
    id: int
    agency_id: int
    agency_name: str
    reason: str
    lawful_basis: str
    extract: dict[str, str]
    status: str

    @classmethod
    def of(cls, view: referrals.ReferralView) -> ReferralOut:
        return cls(id=view.id, agency_id=view.agency_id, agency_name=view.agency_name,
                   reason=view.reason, lawful_basis=view.lawful_basis,
                   extract={str(k): str(v) for k, v in view.extract.items()},
                   status=view.status)


@partners_router.post("/agencies", response_model=AgencyOut, status_code=201,
                      summary="Add a partner agency to the directory")
def add_agency(body: AgencyIn, rt: RuntimeDep, actor: AgencyAdmin) -> AgencyOut:
    agency_id = referrals.add_agency(rt, actor, body.name, body.agency_type)
    return AgencyOut(id=agency_id, name=(body.name or "").strip(),
                     agency_type=body.agency_type or "")


@partners_router.get("/agencies", response_model=list[AgencyOut])
def list_agencies(rt: RuntimeDep, actor: Referrer) -> list[AgencyOut]:
    return [AgencyOut(id=i, name=n, agency_type=t)
            for i, n, t in referrals.list_agencies(rt, actor)]


@partners_router.post("/agencies/{agency_id}/members", status_code=204,
                      summary="Give a partner-agency user their agency's referrals")
def add_member(agency_id: RowId, body: MemberIn, rt: RuntimeDep, actor: AgencyAdmin) -> None:
    referrals.add_member(rt, actor, agency_id, body.user_id)


@partners_router.post("/referrals", response_model=ReferralOut, status_code=201,
                      summary="Refer a person to a partner agency (a minimised extract)")
def refer(body: ReferralIn, rt: RuntimeDep, actor: Referrer) -> ReferralOut:
    return ReferralOut.of(referrals.refer(rt, actor, body.person_id, body.agency_id, {
        "reason": body.reason, "lawful_basis": body.lawful_basis}))


@partners_router.get("/referrals", response_model=list[ReferralOut],
                     summary="Referrals (a partner-agency user: only their agency's)")
def list_referrals(rt: RuntimeDep, actor: ReferralReader) -> list[ReferralOut]:
    return [ReferralOut.of(r) for r in referrals.list_referrals(rt, actor)]


@partners_router.post("/referrals/{referral_id}/status", response_model=ReferralOut)
def set_status(referral_id: RowId, body: StatusIn, rt: RuntimeDep,
               actor: ReferralReader) -> ReferralOut:
    return ReferralOut.of(referrals.set_status(rt, actor, referral_id, body.status))
