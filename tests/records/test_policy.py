"""The retention schedule file: the shipped one loads; a mistake names file, line and field."""

from __future__ import annotations

from pathlib import Path

import pytest

from firstcontact.records.model import Disposal, RecordType
from firstcontact.records.policy import POLICY_FILE, PolicyError, load


def edited(tmp_path: Path, old: str, new: str) -> Path:
    text = POLICY_FILE.read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "retention.toml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


def line_number(path: Path, needle: str) -> int:
    return next(n for n, line in enumerate(path.read_text().splitlines(), 1)
                if line.startswith(needle))


def test_the_shipped_schedule_covers_every_record_type_and_keeps_the_audit_log() -> None:
    policy = load()
    assert set(policy.rules) == set(RecordType)
    assert policy.rules[RecordType.AUDIT_LOG].disposal is Disposal.KEEP
    assert policy.groups["group_2"].review_years == 10
    assert policy.groups["group_3"].review_years == 6
    assert policy.groups["group_1"].keep_until_age == 100


def test_a_schedule_that_would_delete_the_audit_log_stops_start_up(tmp_path: Path) -> None:
    path = edited(tmp_path, 'disposal = "keep"', 'disposal = "delete"')
    with pytest.raises(PolicyError) as error:
        load(path)
    where = line_number(path, "[record_types.audit_log]")
    assert f"{path}:{where}: record_types.audit_log.disposal" in str(error.value)


def test_an_unknown_group_is_named_with_its_line(tmp_path: Path) -> None:
    path = edited(tmp_path, 'hate = "group_2"', 'hate = "group_9"')
    with pytest.raises(PolicyError, match=r"classification.qualifiers.hate: unknown group"):
        load(path)
    with pytest.raises(PolicyError, match=rf":{line_number(path, 'hate = ')}:"):
        load(path)


def test_a_group_needs_exactly_one_period(tmp_path: Path) -> None:
    path = edited(tmp_path, "keep_until_age = 100", "keep_until_age = 100\nreview_years = 5")
    with pytest.raises(PolicyError, match=r"groups.group_1: give exactly one"):
        load(path)
    path = edited(tmp_path, "review_years = 10", "review_years = -1")
    with pytest.raises(PolicyError, match=r"groups.group_2.review_years: must be a whole"):
        load(path)


def test_a_missing_record_type_and_a_bad_disposal_are_refused(tmp_path: Path) -> None:
    path = edited(tmp_path, "[record_types.referral]", "[record_types.referal]")
    with pytest.raises(PolicyError, match=r"record_types.referal: unknown record type"):
        load(path)
    path = edited(tmp_path, 'disposal = "delete"', 'disposal = "shred"')
    with pytest.raises(PolicyError, match=r"record_types.chat_message.disposal: must be one of"):
        load(path)
