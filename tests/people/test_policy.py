"""The matching and names policy files are checked, with errors naming file, line and field."""

from __future__ import annotations

from pathlib import Path

import pytest

from firstcontact.people.policy import POLICY_DIR, PolicyError, load_matching, load_names


def test_shipped_policy_loads() -> None:
    rules = load_matching()
    assert rules.offer < rules.auto_link
    assert load_names().of("bill") == "william"


def edited(tmp_path: Path, name: str, old: str, new: str) -> Path:
    text = (POLICY_DIR / name).read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / name
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


@pytest.mark.parametrize(("old", "new", "expected"), [
    ("offer = 5.0", "offer = 10.0", "thresholds.offer: must be below auto_link"),
    ("auto_link = 9.0", 'auto_link = "high"', "thresholds.auto_link: must be a number"),
    ("max_block_size = 100", "max_block_size = 2", "blocking.max_block_size"),
    ("[weights.phone]\nagree = 7.0", "[weights.phone]\nagree = -7.0", "weights.phone"),
    ("[weights.email]", "[weights.emails]", "weights.email"),
])
def test_mistakes_in_matching_policy_are_named(tmp_path: Path, old: str, new: str,
                                               expected: str) -> None:
    with pytest.raises(PolicyError) as raised:
        load_matching(edited(tmp_path, "matching.toml", old, new))
    assert expected in str(raised.value)
    assert "matching.toml:" in str(raised.value)


def test_a_name_in_two_groups_is_refused(tmp_path: Path) -> None:
    path = edited(tmp_path, "names.toml", '["peter", "pete"]', '["peter", "pete", "bill"]')
    with pytest.raises(PolicyError, match=r"names.toml:\d+: groups\[\d+\]: 'bill'"):
        load_names(path)
