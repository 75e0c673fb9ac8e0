"""Staff accounts, sessions and login throttling, on SQLite and PostgreSQL, with a fixed clock."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from firstcontact.platform import audit, auth
from firstcontact.platform.audit import AuditAction
from firstcontact.platform.clock import FixedClock
from firstcontact.platform.model import SYSTEM, PermissionDenied, Role, ValidationError
from firstcontact.platform.runtime import Runtime
from tests.staff import PASSWORD, create_staff

IP = "192.0.2.10"


def test_the_password_is_stored_as_an_argon2_hash_never_as_typed(runtime: Runtime) -> None:
    actor = create_staff(runtime, Role.CALL_HANDLER)
    with runtime.database.transaction() as session:
        user = session.get(auth.User, actor.user_id)
        assert user is not None
        assert user.password_hash.startswith("$argon2id$")
        assert PASSWORD not in user.password_hash


def test_a_new_account_is_audited_as_created_by_whoever_made_it(runtime: Runtime) -> None:
    actor = create_staff(runtime, Role.DISPATCHER, username="d.smith")
    with runtime.database.transaction() as session:
        entries = audit.trail(session, "user", str(actor.user_id))
    assert [(e.action, e.actor_username) for e in entries] == [(AuditAction.CREATE, "system")]


@pytest.mark.parametrize(("username", "password", "field"), [
    ("ab", PASSWORD, "username"),
    ("1startswithdigit", PASSWORD, "username"),
    ("has space", PASSWORD, "username"),
    ("<script>", PASSWORD, "username"),
    ("good.name", "elevenchars", "password"),
])
def test_bad_usernames_and_short_passwords_are_refused_by_field(
        runtime: Runtime, username: str, password: str, field: str) -> None:
    with pytest.raises(ValidationError) as refused:
        auth.create_user(runtime, SYSTEM, username, "A Person", Role.CALL_HANDLER, password)
    assert refused.value.field == field


def test_a_username_already_in_use_is_refused_whatever_its_case(runtime: Runtime) -> None:
    create_staff(runtime, Role.CALL_HANDLER, username="j.bloggs")
    with pytest.raises(ValidationError) as refused:
        create_staff(runtime, Role.DISPATCHER, username="J.Bloggs")
    assert refused.value.field == "username"


def test_only_a_role_that_manages_users_may_create_them(runtime: Runtime) -> None:
    team_leader = create_staff(runtime, Role.TEAM_LEADER)
    admin = create_staff(runtime, Role.ADMIN)
    with pytest.raises(PermissionDenied):
        auth.create_user(runtime, team_leader, "new.person", "New", Role.CALL_HANDLER, PASSWORD)
    made = auth.create_user(runtime, admin, "new.person", "New", Role.CALL_HANDLER, PASSWORD)
    assert made.role is Role.CALL_HANDLER
    assert [m.username for m in auth.list_users(runtime, admin)] == sorted(
        [team_leader.username, admin.username, "new.person"])
    with pytest.raises(PermissionDenied):
        auth.list_users(runtime, team_leader)


def test_a_wrong_password_and_an_unknown_username_read_the_same(runtime: Runtime) -> None:
    actor = create_staff(runtime, Role.CALL_HANDLER)
    with pytest.raises(auth.SignInFailed) as wrong_password:
        auth.sign_in(runtime, actor.username, "not the password at all", IP)
    with pytest.raises(auth.SignInFailed) as unknown_user:
        auth.sign_in(runtime, "nobody.here", PASSWORD, IP)
    assert wrong_password.value.message == unknown_user.value.message == auth.SIGN_IN_FAILED


def test_sign_in_is_case_insensitive_on_username_and_audited(runtime: Runtime) -> None:
    actor = create_staff(runtime, Role.CALL_HANDLER, username="a.handler")
    signed_in = auth.sign_in(runtime, "  A.Handler ", PASSWORD, IP)
    assert signed_in.actor == actor
    with runtime.database.transaction() as session:
        actions = [e.action for e in audit.trail(session, "user", str(actor.user_id))]
    assert actions == [AuditAction.CREATE, AuditAction.LOGIN]


def fail(runtime: Runtime, username: str, times: int, ip: str = IP) -> None:
    for _ in range(times):
        with pytest.raises(auth.SignInFailed):
            auth.sign_in(runtime, username, "wrong password entirely", ip)


def test_the_account_locks_after_the_allowed_failures_even_for_the_right_password(
        runtime: Runtime) -> None:
    actor = create_staff(runtime, Role.CALL_HANDLER)
    allowed = runtime.settings.login_attempts_allowed
    fail(runtime, actor.username, allowed - 1, ip="198.51.100.1")
    auth.sign_in(runtime, actor.username, PASSWORD, IP)  # one short of the limit: still open
    fail(runtime, actor.username, allowed, ip="198.51.100.2")
    with pytest.raises(auth.TooManyAttempts) as refused:
        auth.sign_in(runtime, actor.username, PASSWORD, "198.51.100.7")
    assert "Wait 15 minutes" in refused.value.message


def test_the_lock_opens_when_the_lockout_window_has_passed_to_the_minute(
        runtime: Runtime, clock: FixedClock) -> None:
    actor = create_staff(runtime, Role.CALL_HANDLER)
    fail(runtime, actor.username, runtime.settings.login_attempts_allowed)
    clock.advance(timedelta(minutes=runtime.settings.login_lockout_minutes - 1))
    with pytest.raises(auth.TooManyAttempts) as refused:
        auth.sign_in(runtime, actor.username, PASSWORD, IP)
    assert "Wait 1 minute," in refused.value.message
    clock.advance(timedelta(minutes=1))
    assert auth.sign_in(runtime, actor.username, PASSWORD, IP).actor == actor


def test_refusals_while_locked_do_not_extend_the_lock(runtime: Runtime, clock: FixedClock) -> None:
    actor = create_staff(runtime, Role.CALL_HANDLER)
    fail(runtime, actor.username, runtime.settings.login_attempts_allowed)
    for _ in range(3):
        clock.advance(timedelta(minutes=4))
        with pytest.raises(auth.TooManyAttempts):
            auth.sign_in(runtime, actor.username, PASSWORD, IP)
    clock.advance(timedelta(minutes=3))
    assert auth.sign_in(runtime, actor.username, PASSWORD, IP).actor == actor


def test_failures_from_one_address_lock_that_address_for_every_username(
        runtime: Runtime) -> None:
    actor = create_staff(runtime, Role.CALL_HANDLER)
    for n in range(runtime.settings.login_attempts_per_address - 1):
        fail(runtime, f"guess.{n}", 1, ip="203.0.113.9")
    assert auth.sign_in(runtime, actor.username, PASSWORD, "203.0.113.9").actor == actor
    fail(runtime, "one.more.guess", 1, ip="203.0.113.9")
    with pytest.raises(auth.TooManyAttempts):
        auth.sign_in(runtime, actor.username, PASSWORD, "203.0.113.9")
    assert auth.sign_in(runtime, actor.username, PASSWORD, IP).actor == actor


def test_a_session_ends_session_hours_after_sign_in_to_the_minute(
        runtime: Runtime, clock: FixedClock) -> None:
    create_staff(runtime, Role.DISPATCHER, username="night.shift")
    signed_in = auth.sign_in(runtime, "night.shift", PASSWORD, IP)
    hours = runtime.settings.session_hours
    assert signed_in.expires_at == clock.now() + timedelta(hours=hours)
    for _ in range(hours * 2 - 1):  # in use every half hour, so never idle
        clock.advance(timedelta(minutes=30))
        assert auth.actor_for_token(runtime, signed_in.token) is not None
    clock.advance(timedelta(minutes=29))
    found = auth.actor_for_token(runtime, signed_in.token)
    assert found is not None
    assert found.actor == signed_in.actor
    assert found.csrf_token == signed_in.csrf_token
    clock.advance(timedelta(minutes=1))
    assert auth.actor_for_token(runtime, signed_in.token) is None


def test_every_sign_in_issues_a_new_token_and_csrf_token(runtime: Runtime) -> None:
    actor = create_staff(runtime, Role.CALL_HANDLER)
    first = auth.sign_in(runtime, actor.username, PASSWORD, IP)
    second = auth.sign_in(runtime, actor.username, PASSWORD, IP)
    assert first.token != second.token
    assert first.csrf_token != second.csrf_token


def test_only_a_digest_of_the_token_is_stored(runtime: Runtime) -> None:
    actor = create_staff(runtime, Role.CALL_HANDLER)
    signed_in = auth.sign_in(runtime, actor.username, PASSWORD, IP)
    with runtime.database.transaction() as session:
        stored = session.scalars(select(auth.StaffSession.token_hash)).all()
    assert stored == [auth.token_digest(signed_in.token)]
    assert signed_in.token not in stored[0]


def test_signing_out_ends_that_session_only(runtime: Runtime) -> None:
    actor = create_staff(runtime, Role.CALL_HANDLER)
    desk = auth.sign_in(runtime, actor.username, PASSWORD, IP)
    phone = auth.sign_in(runtime, actor.username, PASSWORD, IP)
    auth.sign_out(runtime, desk.token)
    assert auth.actor_for_token(runtime, desk.token) is None
    assert auth.actor_for_token(runtime, phone.token) is not None
    auth.sign_out(runtime, desk.token)  # again: nothing to do, no error
    with runtime.database.transaction() as session:
        actions = [e.action for e in audit.trail(session, "user", str(actor.user_id))]
    assert actions.count(AuditAction.LOGOUT) == 1


def test_signing_out_everywhere_ends_every_session_of_that_user(runtime: Runtime) -> None:
    actor = create_staff(runtime, Role.CALL_HANDLER)
    other = create_staff(runtime, Role.CALL_HANDLER)
    tokens = [auth.sign_in(runtime, actor.username, PASSWORD, IP).token for _ in range(2)]
    kept = auth.sign_in(runtime, other.username, PASSWORD, IP).token
    assert actor.user_id is not None
    assert auth.sign_out_everywhere(runtime, actor.user_id) == 2
    assert [auth.actor_for_token(runtime, t) for t in tokens] == [None, None]
    assert auth.actor_for_token(runtime, kept) is not None


def test_a_deactivated_user_can_neither_use_a_session_nor_sign_in(runtime: Runtime) -> None:
    actor = create_staff(runtime, Role.CALL_HANDLER)
    signed_in = auth.sign_in(runtime, actor.username, PASSWORD, IP)
    with runtime.database.transaction() as session:
        user = session.get(auth.User, actor.user_id)
        assert user is not None
        user.active = False
    assert auth.actor_for_token(runtime, signed_in.token) is None
    with pytest.raises(auth.SignInFailed):
        auth.sign_in(runtime, actor.username, PASSWORD, IP)


def test_an_unknown_token_belongs_to_nobody(runtime: Runtime) -> None:
    assert auth.actor_for_token(runtime, "not-a-token") is None
