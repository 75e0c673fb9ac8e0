"""The public front page and the signed-in staff landing page."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from firstcontact.platform.model import Actor, Permission, Role
from firstcontact.web.deps import ActorDep, MaybeActorDep
from firstcontact.web.templating import render

router = APIRouter(include_in_schema=False)

ROLE_NAMES = {
    Role.CALL_HANDLER: "Call handler",
    Role.DISPATCHER: "Dispatcher",
    Role.TEAM_LEADER: "Team leader",
    Role.DIGITAL_DESK: "Digital desk",
    Role.QA_REVIEWER: "Quality assurance reviewer",
    Role.VICTIM_CARE: "Victim care",
    Role.PARTNER_AGENCY: "Partner agency",
    Role.ADMIN: "Administrator",
}


@dataclass(frozen=True)
class Task:
    text: str
    href: str | None
    permission: Permission


TASKS = (
    Task("Record a new contact", "/contacts/new", Permission.CONTACT_CREATE),
    Task("See contacts and their THRIVE assessments", "/contacts", Permission.CONTACT_READ),
    Task("Assess risk with THRIVE", None, Permission.ASSESSMENT_CREATE),
    Task("Answer live chats", "/desk/chat", Permission.CHAT_ANSWER),
    Task("See open incidents and reviews due", "/incidents", Permission.INCIDENT_READ),
    Task("Decide likely matches between callers", "/people/offers", Permission.PERSON_READ),
    Task("See missing people and risk reviews due", "/missing", Permission.MISSING_REPORT),
    Task("See partner-agency referrals", "/referrals", Permission.REFERRAL_READ),
    Task("Read the audit log", "/audit", Permission.AUDIT_READ),
    Task("Manage staff accounts (firstcontact users create)", None, Permission.USER_MANAGE),
)
"""What each permission lets a person do, in the order a shift meets them."""


def tasks_for(actor: Actor) -> list[Task]:
    return [task for task in TASKS if actor.may(task.permission)]


@router.get("/", response_class=HTMLResponse)
def front_page(request: Request, actor: MaybeActorDep) -> HTMLResponse:
    """Public: the 999 warning first, then the ways in."""
    return render(request, "web/root.html")


@router.get("/home", response_class=HTMLResponse)
def home(request: Request, actor: ActorDep) -> HTMLResponse:
    role_name = ROLE_NAMES.get(actor.role, "") if actor.role else ""
    return render(request, "web/home.html",
                  {"tasks": tasks_for(actor), "role_name": role_name,
                   "expires_at": request.state.session_expires_at})
