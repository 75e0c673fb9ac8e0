"""The `firstcontact` command's database, user and audit subcommands, on a real SQLite file."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, inspect, text
from typer.testing import CliRunner

from firstcontact.app import create_app
from firstcontact.cli import app, login_table
from firstcontact.platform.db import Base
from firstcontact.settings import Settings

runner = CliRunner()
PASSWORD = "a-long-enough-passphrase-42"


@pytest.fixture
def cli_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """A fresh SQLite file that every CLI command in the test reads from the environment."""
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("FIRSTCONTACT_DATABASE_URL", url)
    monkeypatch.setenv("FIRSTCONTACT_LOG_JSON", "false")
    return url


def invoke(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.output


def create_call_handler(username: str = "ch.jones") -> None:
    code, output = invoke("users", "create", "--username", username, "--display-name",
                          "Alex Jones", "--role", "call_handler", "--password", PASSWORD)
    assert code == 0, output


def test_db_upgrade_creates_every_table_the_models_declare(cli_db: str) -> None:
    code, output = invoke("db", "upgrade")
    assert code == 0, output
    import firstcontact.schema  # noqa: F401

    engine = create_engine(cli_db)
    created = set(inspect(engine).get_table_names())
    engine.dispose()
    assert set(Base.metadata.tables) <= created
    assert "alembic_version" in created


def test_db_upgrade_twice_is_harmless(cli_db: str) -> None:
    assert invoke("db", "upgrade")[0] == 0
    assert invoke("db", "upgrade")[0] == 0


def test_a_user_created_on_the_command_line_can_sign_in(cli_db: str) -> None:
    assert invoke("db", "upgrade")[0] == 0
    create_call_handler()
    settings = Settings(database_url=cli_db, timer_enabled=False, log_json=False)
    with TestClient(create_app(settings)) as client:
        good = client.post("/api/session", json={"username": "ch.jones", "password": PASSWORD})
        bad = client.post("/api/session", json={"username": "ch.jones", "password": "wrong"})
    assert good.status_code in (200, 201), good.text
    assert good.json()["token"]
    assert bad.status_code == 401


def test_users_create_prompts_for_the_password_when_not_given(cli_db: str) -> None:
    assert invoke("db", "upgrade")[0] == 0
    result = runner.invoke(app, ["users", "create", "--username", "dd.khan", "--display-name",
                                 "Sam Khan", "--role", "digital_desk"],
                           input=f"{PASSWORD}\n{PASSWORD}\n")
    assert result.exit_code == 0, result.output
    assert "created digital_desk dd.khan" in result.output


def test_users_create_records_the_team(cli_db: str) -> None:
    assert invoke("db", "upgrade")[0] == 0
    code, output = invoke("users", "create", "--username", "ch.red", "--display-name", "Red",
                          "--role", "call_handler", "--password", PASSWORD,
                          "--team", "Red Watch")
    assert code == 0, output
    engine = create_engine(cli_db)
    with engine.connect() as connection:
        team = connection.execute(text("SELECT team FROM users WHERE username = 'ch.red'"))
        assert team.scalar() == "Red Watch"
    engine.dispose()
    code, output = invoke("users", "create", "--username", "ch.bad", "--display-name", "Bad",
                          "--role", "call_handler", "--password", PASSWORD, "--team", "<b>")
    assert code == 1 and "team" in output


def test_users_create_refuses_an_unknown_role(cli_db: str) -> None:
    code, _ = invoke("users", "create", "--username", "x", "--display-name", "X",
                     "--role", "sheriff", "--password", PASSWORD)
    assert code == 2


def test_audit_verify_passes_on_an_intact_log(cli_db: str) -> None:
    assert invoke("db", "upgrade")[0] == 0
    create_call_handler()
    code, output = invoke("audit", "verify")
    assert code == 0, output
    assert "intact" in output


def test_audit_verify_fails_when_an_entry_was_altered(cli_db: str) -> None:
    assert invoke("db", "upgrade")[0] == 0
    create_call_handler()
    engine = create_engine(cli_db)
    with engine.begin() as connection:
        first = connection.execute(text("SELECT min(id) FROM audit_log")).scalar_one()
        assert first is not None, "creating a user should write the audit log"
        connection.execute(text("UPDATE audit_log SET purpose = 'tampered' WHERE id = :id"),
                           {"id": first})
    engine.dispose()
    code, output = invoke("audit", "verify")
    assert code == 1
    assert "BROKEN" in output


def test_login_table_lines_up_the_columns() -> None:
    table = login_table([("call_handler", "ch.demo", "pw1"), ("admin", "admin", "longer-pw")])
    lines = table.splitlines()
    assert lines[0] == "Demo logins:"
    column = lines[1].index("username")
    assert lines[3][column:].startswith("ch.demo")
    assert lines[4][column:].startswith("admin ")


def test_demo_prints_a_login_per_role_and_is_safe_to_repeat(cli_db: str) -> None:
    assert invoke("db", "upgrade")[0] == 0
    first_code, first = invoke("demo")
    again_code, again = invoke("demo")
    assert first_code == 0, first
    assert again_code == 0, again
    assert first == again
    for role in ("call_handler", "dispatcher", "team_leader", "digital_desk", "qa_reviewer",
                 "victim_care", "partner_agency", "admin"):
        assert f"\n{role} " in first
