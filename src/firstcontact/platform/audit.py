"""The audit log: who did what to whose record, when, and why (DPA 2018 Part 3, s.62).

The log is append-only and hash-chained. Each entry carries the hash of the entry before it
and a SHA-256 over that hash plus its own fields, so an edited, deleted or re-ordered entry
breaks the chain and `verify` names the first entry at fault. On PostgreSQL a trigger also
refuses UPDATE and DELETE outright; on SQLite the chain is the defence.

Entries are written inside the caller's transaction, so an audit entry exists exactly when
the change it describes was committed. Writers are serialised while they hold the chain's
head: on PostgreSQL by a transaction-scoped advisory lock, on SQLite by BEGIN IMMEDIATE
(platform.db). That lock is held until the caller commits, so record late and commit soon.

A hash chain cannot show that its newest entries were cut off; keep `ChainReport.last_hash`
somewhere else (the daily report, a ticket) if that matters to the force.
"""

from __future__ import annotations

import enum
import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, cast

from sqlalchemy import DDL, Enum, Index, String, Table, Text, event, insert, select, text
from sqlalchemy.orm import Mapped, Session, mapped_column

from firstcontact.platform.db import Base, Database, UTCDateTime
from firstcontact.platform.model import Actor

GENESIS = "0" * 64
"""The prev_hash of the first entry: there is nothing before it."""

CHAIN_LOCK = 0x46434155
"""pg_advisory_xact_lock key that serialises appends to the chain ("FCAU")."""

VERIFY_PAGE = 1000


class AuditAction(enum.StrEnum):
    """What was done, in the terms s.62 asks a force to log."""

    CREATE = "create"
    READ = "read"
    UPDATE = "update"
    DISCLOSE = "disclose"
    ERASE = "erase"
    LOGIN = "login"
    LOGIN_FAILED = "login_failed"
    LOGOUT = "logout"
    FIRE = "fire"
    """The platform itself acted: a deadline fired."""


class AuditEntry(Base):
    """One line of the audit log. Never updated, never deleted."""

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_subject", "subject_type", "subject_id", "id"),)

    # Ids are assigned by `record` (head + 1) under the chain lock: gapless, and part of the hash.
    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    actor_user_id: Mapped[int | None]
    actor_username: Mapped[str] = mapped_column(String(150))
    actor_role: Mapped[str | None] = mapped_column(String(40))
    action: Mapped[AuditAction] = mapped_column(
        Enum(AuditAction, native_enum=False, length=20,
             values_callable=lambda members: [m.value for m in members]))
    subject_type: Mapped[str] = mapped_column(String(60))
    subject_id: Mapped[str] = mapped_column(String(120))
    purpose: Mapped[str] = mapped_column(Text)
    detail: Mapped[dict[str, Any]]
    prev_hash: Mapped[str] = mapped_column(String(64))
    entry_hash: Mapped[str] = mapped_column(String(64), unique=True)

    def expected_hash(self) -> str:
        return chain_hash(self.prev_hash, self.fields())

    def fields(self) -> dict[str, Any]:
        """Everything the hash covers, in plain JSON terms."""
        return hashed_fields(self.id, self.at, self.actor_user_id, self.actor_username,
                             self.actor_role, AuditAction(self.action), self.subject_type,
                             self.subject_id, self.purpose, self.detail)


def hashed_fields(entry_id: int, at: datetime, actor_user_id: int | None, actor_username: str,
                  actor_role: str | None, action: AuditAction, subject_type: str,
                  subject_id: str, purpose: str, detail: dict[str, Any]) -> dict[str, Any]:
    """What an entry's hash covers: one definition for writing (`record`) and checking."""
    return {
        "id": entry_id,
        "at": at.astimezone(UTC).isoformat(),
        "actor_user_id": actor_user_id,
        "actor_username": actor_username,
        "actor_role": actor_role,
        "action": action.value,
        "subject_type": subject_type,
        "subject_id": subject_id,
        "purpose": purpose,
        "detail": detail,
    }


APPEND_ONLY_SQL = (
    """
    CREATE OR REPLACE FUNCTION audit_log_append_only() RETURNS trigger AS $$
    BEGIN
        RAISE EXCEPTION USING ERRCODE = 'insufficient_privilege',
            MESSAGE = 'audit_log is append-only: ' || TG_OP || ' refused';
    END;
    $$ LANGUAGE plpgsql
    """,
    """
    CREATE TRIGGER audit_log_append_only
    BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_append_only()
    """,
)
"""PostgreSQL DDL that refuses UPDATE and DELETE on audit_log. Migrations run these with
op.execute after creating the table (create_all gets them from the after_create hook below)."""

for _statement in APPEND_ONLY_SQL:
    event.listen(AuditEntry.__table__, "after_create",
                 DDL(_statement).execute_if(dialect="postgresql"))  # type: ignore[no-untyped-call]


def chain_hash(prev_hash: str, fields: dict[str, Any]) -> str:
    canonical = json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256((prev_hash + canonical).encode("utf-8")).hexdigest()


def _plain_json(detail: dict[str, Any] | None) -> dict[str, Any]:
    """What the database will give back, so the hash read later equals the hash written now."""
    if not detail:
        return {}
    plain: dict[str, Any] = json.loads(json.dumps(detail, default=str))
    return plain


_TABLE = cast(Table, AuditEntry.__table__)
_HEAD = select(_TABLE.c.id, _TABLE.c.entry_hash).order_by(_TABLE.c.id.desc()).limit(1)
_APPEND = insert(_TABLE)
"""Built once: `record` runs on every audited request, and building a statement costs more
than running it. Plain Core statements, not the ORM's unit of work, for the same reason."""


def _chain_head(session: Session) -> tuple[int, str]:
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": CHAIN_LOCK})
    head = session.execute(_HEAD).first()
    return (0, GENESIS) if head is None else (head.id, head.entry_hash)


def record(session: Session, actor: Actor, action: AuditAction, subject_type: str,
           subject_id: str | int, purpose: str, at: datetime,
           detail: dict[str, Any] | None = None) -> None:
    """Append one entry to the log inside the caller's transaction.

    `purpose` is the justification a reviewer will read ("call handler reviewing caller
    history for THRIVE"); say why, not what.
    """
    if at.tzinfo is None:
        raise ValueError("audit times must be timezone-aware")
    head_id, head_hash = _chain_head(session)
    entry_id, moment, subject = head_id + 1, at.astimezone(UTC), str(subject_id)
    role, plain = (actor.role.value if actor.role is not None else None), _plain_json(detail)
    row = {"id": entry_id, "at": moment, "actor_user_id": actor.user_id,
           "actor_username": actor.username, "actor_role": role, "action": AuditAction(action),
           "subject_type": subject_type, "subject_id": subject, "purpose": purpose,
           "detail": plain, "prev_hash": head_hash,
           "entry_hash": chain_hash(head_hash, hashed_fields(
               entry_id, moment, actor.user_id, actor.username, role, AuditAction(action),
               subject_type, subject, purpose, plain))}
    session.execute(_APPEND, row)


def trail(session: Session, subject_type: str, subject_id: str | int) -> list[AuditEntry]:
    """Everything logged about one subject, oldest first: the answer to "who has seen this?"."""
    query = (select(AuditEntry)
             .where(AuditEntry.subject_type == subject_type,
                    AuditEntry.subject_id == str(subject_id))
             .order_by(AuditEntry.id))
    return list(session.scalars(query))


def recent(session: Session, limit: int = 50) -> list[AuditEntry]:
    """The newest entries, newest first."""
    return list(session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc()).limit(limit)))


@dataclass(frozen=True)
class ChainReport:
    """The result of checking the whole chain. `first_bad_id` is None when `ok`."""

    ok: bool
    entries_checked: int
    first_bad_id: int | None = None
    reason: str = ""
    last_hash: str = GENESIS


def _fault(entry: AuditEntry, prev_id: int, prev_hash: str) -> str:
    if entry.id != prev_id + 1:
        return f"entry {prev_id + 1} is missing (next is {entry.id})"
    if entry.prev_hash != prev_hash:
        return f"entry {entry.id} does not follow entry {prev_id} (deleted or re-ordered)"
    if entry.entry_hash != entry.expected_hash():
        return f"entry {entry.id} has been altered since it was written"
    return ""


def _page(database: Database, after_id: int) -> list[AuditEntry]:
    # A short transaction per page: on SQLite a transaction holds the write lock, and a long
    # verify must not stall the control room.
    with database.sessions() as session:
        query = (select(AuditEntry).where(AuditEntry.id > after_id)
                 .order_by(AuditEntry.id).limit(VERIFY_PAGE))
        return list(session.scalars(query))


def verify(database: Database) -> ChainReport:
    """Walk the whole log in id order, a page at a time, and say where the chain first breaks."""
    prev_id, prev_hash, checked = 0, GENESIS, 0
    while page := _page(database, prev_id):
        for entry in page:
            reason = _fault(entry, prev_id, prev_hash)
            if reason:
                return ChainReport(False, checked, entry.id, reason, prev_hash)
            prev_id, prev_hash, checked = entry.id, entry.entry_hash, checked + 1
    return ChainReport(True, checked, None, "", prev_hash)
