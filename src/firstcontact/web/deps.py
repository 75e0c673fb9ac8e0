"""FastAPI dependencies every room uses: the runtime, who is signed in, what they may do.

A request is authenticated by the `fc_session` cookie (browsers) or `Authorization: Bearer`
(API clients). Cookie-authenticated POST/PUT/PATCH/DELETE must also carry the session's CSRF
token (form field `csrf_token` or header `X-CSRF-Token`), because a browser sends the cookie
on a forged cross-site request too; a bearer token is never sent by a browser on its own, so
bearer requests need no CSRF token.

A room writes `actor: Annotated[Actor, Depends(require(Permission.CONTACT_CREATE))]`.
"""

from __future__ import annotations

import hmac
from collections.abc import Awaitable, Callable
from typing import Annotated, cast

from fastapi import Depends, Path, Request

from firstcontact.platform import auth
from firstcontact.platform.db import LARGEST_ID
from firstcontact.platform.model import Actor, Permission, PermissionDenied
from firstcontact.platform.runtime import Runtime

SESSION_COOKIE = "fc_session"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


class SignInRequired(Exception):
    """No valid session. The error handlers answer 401 under /api and redirect pages to /login."""

    def __init__(self, next_path: str = "/home") -> None:
        super().__init__("Sign in to continue")
        self.next_path = next_path


class CsrfRejected(PermissionDenied):
    """A cookie-authenticated change without the session's CSRF token (403)."""

    def __init__(self) -> None:
        super().__init__("This request was refused because its security token was missing or "
                         "did not match. Reload the page and try again.")


def get_runtime(request: Request) -> Runtime:
    return cast(Runtime, request.app.state.runtime)


RuntimeDep = Annotated[Runtime, Depends(get_runtime)]

RowId = Annotated[int, Path(ge=1, le=LARGEST_ID)]
"""A row id in a URL path, kept within an INTEGER column's range: a huge number is a 422
naming the parameter, not a database error (SQLite and PostgreSQL both refuse it)."""


def bearer_token(request: Request) -> str | None:
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    return (token.strip() or None) if scheme.lower() == "bearer" else None


def session_for(request: Request, rt: RuntimeDep) -> auth.SessionView | None:
    """Look the request's token up once (a sync dependency, so it runs off the event loop).

    Sets request.state.actor, .csrf_token, .session_token, .session_expires_at and .by_cookie
    for later use and for templates; all are None/False when nobody is signed in.
    """
    token = bearer_token(request)
    by_cookie = token is None
    if token is None:
        token = request.cookies.get(SESSION_COOKIE)
    found = auth.actor_for_token(rt, token) if token else None
    request.state.actor = found.actor if found else None
    request.state.csrf_token = found.csrf_token if found else None
    request.state.session_token = token if found else None
    request.state.session_expires_at = found.expires_at if found else None
    request.state.by_cookie = by_cookie and found is not None
    return found


SessionDep = Annotated[auth.SessionView | None, Depends(session_for)]


async def _sent_csrf_token(request: Request) -> str:
    header = request.headers.get(CSRF_HEADER)
    if header:
        return header
    if request.headers.get("content-type", "").startswith(FORM_TYPES):
        value = (await request.form()).get(CSRF_FIELD)
        return value if isinstance(value, str) else ""
    return ""


async def check_csrf(request: Request, found: auth.SessionView) -> None:
    """Refuse a cookie-authenticated change that lacks the session's CSRF token."""
    if request.method not in UNSAFE_METHODS or not request.state.by_cookie:
        return
    sent = await _sent_csrf_token(request)
    if not hmac.compare_digest(sent.encode(), found.csrf_token.encode()):
        raise CsrfRejected()


def _here(request: Request) -> str:
    query = request.url.query
    return request.url.path + (f"?{query}" if query else "")


async def current_actor(request: Request, found: SessionDep) -> Actor:
    """The signed-in person; raises SignInRequired, or CsrfRejected for a forged change."""
    if found is None:
        raise SignInRequired(_here(request) if request.method == "GET" else "/home")
    await check_csrf(request, found)
    return found.actor


ActorDep = Annotated[Actor, Depends(current_actor)]


def optional_actor(found: SessionDep) -> Actor | None:
    """For public pages that look different to signed-in staff. Never use it to protect data."""
    return found.actor if found else None


MaybeActorDep = Annotated[Actor | None, Depends(optional_actor)]


def require(permission: Permission) -> Callable[[Actor], Awaitable[Actor]]:
    """A dependency that gives the signed-in Actor if their role allows `permission` (else 403)."""

    async def allowed(actor: ActorDep) -> Actor:
        actor.require(permission)
        return actor

    return allowed
