"""The public online report pages: no sign-in, one question per page, works without JavaScript.

Each form is protected by a double-submitted signed token (the one the staff sign-in form
uses, from web.login) in a cookie scoped to /report, and every public POST is counted against
a per-address flood limit (429 with Retry-After when over it).
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from firstcontact.contacts import desk, online, online_service
from firstcontact.contacts.model import Channel
from firstcontact.platform.model import ValidationError
from firstcontact.platform.runtime import Runtime
from firstcontact.web.deps import RuntimeDep
from firstcontact.web.forms import form_fields
from firstcontact.web.login import (
    LOGIN_TOKEN_SECONDS,
    client_ip,
    login_token_valid,
    new_login_token,
)
from firstcontact.web.templating import render

router = APIRouter(tags=["pages"], include_in_schema=False)

DRAFT_COOKIE = "fc_report"
FORM_COOKIE = "fc_report_form"
PATH = "/report"
FORM_EXPIRED = "This page had expired. Check your answer and continue."


def _form_token(request: Request, rt: Runtime) -> str:
    """The person's current form token if still good, else a new one."""
    held = request.cookies.get(FORM_COOKIE, "")
    secret = rt.settings.secret_key
    return held if login_token_valid(secret, held, held) else new_login_token(secret)


def _page(request: Request, rt: Runtime, template: str, context: dict[str, Any],
          status_code: int = 200, headers: dict[str, str] | None = None) -> HTMLResponse:
    token = _form_token(request, rt)
    response = render(request, template, {**context, "csrf_token": token},
                      status_code=status_code, headers=headers)
    response.set_cookie(FORM_COOKIE, token, max_age=LOGIN_TOKEN_SECONDS, path=PATH,
                        httponly=True, samesite="strict", secure=rt.settings.cookie_secure)
    return response


def _to(slug: str) -> RedirectResponse:
    return RedirectResponse(f"{PATH}/{slug}", status_code=303)


async def _guarded_form(request: Request, rt: Runtime) -> dict[str, str] | Response:
    """The posted fields, or the answer to give instead: 429 for a flood, 403 for a forgery."""
    if not await run_in_threadpool(online_service.allow_public_post, rt, client_ip(request)):
        minutes = int(online_service.FLOOD_WINDOW.total_seconds() // 60)
        return _page(request, rt, "contacts/report_busy.html", {"minutes": minutes},
                     status_code=429, headers={"Retry-After": str(minutes * 60)})
    fields = {k: v for k, v in (await form_fields(request)).items() if isinstance(v, str)}
    if not login_token_valid(rt.settings.secret_key, request.cookies.get(FORM_COOKIE),
                             fields.get("csrf_token", "")):
        return _page(request, rt, "contacts/report_expired.html", {}, status_code=403)
    return fields


@router.get(PATH, response_class=HTMLResponse)
def start_page(request: Request, rt: RuntimeDep) -> HTMLResponse:
    return _page(request, rt, "contacts/report_start.html", {})


@router.post(f"{PATH}/start", response_model=None)
async def start(request: Request, rt: RuntimeDep) -> Response:
    fields = await _guarded_form(request, rt)
    if isinstance(fields, Response):
        return fields
    draft_id = await run_in_threadpool(online_service.start, rt)
    response = _to(online.QUESTIONS[0].slug)
    response.set_cookie(DRAFT_COOKIE, draft_id, max_age=int(
        online_service.DRAFT_LIFETIME.total_seconds()), path=PATH, httponly=True,
        samesite="lax", secure=rt.settings.cookie_secure)
    return response


def _question_page(request: Request, rt: Runtime, question: online.Question,
                   answers: dict[str, str], errors: dict[str, str],
                   status_code: int = 200) -> HTMLResponse:
    changing = request.query_params.get("change") == "1" or answers.get("change") == "1"
    asked = online.CONTACT_DETAIL_ASKED.get(answers.get("contact_method", ""), ("", "text"))
    index = online.QUESTIONS.index(question)
    back = f"{PATH}/check" if changing else (
        f"{PATH}/{online.QUESTIONS[index - 1].slug}" if index else PATH)
    return _page(request, rt, "contacts/report_question.html", {
        "question": question, "values": answers, "errors": errors, "changing": changing,
        "asked": asked, "back": back, "step": index + 1, "steps": len(online.QUESTIONS),
    }, status_code=status_code)


@router.get(f"{PATH}/check", response_class=HTMLResponse)
def check_answers(request: Request, rt: RuntimeDep) -> Response:
    found = online_service.draft(rt, request.cookies.get(DRAFT_COOKIE))
    if found is None:
        return RedirectResponse(PATH, status_code=303)
    if found.reference:
        return _to("sent")
    if online.next_slug(found.answers) != "check":
        return _to(online.next_slug(found.answers))
    rows = [(q, online.shown(q, found.answers)) for q in online.QUESTIONS]
    return _page(request, rt, "contacts/report_check.html", {"rows": rows})


@router.post(f"{PATH}/check", response_model=None)
async def send(request: Request, rt: RuntimeDep) -> Response:
    fields = await _guarded_form(request, rt)
    if isinstance(fields, Response):
        return fields
    try:
        await run_in_threadpool(online_service.send, rt, request.cookies.get(DRAFT_COOKIE, ""))
    except ValidationError:
        return RedirectResponse(f"{PATH}/check", status_code=303)
    return _to("sent")


@router.get(f"{PATH}/sent", response_class=HTMLResponse)
def sent(request: Request, rt: RuntimeDep) -> Response:
    found = online_service.draft(rt, request.cookies.get(DRAFT_COOKIE))
    if found is None or not found.reference:
        return RedirectResponse(PATH, status_code=303)
    target = desk.policy().reply_targets[Channel.ONLINE]
    return _page(request, rt, "contacts/report_sent.html", {
        "reference": found.reference, "answers": found.answers,
        "reply_hours": int(target.total_seconds() // 3600),
        "method": dict(online.CONTACT_METHODS)[found.answers["contact_method"]].lower(),
    })


@router.get(PATH + "/{slug}", response_class=HTMLResponse)
def question_page(request: Request, slug: str, rt: RuntimeDep) -> Response:
    question = online.BY_SLUG.get(slug)
    found = online_service.draft(rt, request.cookies.get(DRAFT_COOKIE))
    if found is None or question is None:
        return RedirectResponse(PATH, status_code=303)
    if found.reference:
        return _to("sent")
    reachable = [q.slug for q in online.QUESTIONS if all(f in found.answers for f in q.fields)]
    if slug not in reachable and slug != online.next_slug(found.answers):
        return _to(online.next_slug(found.answers))
    values = {"language": "English", **found.answers}
    return _question_page(request, rt, question, values, {})


@router.post(PATH + "/{slug}", response_model=None)
async def answer(request: Request, slug: str, rt: RuntimeDep) -> Response:
    question = online.BY_SLUG.get(slug)
    if question is None:
        return RedirectResponse(PATH, status_code=303)
    fields = await _guarded_form(request, rt)
    if isinstance(fields, Response):
        return fields
    draft_id = request.cookies.get(DRAFT_COOKIE, "")
    try:
        following = await run_in_threadpool(online_service.answer, rt, draft_id, question,
                                            fields)
    except ValidationError as error:
        if error.field == "report":
            return RedirectResponse(PATH, status_code=303)
        found = online_service.draft(rt, draft_id)
        answers = {**(found.answers if found else {}), **fields}
        return _question_page(request, rt, question, answers, error.errors, status_code=422)
    return _to(following)
