"""JSON routes for hidden-harm prompts: read a contact's prompts, confirm or dismiss one, and
re-scan a contact whose text has grown (for channel adapters outside this process)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Depends
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, Field

from firstcontact.harm import service
from firstcontact.platform.model import Actor, Permission
from firstcontact.platform.runtime import Runtime
from firstcontact.web.deps import RowId, get_runtime, require

router = APIRouter(prefix="/api/contacts", tags=["Hidden harms"])

RuntimeDep = Annotated[Runtime, Depends(get_runtime)]
Reader = Annotated[Actor, Depends(require(Permission.CONTACT_READ))]
Decider = Annotated[Actor, Depends(require(Permission.HARM_DECIDE))]


class EvidenceOut(BaseModel):
    indicator: str
    start: int
    end: int
    text: str


class FindingOut(BaseModel):
    id: int
    type: str = Field(description="harm type code, e.g. modern_slavery")
    label: str
    level: Literal["possible", "likely"]
    score: float
    evidence: list[EvidenceOut]
    action: str = Field(description="what staff should do when it is confirmed")
    status: Literal["pending", "confirmed", "dismissed"]
    reason: str
    qualifiers: list[str] = Field(description="NSIR qualifiers a confirmation adds")
    qualifiers_added: list[str]
    first_found_at: datetime
    decided_at: datetime | None


class DecisionIn(BaseModel):
    decision: Literal["confirmed", "dismissed"]
    reason: str = Field(default="", max_length=2000, description="required to dismiss")


class TextIn(BaseModel):
    text: str = Field(max_length=200_000, description="all of the contact's text so far")


def finding_out(found: service.FindingView) -> FindingOut:
    return FindingOut(
        id=found.id, type=found.harm_type, label=found.label, level=found.level.value,
        score=found.score, evidence=[EvidenceOut(**e) for e in found.evidence],
        action=found.action, status=found.status,
        reason=found.reason, qualifiers=list(found.qualifiers),
        qualifiers_added=list(found.qualifiers_added), first_found_at=found.first_found_at,
        decided_at=found.decided_at)


@router.get("/{contact_id}/harms", response_model=list[FindingOut])
def prompts(contact_id: RowId, rt: RuntimeDep, actor: Reader) -> list[FindingOut]:
    """The contact's hidden-harm prompts, strongest first, with their evidence."""
    return [finding_out(f) for f in service.findings_for(rt, actor, contact_id)]


@router.post("/{contact_id}/harms/{finding_id}/decision", response_model=FindingOut)
async def decide(contact_id: RowId, finding_id: RowId, body: DecisionIn, rt: RuntimeDep,
                 actor: Decider) -> FindingOut:
    """Confirm or dismiss one prompt (a dismissal needs a reason)."""
    found = await run_in_threadpool(service.decide, rt, actor, finding_id, body.decision,
                                    body.reason, contact_id)
    return finding_out(found)


@router.post("/{contact_id}/harms/scan", response_model=list[FindingOut])
async def rescan(contact_id: RowId, body: TextIn, rt: RuntimeDep,
                 actor: Reader) -> list[FindingOut]:
    """Scan the contact's text again now that it has grown; returns the prompts it touched."""
    found = await run_in_threadpool(service.rescan, rt, actor, contact_id, body.text)
    return [finding_out(f) for f in found]
