"""The policy files load, and a mistake in one names the file, the line and the field."""

from __future__ import annotations

from pathlib import Path

import pytest

from firstcontact.risk import policy
from firstcontact.risk.model import Grade

GOOD = (policy.POLICY_DIR / "grading.toml").read_text()


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "grading.toml"
    path.write_text(text)
    return path


def test_the_shipped_policy_covers_every_grade_and_reviews_at_3h30() -> None:
    grading = policy.load_grading()
    assert set(grading.grades) == set(Grade)
    assert grading.review_interval.total_seconds() == 3.5 * 3600
    assert not grading.grades[Grade.NO_POLICE_ACTION].opens_incident
    assert all(grading.grades[g].opens_incident for g in Grade if g is not Grade.NO_POLICE_ACTION)


def test_the_shipped_nsir_lists_have_the_four_categories() -> None:
    catalogue = policy.load_nsir()
    assert set(catalogue.categories) == {"crime", "asb", "public_safety", "transport"}
    assert "modern_slavery" in catalogue.qualifiers


def test_a_rule_with_an_unknown_answer_names_file_line_and_field(tmp_path: Path) -> None:
    broken = GOOD.replace('when = { threat = ["immediate"] }', 'when = { threat = ["imminent"] }')
    path = write(tmp_path, broken)
    line = broken.splitlines().index("[[rules]]") + 1
    with pytest.raises(policy.PolicyError) as caught:
        policy.load_grading(path)
    assert str(caught.value).startswith(f"{path}:{line}: rules[0].when.threat:")


def test_a_rule_for_an_unknown_grade_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD.replace('grade = "priority"', 'grade = "urgent"', 1))
    with pytest.raises(policy.PolicyError, match=r"rules\[3\]\.grade: unknown grade 'urgent'"):
        policy.load_grading(path)


def test_a_missing_grade_entry_is_refused(tmp_path: Path) -> None:
    text = GOOD.replace("[grades.no_police_action]", "[grades_unused]")
    with pytest.raises(policy.PolicyError, match="missing"):
        policy.load_grading(write(tmp_path, text))


def test_a_negative_review_interval_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD.replace("review_interval_minutes = 210",
                                        "review_interval_minutes = -5"))
    with pytest.raises(policy.PolicyError, match="review_interval_minutes"):
        policy.load_grading(path)


def test_invalid_toml_names_the_file(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD + "\n[[rules]\n")
    with pytest.raises(policy.PolicyError, match=str(path)):
        policy.load_grading(path)


def test_every_nsir_category_has_closing_codes_and_the_file_lists_results() -> None:
    catalogue = policy.load_nsir()
    assert all(c.closing_codes for c in catalogue.categories.values())
    assert catalogue.closing_label("CR-C-REC") == "Crime recorded"
    assert catalogue.closing_label("CR-BUR") is None
    assert "arrest" in catalogue.results


def test_a_closing_code_used_twice_is_named(tmp_path: Path) -> None:
    text = (policy.POLICY_DIR / "nsir.toml").read_text()
    broken = text.replace('"TR-C-CLR" = ', '"CR-C-REC" = ')
    path = tmp_path / "nsir.toml"
    path.write_text(broken)
    with pytest.raises(policy.PolicyError, match=r"categories\.transport: code CR-C-REC is used "
                                                 "twice"):
        policy.load_nsir(path)


def test_a_category_without_closing_codes_is_refused(tmp_path: Path) -> None:
    text = (policy.POLICY_DIR / "nsir.toml").read_text()
    path = tmp_path / "nsir.toml"
    path.write_text(text.replace("[categories.asb.closing_codes]", "[asb_closing_unused]"))
    with pytest.raises(policy.PolicyError, match=r"categories\.asb: needs closing_codes"):
        policy.load_nsir(path)
