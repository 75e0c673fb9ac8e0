"""JSON routes for victim care: the queue, a victim's record, outcomes, and compliance."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response
from pydantic import BaseModel, Field

from firstcontact.platform.model import Actor, Permission
from firstcontact.platform.runtime import Runtime
from firstcontact.victims import performance, service
from firstcontact.victims.compliance import Period, parse_measure, parse_period, parse_split
from firstcontact.victims.details import parse_details, parse_new_victim
from firstcontact.victims.model import parse_outcome
from firstcontact.victims.policy import victims_policy
from firstcontact.web.deps import RowId, get_runtime, require

router = APIRouter(prefix="/api/victims", tags=["Victims' Code"])

RuntimeDep = Annotated[Runtime, Depends(get_runtime)]
Reader = Annotated[Actor, Depends(require(Permission.VICTIM_READ))]
Updater = Annotated[Actor, Depends(require(Permission.VICTIM_UPDATE))]
Analyst = Annotated[Actor, Depends(require(Permission.VICTIM_COMPLIANCE))]
Short = Annotated[str, Field(max_length=1000)]


class EntitlementOut(BaseModel):
    id: int
    code: str
    title: str
    state: str
    due_at: datetime | None
    delivered_at: datetime | None
    method: str
    evidence: str
    reason: str
    last_error: str

    @classmethod
    def of(cls, view: service.EntitlementView) -> EntitlementOut:
        return cls(id=view.id, code=view.code, title=view.title, state=view.state.value,
                   due_at=view.due_at, delivered_at=view.delivered_at, method=view.method,
                   evidence=view.evidence, reason=view.reason, last_error=view.last_error)


class VictimOut(BaseModel):
    id: int
    contact_id: int
    crime_reference: str
    crime_type: str
    reported_at: datetime
    name: str
    contact_preference: str
    email: str
    phone: str
    postal_address: str
    language: str
    communication_needs: str
    referral_consent: str
    consent_given: bool | None
    enhanced: bool
    enhanced_reasons: list[str]
    entitlements: list[EntitlementOut]
    party: str
    contact_name: str
    relationship: str
    victim_age: int | None
    team: str

    @classmethod
    def of(cls, v: service.VictimView) -> VictimOut:
        return cls(id=v.id, contact_id=v.contact_id, crime_reference=v.crime_reference,
                   crime_type=v.crime_type, reported_at=v.reported_at, name=v.name,
                   contact_preference=v.contact_preference, email=v.email, phone=v.phone,
                   postal_address=v.postal_address, language=v.language,
                   communication_needs=v.communication_needs,
                   referral_consent=v.referral_consent, consent_given=v.consent_given,
                   enhanced=v.enhanced, enhanced_reasons=list(v.enhanced_reasons),
                   entitlements=[EntitlementOut.of(e) for e in v.entitlements],
                   party=v.party, contact_name=v.contact_name, relationship=v.relationship,
                   victim_age=v.victim_age, team=v.team)


class QueueItemOut(BaseModel):
    victim_id: int
    crime_reference: str
    name: str
    enhanced: bool
    entitlement: EntitlementOut


class DetailsIn(BaseModel):
    contact_preference: Annotated[str, Field(max_length=20)]
    email: Annotated[str, Field(max_length=254)] = ""
    phone: Annotated[str, Field(max_length=32)] = ""
    postal_address: Annotated[str, Field(max_length=500)] = ""
    language: Annotated[str, Field(max_length=200)] = "English"
    communication_needs: Short = ""
    consent_given: Annotated[str, Field(max_length=3, description="yes, no or empty")] = ""


class NewVictimIn(DetailsIn):
    party: Annotated[str, Field(max_length=20, description=(
        "person, child (letters to the parent or guardian), bereaved_relative or business "
        "(letters to the named contact)"))] = "person"
    name: Annotated[str, Field(max_length=200, description="the victim, or the business")]
    contact_name: Annotated[str, Field(max_length=200, description=(
        "the parent or guardian, or the business's named contact"))] = ""
    relationship: Annotated[str, Field(max_length=200)] = ""
    victim_age: Annotated[int | None, Field(ge=0, le=130)] = None


class OutcomeIn(BaseModel):
    outcome: Annotated[str, Field(max_length=20,
                                  description="delivered, declined or not_applicable")]
    method: Annotated[str, Field(max_length=20, description="how it was given")] = ""
    reason: Short = ""


class FigureOut(BaseModel):
    entitlement: str
    split: str
    value: str
    owed: int
    delivered: int
    percent_delivered: float | None
    on_time: int
    percent_on_time: float | None
    median_hours_to_deliver: float | None
    declined: int
    not_applicable: int
    outstanding: int


@router.get("/queue", response_model=list[QueueItemOut])
def victim_queue(rt: RuntimeDep, actor: Reader) -> list[QueueItemOut]:
    return [QueueItemOut(victim_id=i.victim_id, crime_reference=i.crime_reference, name=i.name,
                         enhanced=i.enhanced, entitlement=EntitlementOut.of(i.entitlement))
            for i in service.queue(rt, actor)]


@router.get("/{victim_id:int}", response_model=VictimOut)
def victim(victim_id: RowId, rt: RuntimeDep, actor: Reader) -> VictimOut:
    return VictimOut.of(service.get_victim(rt, actor, victim_id))


@router.put("/{victim_id:int}/details", response_model=VictimOut)
def update_details(victim_id: RowId, body: DetailsIn, rt: RuntimeDep,
                   actor: Updater) -> VictimOut:
    details = parse_details(body.model_dump())
    return VictimOut.of(service.update_details(rt, actor, victim_id, details))


@router.post("/crimes/{contact_id:int}/victims", response_model=VictimOut, status_code=201)
def add_victim(contact_id: RowId, body: NewVictimIn, rt: RuntimeDep, actor: Updater) -> VictimOut:
    """Add a victim to the crime recorded from a contact (whoever the caller was)."""
    fields = {k: (None if v is None else str(v)) for k, v in body.model_dump().items()}
    victim = parse_new_victim(fields, victims_policy())
    return VictimOut.of(service.add_victim(rt, actor, contact_id, victim))


@router.post("/{victim_id:int}/entitlements/{entitlement_id:int}/outcome",
             response_model=EntitlementOut)
def record_outcome(victim_id: RowId, entitlement_id: RowId, body: OutcomeIn, rt: RuntimeDep,
                   actor: Updater) -> EntitlementOut:
    outcome = parse_outcome(body.model_dump())
    return EntitlementOut.of(service.record_outcome(rt, actor, victim_id, entitlement_id,
                                                    outcome))


def period_of(rt: Runtime, start: str | None, end: str | None) -> Period:
    today: date = rt.clock.now().astimezone(victims_policy().timezone).date()
    return parse_period({"from": start, "to": end}, today)


PeriodStart = Annotated[str | None, Query(alias="from", max_length=10)]
PeriodEnd = Annotated[str | None, Query(alias="to", max_length=10)]
Split = Annotated[str | None, Query(max_length=20)]


@router.get("/compliance/figures", response_model=list[FigureOut])
def compliance(rt: RuntimeDep, actor: Analyst, start: PeriodStart = None,
               end: PeriodEnd = None, split: Split = None) -> list[FigureOut]:
    result = performance.performance(rt, actor, period_of(rt, start, end), parse_split(split))
    return [FigureOut(entitlement=f.code, split=f.split, value=f.value, owed=f.owed,
                      delivered=f.delivered, percent_delivered=f.percent_delivered,
                      on_time=f.on_time, percent_on_time=f.percent_on_time,
                      median_hours_to_deliver=f.median_hours, declined=f.declined,
                      not_applicable=f.not_applicable, outstanding=f.outstanding)
            for f in result]


@router.get("/compliance/figures.csv", response_class=Response)
def compliance_csv(rt: RuntimeDep, actor: Analyst, start: PeriodStart = None,
                   end: PeriodEnd = None, split: Split = None) -> Response:
    period = period_of(rt, start, end)
    body = performance.performance_csv(rt, actor, period, parse_split(split))
    name = f"victims-code-{period.first}-{period.last}.csv"
    return Response(body, media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


@router.get("/compliance/behind", response_model=list[int])
def compliance_behind(rt: RuntimeDep, actor: Reader, entitlement: Annotated[
        str, Query(max_length=60)], measure: Annotated[str, Query(max_length=20)],
        start: PeriodStart = None, end: PeriodEnd = None, split: Split = None,
        value: Annotated[str, Query(max_length=60)] = "all") -> list[int]:
    """The ids of the victims behind one figure (audited)."""
    rows = performance.drill_down(rt, actor, period_of(rt, start, end), entitlement,
                                  parse_split(split), value, parse_measure(measure))
    return [r.victim_id for r in rows]
