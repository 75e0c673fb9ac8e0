"""The catalogue files are checked at start-up; a mistake names the file, the line and field."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from firstcontact.harm import policy
from firstcontact.harm.model import HARM_TYPES
from firstcontact.platform.policyfile import PolicyError
from firstcontact.risk import policy as risk_policy


@pytest.fixture
def room(tmp_path: Path) -> Path:
    """A copy of the real indicator files and scanning.toml to break one at a time."""
    shutil.copytree(policy.INDICATORS_DIR, tmp_path / "indicators")
    shutil.copy(policy.SCANNING_FILE, tmp_path / "scanning.toml")
    return tmp_path


def load(room: Path) -> None:
    policy.load_catalogue(room / "indicators", room / "scanning.toml",
                          known_qualifiers=set(risk_policy.nsir().qualifiers))


def replace(path: Path, old: str, new: str) -> int:
    """Edit the file; returns the 1-based line of the edit."""
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return text[:text.index(old)].count("\n") + 1


def test_the_shipped_catalogue_has_every_harm_type_with_its_exact_code() -> None:
    found = policy.catalogue()
    assert {i.harm_type for i in found.indicators} == set(HARM_TYPES)
    assert {p.stem for p in policy.INDICATORS_DIR.glob("*.toml")} == set(HARM_TYPES)
    assert len(found.indicators) >= 40


def test_a_missing_weight_names_file_line_and_field(room: Path) -> None:
    path = room / "indicators" / "stalking.toml"
    replace(path, "weight = 1.0\n", "")
    with pytest.raises(PolicyError) as caught:
        load(room)
    message = str(caught.value)
    text = path.read_text(encoding="utf-8").splitlines()
    first = next(n for n, line in enumerate(text, start=1) if line == "[[indicators]]")
    assert message == (f"{path}:{first}: indicators[0].weight: "
                       "must be a number above 0, at most 10")


@pytest.mark.parametrize(("old", "new", "field"), [
    ('harm_type = "stalking"', 'harm_type = "stalkin"', "harm_type: unknown harm type"),
    ('id = "st.fixation"', 'id = "st.named_stalking"', "id: 'st.named_stalking' is already"),
    ("weight = 2.0", 'weight = "heavy"', "indicators[3].weight"),
    ('"stalking me", ', '"stalking me", 7, ', "indicators[3].phrases: must be a list"),
    ('"stalking me", ', '"!!!", ', "has no letters or digits"),
    ('"stalking me", ', '"{stalking|following me", ', "each {choice|choice} must be closed"),
    ('"stalking me", ', '"{a|b}{c|d}{e|f}{g|h}{i|j}{k|l}{m|n}{o|p}{q|r}{s|t}", ',
     "at most 1000 phrases"),
    ("source = \"Protection from Harassment Act 1997 ss2A, 4A\"", "", "indicators[3].source"),
    ("qualifiers = []", 'qualifiers = ["stalking"]', "unknown NSIR qualifier 'stalking'"),
])
def test_each_kind_of_mistake_in_an_indicator_file_is_named(room: Path, old: str, new: str,
                                                             field: str) -> None:
    path = room / "indicators" / "stalking.toml"
    replace(path, old, new)
    with pytest.raises(PolicyError, match=str(path)) as caught:
        load(room)
    assert field in str(caught.value)


def test_a_harm_type_without_a_file_is_an_error(room: Path) -> None:
    (room / "indicators" / "cuckooing.toml").unlink()
    with pytest.raises(PolicyError, match=r"harm_type: no indicator file for \['cuckooing'\]"):
        load(room)


def test_thresholds_must_rise_from_possible_to_likely(room: Path) -> None:
    path = room / "scanning.toml"
    line = replace(path, "likely = 2.0", "likely = 0.5")
    with pytest.raises(PolicyError) as caught:
        load(room)
    assert str(caught.value).startswith(f"{path}:{line - 2}: levels.default: ")


def test_thresholds_for_an_unknown_harm_type_are_an_error(room: Path) -> None:
    path = room / "scanning.toml"
    path.write_text(path.read_text() + "\n[levels.hate]\npossible = 1\nlikely = 2\n")
    with pytest.raises(PolicyError, match=r"levels\.hate: unknown harm type"):
        load(room)


def test_a_syntax_error_names_the_file(room: Path) -> None:
    path = room / "indicators" / "stalking.toml"
    replace(path, "[[indicators]]", "[[indicators")
    with pytest.raises(PolicyError, match=str(path)):
        load(room)


def test_a_harm_type_can_have_its_own_thresholds(room: Path) -> None:
    path = room / "scanning.toml"
    path.write_text(path.read_text() + "\n[levels.stalking]\npossible = 3\nlikely = 4\n")
    found = policy.load_catalogue(room / "indicators", path)
    assert found.thresholds["stalking"].possible == 3.0
    assert found.thresholds["cuckooing"].possible == 1.0


def test_a_phrase_with_choices_stands_for_every_combination(room: Path) -> None:
    path = room / "indicators" / "stalking.toml"
    replace(path, '"stalking me", ', '"{sat|sits|sitting} outside my {flat|garage}{ again|}", ')
    catalogue = policy.load_catalogue(room / "indicators", room / "scanning.toml")
    [named] = [i for i in catalogue.indicators if i.id == "st.named_stalking"]
    assert {"sat outside my flat", "sits outside my garage again",
            "sitting outside my garage"} <= set(named.phrases)
    assert sum("outside my" in p and "sits" not in p and "sat" not in p
               and "sitting" not in p for p in named.phrases) == 0
    assert len([p for p in named.phrases if "outside my" in p]) == 12


def not_with_error(room: Path, value: str) -> tuple[str, int]:
    """Give st.named_stalking (indicators[3]) a `not_with` line; the error and its line."""
    path = room / "indicators" / "stalking.toml"
    replace(path, 'source = "Protection from Harassment Act 1997 ss2A, 4A"',
            f'source = "Protection from Harassment Act 1997 ss2A, 4A"\nnot_with = {value}')
    lines = path.read_text(encoding="utf-8").splitlines()
    start = next(n for n, line in enumerate(lines, start=1) if line == 'id = "st.named_stalking"')
    with pytest.raises(PolicyError) as caught:
        load(room)
    return str(caught.value), start - 1


def test_not_with_must_be_a_list_of_phrases_named_by_file_line_and_field(room: Path) -> None:
    message, line = not_with_error(room, '"my husband"')
    path = room / "indicators" / "stalking.toml"
    assert message == (f"{path}:{line}: indicators[3].not_with: "
                       "must be a list of phrases in quotes")


def test_a_not_with_word_inside_the_indicators_own_phrase_is_an_error(room: Path) -> None:
    message, line = not_with_error(room, '["my ex", "Stalking"]')
    path = room / "indicators" / "stalking.toml"
    assert message.startswith(f"{path}:{line}: indicators[3].not_with: 'Stalking' is said in "
                              "the indicator's own phrase")
    assert message.endswith("it would set aside its own evidence")


def test_not_with_words_are_read_with_their_choices(room: Path) -> None:
    path = room / "indicators" / "stalking.toml"
    replace(path, 'source = "Protection from Harassment Act 1997 ss2A, 4A"',
            'source = "Protection from Harassment Act 1997 ss2A, 4A"\n'
            'not_with = ["{on|in} the {film|telly}"]')
    catalogue = policy.load_catalogue(room / "indicators", room / "scanning.toml")
    [named] = [i for i in catalogue.indicators if i.id == "st.named_stalking"]
    assert set(named.not_with) == {"on the film", "in the film", "on the telly", "in the telly"}
    assert all("on the film" not in i.not_with for i in catalogue.indicators
               if i.id != "st.named_stalking")


def test_modern_slavery_control_indicators_are_set_aside_by_a_partner_or_family() -> None:
    guarded = {i.id for i in policy.catalogue().indicators if "my husband" in i.not_with}
    assert {"ms.documents_held", "ms.wages_withheld", "ms.movement_controlled"} <= guarded
    assert all(i.startswith("ms.") for i in guarded)
    assert "ms.named_exploitation" not in guarded and "ms.debt_bondage" not in guarded


def test_word_forms_must_be_groups_of_single_words(room: Path) -> None:
    path = room / "scanning.toml"
    line = replace(path, 'keep = ["keep", ', 'keep = ["keep on", ')
    with pytest.raises(PolicyError) as caught:
        load(room)
    assert str(caught.value) == (f"{path}:{line}: word_forms.keep: must list at least two "
                                 "different single words")


def test_a_phrase_with_too_many_word_forms_is_named(room: Path) -> None:
    path = room / "indicators" / "stalking.toml"
    replace(path, '"stalking me", ', '"took kept hold took kept hold took", ')
    with pytest.raises(PolicyError, match=r"st\.named_stalking\.phrases: phrase 'took kept hold "
                                          r"took kept hold took' stands for more than 2000"):
        load(room)


def test_a_phrase_is_found_in_every_form_of_its_words() -> None:
    """Written once as the caller says it, found as a call handler writes it up."""
    catalogue = policy.catalogue()
    assert {"took", "takes", "taken", "taking"} <= set(catalogue.word_forms["take"])
    scanner = policy.scanner()
    for said in ("The gangmaster took my passport.", "The gangmaster is taking my passport.",
                 "The gangmaster has taken my passport."):
        evidence = {e.indicator for f in scanner.scan(said) for e in f.evidence}
        assert "ms.documents_held" in evidence, said
