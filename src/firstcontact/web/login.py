"""Signing in and out: the staff sign-in page (cookie) and the API session (bearer token).

The sign-in form is itself protected against cross-site forgery (login CSRF: a hostile page
signing a member of staff in as the attacker, so what they record lands in the attacker's
account). Before any session exists, GET /login sets a short-lived cookie holding a signed
nonce and puts the same value in a hidden field; POST /login accepts only when the two match
and the signature (HMAC with settings.secret_key) is good and less than an hour old.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from datetime import datetime
from typing import Annotated
from urllib.parse import urlsplit

from fastapi import APIRouter, Form, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse
from pydantic import BaseModel, Field

from firstcontact.platform import auth
from firstcontact.platform.model import Role, ValidationError
from firstcontact.platform.runtime import Runtime
from firstcontact.settings import Settings
from firstcontact.web.deps import SESSION_COOKIE, ActorDep, RuntimeDep
from firstcontact.web.templating import render

router = APIRouter(tags=["sign-in"], include_in_schema=False)
api_router = APIRouter(prefix="/api/session", tags=["session"])

LOGIN_COOKIE = "fc_login"
LOGIN_TOKEN_SECONDS = 3600
HOME = "/home"
SIGNED_OUT_EVERYWHERE = "You have been signed out everywhere: every session you had is ended."
FORM_EXPIRED = "The sign-in page had expired. Enter your username and password again."


def _signature(secret: str, payload: str) -> str:
    return hmac.new(secret.encode(), payload.encode(), hashlib.sha256).hexdigest()


def new_login_token(secret: str, now: float | None = None) -> str:
    payload = f"{int(now if now is not None else time.time())}.{secrets.token_urlsafe(16)}"
    return f"{payload}.{_signature(secret, payload)}"


def login_token_valid(secret: str, cookie: str | None, field: str,
                      now: float | None = None) -> bool:
    """The double-submitted, signed, unexpired pre-session token."""
    if not cookie or not hmac.compare_digest(cookie.encode(), field.encode()):
        return False
    payload, _, signature = field.rpartition(".")
    issued, _, _nonce = payload.partition(".")
    if not issued.isdigit() or not hmac.compare_digest(signature, _signature(secret, payload)):
        return False
    age = (now if now is not None else time.time()) - int(issued)
    return 0 <= age <= LOGIN_TOKEN_SECONDS


def safe_next(target: str | None) -> str:
    """Only a path on this site: never another host (open redirect), never a scheme."""
    if not target or not target.startswith("/") or target.startswith("//"):
        return HOME
    if "\\" in target or any(ord(c) < 32 or ord(c) == 127 for c in target):
        return HOME
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return HOME
    return target


def client_ip(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def _login_page(request: Request, settings: Settings, *, next_path: str, username: str = "",
                errors: dict[str, str] | None = None, status_code: int = 200,
                notice: str = "", headers: dict[str, str] | None = None) -> HTMLResponse:
    token = new_login_token(settings.secret_key)
    response = render(request, "web/login.html",
                      {"login_token": token, "next_path": next_path, "username": username,
                       "errors": errors or {}, "notice": notice}, status_code=status_code,
                      headers=headers)
    response.set_cookie(LOGIN_COOKIE, token, max_age=LOGIN_TOKEN_SECONDS, path="/login",
                        httponly=True, samesite="strict", secure=settings.cookie_secure)
    return response


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, rt: RuntimeDep, next: str = "", ended: str = "") -> Response:
    """Always the form, even when signed in: a shared desk changes hands at shift change."""
    notice = SIGNED_OUT_EVERYWHERE if ended == "all" else ""
    return _login_page(request, rt.settings, next_path=safe_next(next), notice=notice)


def _end_previous_session(rt: Runtime, request: Request) -> None:
    """A browser that signs in again gives up the session it held (a shared desk at shift
    change): the old token, wherever it was copied to, stops working too."""
    earlier = request.cookies.get(SESSION_COOKIE)
    if earlier:
        auth.sign_out(rt, earlier)


def _signed_in_response(settings: Settings, signed_in: auth.SignedIn,
                        next_path: str) -> Response:
    response = RedirectResponse(next_path, status_code=303)
    response.set_cookie(SESSION_COOKIE, signed_in.token, max_age=settings.session_hours * 3600,
                        path="/", httponly=True, samesite="lax", secure=settings.cookie_secure)
    response.delete_cookie(LOGIN_COOKIE, path="/login")
    return response


def _missing(username: str, password: str) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not username.strip():
        errors["username"] = "Enter your username"
    if not password:
        errors["password"] = "Enter your password"  # noqa: S105 (a message, not a secret)
    return errors


@router.post("/login", response_class=HTMLResponse)
def login(request: Request, rt: RuntimeDep,
          username: Annotated[str, Form(max_length=200)] = "",
          password: Annotated[str, Form(max_length=auth.PASSWORD_MAX)] = "",
          login_token: Annotated[str, Form(max_length=200)] = "",
          next: Annotated[str, Form(max_length=2000)] = HOME) -> Response:
    next_path, settings = safe_next(next), rt.settings
    if not login_token_valid(settings.secret_key, request.cookies.get(LOGIN_COOKIE),
                             login_token):
        return _login_page(request, settings, next_path=next_path, username=username,
                           errors={"username": FORM_EXPIRED}, status_code=403)
    errors, headers = _missing(username, password), None
    if not errors:
        try:
            signed_in = auth.sign_in(rt, username, password, client_ip(request))
            _end_previous_session(rt, request)
            return _signed_in_response(settings, signed_in, next_path)
        except ValidationError as error:
            errors, status = error.errors, 401
        except auth.TooManyAttempts as error:
            errors, status = {"username": error.message}, 429
            headers = {"Retry-After": str(error.retry_after_seconds)}
    else:
        status = 422
    return _login_page(request, settings, next_path=next_path, username=username,
                       errors=errors, status_code=status, headers=headers)


@router.post("/logout")
def logout(request: Request, rt: RuntimeDep, actor: ActorDep) -> Response:
    """Ends this browser's session (CSRF-checked by ActorDep, like every cookie POST)."""
    auth.sign_out(rt, request.state.session_token)
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.get("/account/sessions", response_class=HTMLResponse)
def sessions_page(request: Request, rt: RuntimeDep, actor: ActorDep) -> Response:
    """Where a person sees every place they are signed in and can end them all at once."""
    found = auth.open_sessions(rt, actor, request.state.session_token)
    return render(request, "web/sessions.html", {
        "sessions": found, "session_hours": rt.settings.session_hours,
        "idle_minutes": rt.settings.session_idle_minutes})


@router.post("/account/sessions/end-all")
def sign_out_everywhere(request: Request, rt: RuntimeDep, actor: ActorDep) -> Response:
    """Ends every session of this person (a lost phone, a desk left signed in), this one too."""
    assert actor.user_id is not None
    auth.sign_out_everywhere(rt, actor.user_id)
    response = RedirectResponse("/login?ended=all", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


class Credentials(BaseModel):
    username: str = Field(max_length=200)
    password: str = Field(max_length=auth.PASSWORD_MAX)


class UserOut(BaseModel):
    username: str
    role: Role | None
    display_name: str


class SessionOut(BaseModel):
    token: str
    csrf_token: str
    expires_at: datetime
    user: UserOut


class WhoAmI(BaseModel):
    user: UserOut
    expires_at: datetime


@api_router.post("", response_model=SessionOut, status_code=201)
def open_session(body: Credentials, request: Request, rt: RuntimeDep) -> SessionOut:
    """Sign in; send the token back as `Authorization: Bearer <token>`. 401 / 429 on refusal."""
    signed_in = auth.sign_in(rt, body.username, body.password, client_ip(request))
    user = UserOut(username=signed_in.actor.username, role=signed_in.actor.role,
                   display_name=signed_in.actor.display_name)
    return SessionOut(token=signed_in.token, csrf_token=signed_in.csrf_token,
                      expires_at=signed_in.expires_at, user=user)


@api_router.get("", response_model=WhoAmI)
def who_am_i(request: Request, actor: ActorDep) -> WhoAmI:
    expires_at: datetime = request.state.session_expires_at
    return WhoAmI(user=UserOut(username=actor.username, role=actor.role,
                               display_name=actor.display_name), expires_at=expires_at)


class EndedOut(BaseModel):
    sessions_ended: int


@api_router.delete("/all", response_model=EndedOut,
                   summary="Sign out everywhere: end every session of the signed-in person")
def close_all_sessions(rt: RuntimeDep, actor: ActorDep) -> EndedOut:
    assert actor.user_id is not None
    return EndedOut(sessions_ended=auth.sign_out_everywhere(rt, actor.user_id))


@api_router.delete("", status_code=204)
def close_session(request: Request, rt: RuntimeDep, actor: ActorDep) -> Response:
    auth.sign_out(rt, request.state.session_token)
    return Response(status_code=204)
