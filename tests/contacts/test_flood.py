"""The live-chat flood limits are counted in the database: two workers share one count."""

from __future__ import annotations

from datetime import timedelta

import pytest

from firstcontact.contacts import chat, online_service
from firstcontact.platform.clock import FixedClock
from firstcontact.platform.runtime import Runtime
from firstcontact.settings import Settings


@pytest.fixture
def settings(database_url: str) -> Settings:
    return Settings(database_url=database_url, timer_enabled=False, log_json=False,
                    secret_key="test-secret", chat_starts_per_hour=3,
                    chat_messages_per_minute=4)


def test_two_workers_share_one_count_of_chats_opened(runtime: Runtime, second_worker: Runtime,
                                                    clock: FixedClock) -> None:
    assert chat.start_wait(runtime, "203.0.113.7") == 0
    assert chat.start_wait(second_worker, "203.0.113.7") == 0
    assert chat.start_wait(runtime, "203.0.113.7") == 0
    assert chat.start_wait(second_worker, "203.0.113.7") == 30 * 60  # 09:30: the hour's end
    assert chat.start_wait(second_worker, "198.51.100.1") == 0
    clock.advance(timedelta(minutes=29))
    assert chat.start_wait(runtime, "203.0.113.7") == 60
    clock.advance(timedelta(minutes=1))
    assert chat.start_wait(runtime, "203.0.113.7") == 0


def test_two_workers_share_one_count_of_messages(runtime: Runtime, second_worker: Runtime,
                                                 clock: FixedClock) -> None:
    for worker in (runtime, second_worker, runtime, second_worker):
        assert chat.message_wait(worker, "203.0.113.7") == 0
    assert chat.message_wait(runtime, "203.0.113.7") == 60
    clock.advance(timedelta(seconds=59))
    assert chat.message_wait(second_worker, "203.0.113.7") == 1
    clock.advance(timedelta(seconds=1))
    assert chat.message_wait(second_worker, "203.0.113.7") == 0


def test_each_limit_keeps_its_own_count(runtime: Runtime) -> None:
    for _ in range(3):
        assert chat.start_wait(runtime, "203.0.113.7") == 0
    assert chat.start_wait(runtime, "203.0.113.7") > 0
    assert chat.message_wait(runtime, "203.0.113.7") == 0
    assert online_service.allow_public_post(runtime, "203.0.113.7")
