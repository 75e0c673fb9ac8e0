"""Live chat's pure rules, to the second."""

from __future__ import annotations

from datetime import timedelta

import pytest

from firstcontact.contacts.chat_model import (
    client_message_id,
    message_text,
    position_in_queue,
    queue_order,
    visitor_name,
)
from firstcontact.platform.model import ValidationError
from tests.conftest import START


def test_the_queue_puts_the_longest_wait_first_with_each_wait() -> None:
    queue = queue_order([(2, "Bea", START + timedelta(seconds=30)), (1, "Al", START)],
                        START + timedelta(minutes=2))
    assert [(w.chat_id, w.wait_seconds) for w in queue] == [(1, 120), (2, 90)]
    assert position_in_queue(queue, 2) == 2
    assert position_in_queue(queue, 3) is None


def test_messages_and_their_ids_are_checked() -> None:
    assert message_text("  Hello  ") == "Hello"
    for bad in ("", "<script>alert(1)</script>", "x" * 2001, None):
        with pytest.raises(ValidationError) as error:
            message_text(bad)
        assert error.value.field == "text"
    assert client_message_id("a1b2c3d4e5") == "a1b2c3d4e5"
    for bad_id in ("short", "has space in it", 12345678, "x" * 65):
        with pytest.raises(ValidationError):
            client_message_id(bad_id)
    assert visitor_name("") == "Member of the public"
