"""Logs: JSON lines for the log shipper, plain lines for a person, never printed twice."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator

import pytest

from firstcontact.platform.logging import HANDLER_NAME, UVICORN_LOGGERS, configure_logging
from firstcontact.settings import Settings


@pytest.fixture(autouse=True)
def restore_logging() -> Iterator[None]:
    """configure_logging changes process-wide state; put it back for the next test."""
    root = logging.getLogger()
    saved = (list(root.handlers), root.level)
    saved_uvicorn = {name: (list(logging.getLogger(name).handlers),
                            logging.getLogger(name).propagate,
                            logging.getLogger(name).level) for name in UVICORN_LOGGERS}
    yield
    root.handlers[:] = saved[0]
    root.setLevel(saved[1])
    for name, (handlers, propagate, level) in saved_uvicorn.items():
        uvicorn_logger = logging.getLogger(name)
        uvicorn_logger.handlers[:] = handlers
        uvicorn_logger.propagate = propagate
        uvicorn_logger.setLevel(level)


def lines(capsys: pytest.CaptureFixture[str]) -> list[str]:
    return [line for line in capsys.readouterr().out.splitlines() if line]


def test_json_lines_carry_level_logger_message_and_extra_fields(
        capsys: pytest.CaptureFixture[str]) -> None:
    configure_logging(Settings(log_json=True))
    logging.getLogger("firstcontact.risk").info("review due", extra={"incident": "INC-1"})
    [line] = lines(capsys)
    record = json.loads(line)
    assert record["level"] == "INFO"
    assert record["logger"] == "firstcontact.risk"
    assert record["message"] == "review due"
    assert record["incident"] == "INC-1"
    assert "timestamp" in record


def test_plain_lines_when_json_is_off(capsys: pytest.CaptureFixture[str]) -> None:
    configure_logging(Settings(log_json=False))
    logging.getLogger("firstcontact").warning("bus reconnecting")
    [line] = lines(capsys)
    assert line.endswith("WARNING firstcontact: bus reconnecting")


def test_configuring_twice_does_not_print_twice(capsys: pytest.CaptureFixture[str]) -> None:
    configure_logging(Settings(log_json=True))
    configure_logging(Settings(log_json=True))
    logging.getLogger("firstcontact").warning("once")
    assert len(lines(capsys)) == 1
    ours = [h for h in logging.getLogger().handlers if h.get_name() == HANDLER_NAME]
    assert len(ours) == 1


def test_the_level_setting_is_obeyed(capsys: pytest.CaptureFixture[str]) -> None:
    configure_logging(Settings(log_json=True, log_level="warning"))
    logging.getLogger("firstcontact").info("quiet")
    logging.getLogger("firstcontact").warning("loud")
    assert [json.loads(line)["message"] for line in lines(capsys)] == ["loud"]


def test_uvicorn_logs_go_through_the_same_handler(capsys: pytest.CaptureFixture[str]) -> None:
    logging.getLogger("uvicorn.error").addHandler(logging.NullHandler())
    logging.getLogger("uvicorn.error").propagate = False
    configure_logging(Settings(log_json=True))
    logging.getLogger("uvicorn.error").warning("Shutting down")
    [line] = lines(capsys)
    assert json.loads(line)["logger"] == "uvicorn.error"


def test_uvicorn_access_lines_are_left_to_our_middleware(
        capsys: pytest.CaptureFixture[str]) -> None:
    configure_logging(Settings(log_json=True))
    logging.getLogger("uvicorn.access").info('127.0.0.1 - "GET /contacts?name=Sam HTTP/1.1" 200')
    assert lines(capsys) == []
