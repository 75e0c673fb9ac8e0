"""The flood limit is shared by every worker and resets each window; drafts expire."""

from __future__ import annotations

from datetime import timedelta

import pytest

from firstcontact.contacts import online, online_service
from firstcontact.platform.clock import FixedClock
from firstcontact.platform.model import ValidationError
from firstcontact.platform.runtime import Runtime


def test_two_workers_share_one_count_per_address(runtime: Runtime,
                                                 second_worker: Runtime) -> None:
    half = online_service.FLOOD_LIMIT // 2
    for _ in range(half):
        assert online_service.allow_public_post(runtime, "203.0.113.7")
        assert online_service.allow_public_post(second_worker, "203.0.113.7")
    assert not online_service.allow_public_post(second_worker, "203.0.113.7")
    assert online_service.allow_public_post(runtime, "198.51.100.1")


def test_the_count_starts_again_in_the_next_window(runtime: Runtime, clock: FixedClock) -> None:
    for _ in range(online_service.FLOOD_LIMIT):
        online_service.allow_public_post(runtime, "203.0.113.7")
    assert not online_service.allow_public_post(runtime, "203.0.113.7")
    clock.advance(online_service.FLOOD_WINDOW)
    assert online_service.allow_public_post(runtime, "203.0.113.7")


def test_an_unsent_report_expires_after_a_day(runtime: Runtime, clock: FixedClock) -> None:
    draft_id = online_service.start(runtime)
    online_service.answer(runtime, draft_id, online.BY_SLUG["what"], {"kind": "crime"})
    assert online_service.draft(runtime, draft_id) is not None
    clock.advance(online_service.DRAFT_LIFETIME + timedelta(minutes=1))
    assert online_service.draft(runtime, draft_id) is None
    with pytest.raises(ValidationError):
        online_service.answer(runtime, draft_id, online.BY_SLUG["who"],
                              {"caller_relationship": "victim"})


def test_an_unfinished_report_cannot_be_sent(runtime: Runtime) -> None:
    draft_id = online_service.start(runtime)
    with pytest.raises(ValidationError, match="Answer every question"):
        online_service.send(runtime, draft_id)
    assert online_service.draft(runtime, "no-such-draft") is None
