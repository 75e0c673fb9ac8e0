"""The desk's rules, pure: reply targets to the minute, danger phrases, queue order; and its
data file, checked with errors naming file, line and field."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from firstcontact.contacts import desk
from firstcontact.contacts.desk_rules import danger_phrase, is_breached, queue_order, reply_due_at
from firstcontact.contacts.model import Channel
from firstcontact.risk.policy import PolicyError

AT = datetime(2026, 3, 14, 9, 30, tzinfo=UTC)
POLICY = desk.load_policy()
GOOD = desk.POLICY_FILE.read_text()


@pytest.mark.parametrize(("channel", "minutes"), [
    (Channel.CHAT, 2), (Channel.SOCIAL, 60), (Channel.EMAIL, 24 * 60), (Channel.ONLINE, 24 * 60)])
def test_each_channel_has_its_own_reply_target(channel: Channel, minutes: int) -> None:
    assert reply_due_at(POLICY, channel, AT) == AT + timedelta(minutes=minutes)


def test_a_reply_is_late_from_the_minute_it_falls_due_until_it_is_sent() -> None:
    due = reply_due_at(POLICY, Channel.CHAT, AT)
    assert not is_breached(due, None, due - timedelta(minutes=1))
    assert is_breached(due, None, due)
    assert not is_breached(due, due - timedelta(seconds=30), due + timedelta(hours=1))


def test_danger_phrases_match_whole_words_ignoring_case_and_curly_quotes() -> None:
    assert danger_phrase(POLICY, "He is OUTSIDE MY HOUSE again") == "outside my house"
    assert danger_phrase(POLICY, "I can\u2019t breathe") == "can't breathe"
    assert danger_phrase(POLICY, "The film was about someone in dangerous waters") is None
    assert danger_phrase(POLICY, "My bike was stolen last week") is None


def test_the_queue_puts_danger_first_then_the_soonest_due() -> None:
    later, sooner = AT + timedelta(hours=2), AT + timedelta(minutes=2)
    lines = [(False, sooner, 1), (True, later, 2), (False, later, 3)]
    ordered = sorted(lines, key=lambda line: queue_order(*line))
    assert [line[2] for line in ordered] == [2, 1, 3]


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "desk.toml"
    path.write_text(text)
    return path


def test_a_missing_reply_target_names_file_line_and_field(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD.replace("chat = 2", "chat = 0"))
    line = GOOD.splitlines().index("chat = 2") + 1
    with pytest.raises(PolicyError, match=rf"desk\.toml:{line}: reply_targets\.chat: must be"):
        desk.load_policy(path)


def test_an_unknown_channel_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD + "pager = 5\n")
    with pytest.raises(PolicyError, match=r"reply_targets\.pager: not a digital channel"):
        desk.load_policy(path)


def test_an_empty_danger_list_is_refused(tmp_path: Path) -> None:
    start = GOOD.index("danger_phrases = [")
    end = GOOD.index("]", start) + 1
    path = write(tmp_path, GOOD[:start] + "danger_phrases = []" + GOOD[end:])
    with pytest.raises(PolicyError, match="danger_phrases: must be a list"):
        desk.load_policy(path)
