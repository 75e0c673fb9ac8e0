"""Staff accounts, sign-in sessions and login throttling.

Passwords are stored only as argon2 hashes and session tokens only as SHA-256 digests, so a
copy of the database lets nobody sign in. Every sign-in issues a fresh token (no session
fixation); sessions end at a fixed time (settings.session_hours), after
settings.session_idle_minutes unused, or when revoked (one, or all of a user's). A
username or an address that keeps failing is refused, even with the right password, until
the lockout window has passed; a wrong username and a wrong password read the same, so the
form does not tell an attacker which accounts exist.
"""

from __future__ import annotations

import hashlib
import math
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import cast

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Boolean, Enum, ForeignKey, String, Table, bindparam, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, Session, mapped_column
from sqlalchemy.sql.elements import ColumnElement

from firstcontact.platform import audit
from firstcontact.platform.audit import AuditAction
from firstcontact.platform.db import Base, UTCDateTime
from firstcontact.platform.model import (
    SYSTEM,
    Actor,
    NotFound,
    Permission,
    Role,
    ValidationError,
    plain_text,
)
from firstcontact.platform.runtime import Runtime

USERNAME = re.compile(r"[a-z][a-z0-9._-]{2,39}")
"""Lower-case, 3 to 40 characters: what a force's directory usernames look like."""

PASSWORD_MIN = 12
PASSWORD_MAX = 1024
NAME_MAX = 200
FIELD_MAX = 64
"""Attempted usernames and addresses are cut to this before they are stored or logged."""
LAST_SEEN_EVERY = timedelta(minutes=1)
"""last_seen_at is written at most this often, so reading a session is rarely a write."""

SIGN_IN_FAILED = "Enter a correct username and password"
SUBJECT = "user"
hasher = PasswordHasher()
_DECOY_HASH = hasher.hash(secrets.token_urlsafe(16))
"""Verified against when the username is unknown, so both failures take the same time."""


def _role_type() -> Enum:
    return Enum(Role, native_enum=False, length=32,
                values_callable=lambda members: [m.value for m in members])


class User(Base):
    """A member of staff who can sign in. Deactivated, never deleted (the audit log names them)."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(FIELD_MAX), unique=True)
    display_name: Mapped[str] = mapped_column(String(NAME_MAX))
    role: Mapped[Role] = mapped_column(_role_type())
    password_hash: Mapped[str] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    team: Mapped[str] = mapped_column(String(NAME_MAX), default="", server_default="")
    """The watch or team the member of staff works in ("" if none): performance figures are
    split by it."""

    def actor(self) -> Actor:
        return Actor(user_id=self.id, username=self.username, role=Role(self.role),
                     display_name=self.display_name)


class StaffSession(Base):
    """One signed-in browser or API client. Only a SHA-256 of its token is kept."""

    __tablename__ = "staff_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class LoginAttempt(Base):
    """Every sign-in attempt, counted by username and by address for throttling."""

    __tablename__ = "login_attempts"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(FIELD_MAX), index=True)
    ip: Mapped[str] = mapped_column(String(FIELD_MAX), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    succeeded: Mapped[bool] = mapped_column(Boolean)


class SignInFailed(ValidationError):
    """Wrong username or password (never says which). The web layer answers 401."""

    def __init__(self) -> None:
        super().__init__("username", SIGN_IN_FAILED)


class TooManyAttempts(Exception):
    """Sign-in refused because of recent failures; `retry_at` is when it will be allowed."""

    def __init__(self, retry_at: datetime, now: datetime) -> None:
        self.retry_after_seconds = max(1, math.ceil((retry_at - now).total_seconds()))
        minutes = math.ceil(self.retry_after_seconds / 60)
        self.message = (f"Too many failed sign-in attempts. Wait {minutes} "
                        f"minute{'s' if minutes != 1 else ''}, then try again.")
        super().__init__(self.message)
        self.retry_at = retry_at


@dataclass(frozen=True)
class SignedIn:
    """What a successful sign-in hands back. `token` is shown once and never stored."""

    token: str
    csrf_token: str
    actor: Actor
    expires_at: datetime


@dataclass(frozen=True)
class SessionView:
    """The person behind a valid token, and the CSRF token their forms must carry."""

    actor: Actor
    csrf_token: str
    expires_at: datetime


@dataclass(frozen=True)
class StaffMember:
    """A user as the admin's user list shows them (never the password hash)."""

    user_id: int
    username: str
    display_name: str
    role: Role
    active: bool
    created_at: datetime


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def normalise_username(username: str) -> str:
    return username.strip().lower()[:FIELD_MAX]


def _checked_new_user(username: str, display_name: str, role: Role | str,
                      password: str) -> tuple[str, str, Role]:
    name = username.strip().lower()
    if not USERNAME.fullmatch(name):
        raise ValidationError("username", "Username must be 3 to 40 characters: lower-case "
                              "letters, digits, dots, hyphens or underscores, starting with "
                              "a letter")
    shown = plain_text("display_name", display_name, max_chars=NAME_MAX, required=True)
    try:
        chosen = Role(role)
    except ValueError:
        raise ValidationError("role", "Choose a role") from None
    if not PASSWORD_MIN <= len(password) <= PASSWORD_MAX:
        raise ValidationError("password", f"Password must be at least {PASSWORD_MIN} "
                              "characters long")
    return name, shown, chosen


def create_user(rt: Runtime, actor: Actor, username: str, display_name: str,
                role: Role | str, password: str, team: str = "") -> Actor:
    """Add a member of staff. Needs USER_MANAGE, or the platform itself (CLI, demo seed)."""
    if actor != SYSTEM:
        actor.require(Permission.USER_MANAGE)
    name, shown, chosen = _checked_new_user(username, display_name, role, password)
    team = plain_text("team", team, max_chars=NAME_MAX)
    taken = ValidationError("username", "That username is already in use")
    try:
        with rt.database.transaction() as session:
            if session.scalar(select(User.id).where(User.username == name)) is not None:
                raise taken
            now = rt.clock.now()
            user = User(username=name, display_name=shown, role=chosen, active=True,
                        password_hash=hasher.hash(password), created_at=now, team=team)
            session.add(user)
            session.flush()
            audit.record(session, actor, AuditAction.CREATE, SUBJECT, user.id,
                         "staff account created", now,
                         {"username": name, "role": chosen.value, "team": team})
            return user.actor()
    except IntegrityError:
        raise taken from None


def _failures(session: Session, column: Mapped[str], value: str, since: datetime,
              after_id: int = 0) -> list[datetime]:
    query = (select(LoginAttempt.at)
             .where(column == value, LoginAttempt.succeeded.is_(False),
                    LoginAttempt.at > since, LoginAttempt.id > after_id)
             .order_by(LoginAttempt.at.desc(), LoginAttempt.id.desc()))
    return list(session.scalars(query))


def _locked_until(rt: Runtime, session: Session, username: str, ip: str,
                  now: datetime) -> datetime | None:
    """When sign-in opens again for this username or address, or None if it is open now.

    The address limit is higher than the username limit: a control room's staff often share
    one outgoing address, and five typos must not lock out the whole shift.
    A username's count restarts at its last success, so a person who mistyped and then got it
    right starts afresh. Refusals while locked are not counted, so the lock lifts at a time
    that can be told to the person, however often they retry.
    """
    window_start = now - timedelta(minutes=rt.settings.login_lockout_minutes)
    allowed = rt.settings.login_attempts_allowed
    last_success = session.scalar(select(func.max(LoginAttempt.id)).where(
        LoginAttempt.username == username, LoginAttempt.succeeded.is_(True))) or 0
    per_address = rt.settings.login_attempts_per_address
    until: datetime | None = None
    for failures, limit in (
            (_failures(session, LoginAttempt.username, username, window_start, last_success),
             allowed),
            (_failures(session, LoginAttempt.ip, ip, window_start), per_address)):
        if len(failures) >= limit:
            opens = failures[limit - 1] + (now - window_start)
            until = opens if until is None else max(until, opens)
    return until


def _password_matches(user: User | None, password: str) -> bool:
    try:
        hasher.verify(user.password_hash if user else _DECOY_HASH, password[:PASSWORD_MAX])
    except (VerificationError, InvalidHashError):
        return False
    return user is not None and user.active


def _open_session(rt: Runtime, session: Session, user: User, now: datetime) -> SignedIn:
    token = secrets.token_urlsafe(32)
    row = StaffSession(token_hash=token_digest(token), user_id=user.id,
                       csrf_token=secrets.token_urlsafe(32), created_at=now,
                       expires_at=now + timedelta(hours=rt.settings.session_hours),
                       last_seen_at=now)
    session.add(row)
    session.flush()
    return SignedIn(token=token, csrf_token=row.csrf_token, actor=user.actor(),
                    expires_at=row.expires_at)


def _attempt(rt: Runtime, session: Session, username: str, password: str, ip: str,
             now: datetime) -> SignedIn | Exception:
    """The sign-in decision, recorded. Returns the refusal rather than raising it, so the
    attempt and its audit entry are committed either way."""
    stranger = Actor(user_id=None, username=username, role=None)
    until = _locked_until(rt, session, username, ip, now)
    if until is not None:
        audit.record(session, stranger, AuditAction.LOGIN_FAILED, SUBJECT, username,
                     "sign-in refused", now, {"ip": ip, "reason": "locked out"})
        return TooManyAttempts(until, now)
    user = session.scalar(select(User).where(User.username == username))
    matched = _password_matches(user, password)
    session.add(LoginAttempt(username=username, ip=ip, at=now, succeeded=matched))
    if user is None or not matched:
        audit.record(session, stranger, AuditAction.LOGIN_FAILED, SUBJECT, username,
                     "sign-in refused", now, {"ip": ip, "reason": "wrong credentials"})
        return SignInFailed()
    if hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hasher.hash(password)
    signed_in = _open_session(rt, session, user, now)
    audit.record(session, signed_in.actor, AuditAction.LOGIN, SUBJECT, user.id,
                 "staff sign-in", now, {"ip": ip})
    return signed_in


def sign_in(rt: Runtime, username: str, password: str, ip: str) -> SignedIn:
    """Check a username and password and open a new session.

    Raises SignInFailed (wrong username or password, the same either way) or TooManyAttempts.
    """
    name, address = normalise_username(username), ip[:FIELD_MAX]
    with rt.database.transaction() as session:
        outcome = _attempt(rt, session, name, password, address, rt.clock.now())
    if isinstance(outcome, Exception):
        raise outcome
    return outcome


def _session_open(revoked_at: datetime | None, expires_at: datetime, last_seen_at: datetime,
                  now: datetime, idle_minutes: int) -> bool:
    """Not revoked, not past its end, and used within the idle limit. `last_seen_at` is kept
    to the minute (LAST_SEEN_EVERY), so the idle limit holds to the minute too."""
    idle = now - last_seen_at >= timedelta(minutes=idle_minutes)
    return revoked_at is None and expires_at > now and not idle


_SESSIONS, _USERS = cast(Table, StaffSession.__table__), cast(Table, User.__table__)
_TOKEN_LOOKUP = select(
    _SESSIONS.c.csrf_token, _SESSIONS.c.expires_at, _SESSIONS.c.last_seen_at,
    _SESSIONS.c.revoked_at, _USERS.c.id, _USERS.c.username, _USERS.c.role,
    _USERS.c.display_name, _USERS.c.active,
).join(_USERS, _USERS.c.id == _SESSIONS.c.user_id).where(
    _SESSIONS.c.token_hash == bindparam("digest"))
"""Built once, as plain Core: every signed-in request runs it."""


def actor_for_token(rt: Runtime, token: str) -> SessionView | None:
    """Who a token belongs to, or None if it is unknown, expired, idle too long, revoked or
    the user is off.

    Runs on every request, so it reads without taking SQLite's write lock; `last_seen_at` is
    written only when it is LAST_SEEN_EVERY old.
    """
    now = rt.clock.now()
    digest = token_digest(token)
    with rt.database.read() as session:
        row = session.execute(_TOKEN_LOOKUP, {"digest": digest}).first()
    if row is None or not row.active or not _session_open(
            row.revoked_at, row.expires_at, row.last_seen_at, now,
            rt.settings.session_idle_minutes):
        return None
    seen = SessionView(actor=Actor(user_id=row.id, username=row.username, role=Role(row.role),
                                   display_name=row.display_name),
                       csrf_token=row.csrf_token, expires_at=row.expires_at)
    stale = now - row.last_seen_at >= LAST_SEEN_EVERY
    if stale:
        with rt.database.transaction() as session:
            session.execute(update(StaffSession).where(StaffSession.token_hash == digest)
                            .values(last_seen_at=now))
    return seen


def _end_sessions(session: Session, which: ColumnElement[bool], now: datetime) -> int:
    result = session.execute(
        update(StaffSession).where(which, StaffSession.revoked_at.is_(None))
        .values(revoked_at=now).execution_options(synchronize_session=False))
    ended: int = getattr(result, "rowcount", 0)
    return ended


def sign_out(rt: Runtime, token: str) -> None:
    """End the session this token opened. Unknown or already-ended tokens are a no-op."""
    digest = token_digest(token)
    with rt.database.transaction() as session:
        user = session.scalar(select(User).join(StaffSession, StaffSession.user_id == User.id)
                              .where(StaffSession.token_hash == digest))
        now = rt.clock.now()
        if user is None or not _end_sessions(session, StaffSession.token_hash == digest, now):
            return
        audit.record(session, user.actor(), AuditAction.LOGOUT, SUBJECT, user.id,
                     "staff sign-out", now)


def sign_out_everywhere(rt: Runtime, user_id: int, *, actor: Actor | None = None) -> int:
    """End every session of one user (lost device, leaver, suspected compromise).

    `actor` is who asked: an admin, or the user themselves when omitted. Returns how many
    sessions were ended.
    """
    with rt.database.transaction() as session:
        user = session.get(User, user_id)
        if user is None:
            raise NotFound(f"No user {user_id}")
        if actor is not None and actor.user_id != user_id:
            actor.require(Permission.USER_MANAGE)
        now = rt.clock.now()
        ended = _end_sessions(session, StaffSession.user_id == user_id, now)
        audit.record(session, actor or user.actor(), AuditAction.LOGOUT, SUBJECT, user_id,
                     "all sessions ended", now, {"sessions_ended": ended})
        return ended


@dataclass(frozen=True)
class OpenSession:
    """One of a person's signed-in browsers or API clients, as their sessions page lists it."""

    started_at: datetime
    last_seen_at: datetime
    expires_at: datetime
    current: bool
    """The session this request came with."""


def open_sessions(rt: Runtime, actor: Actor, token: str) -> list[OpenSession]:
    """Every session of the signed-in person still open, newest first, so they can spot one
    they did not open and end them all."""
    now, digest = rt.clock.now(), token_digest(token)
    with rt.database.read() as session:
        rows = session.scalars(select(StaffSession).where(
            StaffSession.user_id == actor.user_id, StaffSession.revoked_at.is_(None),
            StaffSession.expires_at > now).order_by(StaffSession.id.desc()))
        return [OpenSession(row.created_at, row.last_seen_at, row.expires_at,
                            row.token_hash == digest)
                for row in rows if _session_open(row.revoked_at, row.expires_at,
                                                 row.last_seen_at, now,
                                                 rt.settings.session_idle_minutes)]


def find_user(rt: Runtime, username: str) -> Actor | None:
    """The account with this username, for the platform's own use (the demo seed, the CLI)."""
    with rt.database.transaction() as session:
        user = session.scalars(select(User).where(
            User.username == normalise_username(username))).first()
        return user.actor() if user is not None else None


def team_of(session: Session, user_id: int | None) -> str:
    """The team a member of staff works in ("" for none, or for the public and the system)."""
    if user_id is None:
        return ""
    return session.scalar(select(User.team).where(User.id == user_id)) or ""


def list_users(rt: Runtime, actor: Actor) -> list[StaffMember]:
    """Every staff account, by username. Needs USER_MANAGE."""
    actor.require(Permission.USER_MANAGE)
    with rt.database.transaction() as session:
        users = list(session.scalars(select(User).order_by(User.username)))
        audit.record(session, actor, AuditAction.READ, SUBJECT, "*", "staff account list",
                     rt.clock.now(), {"count": len(users)})
        return [StaffMember(user_id=u.id, username=u.username, display_name=u.display_name,
                            role=Role(u.role), active=u.active, created_at=u.created_at)
                for u in users]
