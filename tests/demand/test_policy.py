"""The resources file loads, and a mistake in it names the file, the line and the field."""

from __future__ import annotations

from pathlib import Path

import pytest

from firstcontact.demand import policy
from firstcontact.demand.model import UNSECTORED, sector_for
from firstcontact.risk.policy import PolicyError

GOOD = (policy.POLICY_DIR / "resources.toml").read_text()


def test_the_shipped_file_has_unit_types_skills_and_sectors() -> None:
    loaded = policy.load_resources()
    assert "response_car" in loaded.unit_types and "taser" in loaded.skills
    assert sector_for("14 Larch Close, Northgate", loaded.sectors) == "north"
    assert sector_for("Unit 4, brook industrial estate", loaded.sectors) == "west"
    assert sector_for("Somewhere else entirely", loaded.sectors) == UNSECTORED


def test_a_sector_without_places_names_file_line_and_field(tmp_path: Path) -> None:
    broken = GOOD.replace('places = ["Easton", "Riverside"]', "places = []")
    path = tmp_path / "resources.toml"
    path.write_text(broken)
    line = broken.splitlines().index("[sectors.east]") + 1
    with pytest.raises(PolicyError, match=f"{path}:{line}: sectors.east.places: "):
        policy.load_resources(path)


def test_a_unit_type_without_a_label_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "resources.toml"
    path.write_text(GOOD.replace('dog = "Dog unit"', 'dog = ""'))
    with pytest.raises(PolicyError, match=r"unit_types\.dog: needs a label"):
        policy.load_resources(path)
