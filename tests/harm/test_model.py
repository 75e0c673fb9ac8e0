"""The scanner: what it finds, what it sets aside, and the spans it gives as evidence."""

from __future__ import annotations

from pathlib import Path

import pytest

from firstcontact.harm import policy
from firstcontact.harm.evaluate import read_set
from firstcontact.harm.model import (
    Catalogue,
    Cues,
    Indicator,
    Level,
    Thresholds,
    form_count,
    forms_of,
    level_for,
    phrase_key,
    word_forms,
)
from firstcontact.harm.scanner import compile_scanner


def harms(text: str) -> dict[str, Level]:
    return {f.harm_type: f.level for f in policy.scanner().scan(text)}


def test_a_held_passport_is_modern_slavery_with_the_exact_span() -> None:
    text = "Please help. My boss keeps my passport and we sleep at the car wash."
    [finding] = policy.scanner().scan(text)
    assert finding.harm_type == "modern_slavery" and finding.level is Level.LIKELY
    spans = {(e.indicator, e.start, e.end, e.text) for e in finding.evidence}
    assert ("ms.documents_held", 21, 38, "keeps my passport") in spans
    assert all(text[e.start:e.end] == e.text for e in finding.evidence)
    assert "NRM" in finding.action


@pytest.mark.parametrize("text", [
    "He does not keep my passport.",
    "he doesn't keep my passport, I have it",
    "He never took my passport.",
    "If he took my passport, would that be a crime?",
    "What if he keeps my passport when I start?",
    "Suppose the boss took my passport, what then?",
])
def test_denied_or_supposed_evidence_is_set_aside(text: str) -> None:
    assert "modern_slavery" not in harms(text)


def test_a_denial_in_one_clause_does_not_hide_evidence_in_the_next() -> None:
    text = "He doesn't hit me, but he keeps my passport and locks me in."
    assert harms(text).get("modern_slavery") is Level.LIKELY


def test_a_denial_does_not_reach_past_a_reason() -> None:
    """The tuners' case: "because" opens a clause of its own, as "but" does."""
    def held(text: str) -> bool:
        return any(e.text == "keeps my passport" for f in policy.scanner().assess(text)
                   if f.harm_type == "modern_slavery" for e in f.evidence)

    assert held("I don't go out because the boss keeps my passport.")
    assert not held("I don't think the boss keeps my passport.")


@pytest.mark.parametrize("text", [
    "my boss KEEPS MY PASSPORT",
    "my boss keeps\nmy   passport",
    "my boss keeps... my passport!",
    "he wont give me my passport",
    "he won\u2019t give me my passport",
])
def test_case_punctuation_line_breaks_and_apostrophes_do_not_matter(text: str) -> None:
    assert "modern_slavery" in harms(text)


@pytest.mark.parametrize("text", [
    "I need to go to the passport office tomorrow.",
    "My boss owes me holiday pay.",
    "My son borrowed the car without asking.",
    "The courier left my parcel in the rain.",
    "I took the dog to the groomers.",
])
def test_tempting_words_alone_are_not_evidence(text: str) -> None:
    assert harms(text) == {}


@pytest.mark.parametrize(("text", "not_raised"), [
    ("The police have my passport from bail and won't give it back.", "modern_slavery"),
    ("The house was being used by others while we were away on holiday.", "cuckooing"),
])
def test_tempting_contexts_found_while_tuning_stay_quiet(text: str, not_raised: str) -> None:
    """Two wrong prompts the round-4 tuners found in their own checks, set aside by a
    `not_with` word: a passport held as a bail condition, a home let while away."""
    assert not_raised not in {f.harm_type for f in policy.scanner().scan(text)}


def test_words_that_must_go_together_count_only_within_one_sentence() -> None:
    together = "The gangmaster has the passports of all the workers."
    apart = "The gangmaster drove off. I renewed my passports online."
    assert "modern_slavery" in harms(together)
    assert "modern_slavery" not in harms(apart)


def test_overlapping_phrases_are_all_found() -> None:
    findings = {f.harm_type: f for f in policy.scanner().assess("my frail mum says the carer "
                                                                 "slapped her")}
    indicators = {e.indicator for e in findings["vulnerable_adult_abuse"].evidence}
    assert {"va.vulnerable_person", "va.carer_control_or_neglect"} <= indicators


def catalogue(weight: float, thresholds: Thresholds) -> Catalogue:
    return Catalogue(
        indicators=(Indicator("x.one", "stalking", "d", ("follows me",), weight, "act", "src"),
                    Indicator("x.two", "stalking", "d", ("sits outside",), weight, "act", "src")),
        thresholds={"stalking": thresholds}, actions={"stalking": "S-DASH"},
        cues=Cues(negation=("not",), hypothetical=("if",)))


def test_the_level_comes_from_the_thresholds_in_the_data() -> None:
    scanner = compile_scanner(catalogue(0.6, Thresholds(possible=1.0, likely=1.5)))
    assert scanner.scan("He follows me.") == []
    [both] = scanner.scan("He follows me and sits outside.")
    assert both.level is Level.POSSIBLE and both.score == 1.2
    [repeated] = scanner.scan("He follows me. He follows me. He sits outside.")
    assert repeated.score == 1.2, "an indicator counts once however often it is said"


@pytest.mark.parametrize(("score", "level"), [
    (0.99, Level.NONE), (1.0, Level.POSSIBLE), (1.99, Level.POSSIBLE), (2.0, Level.LIKELY),
])
def test_levels_start_at_their_threshold(score: float, level: Level) -> None:
    assert level_for(score, Thresholds(possible=1.0, likely=2.0)) is level


def test_every_harm_type_has_an_action_and_a_source_for_each_indicator() -> None:
    found = policy.catalogue()
    assert set(found.actions) == {i.harm_type for i in found.indicators}
    assert all(i.source and i.action and i.description for i in found.indicators)


def test_spans_stay_exact_through_runs_of_punctuation_apostrophes_and_other_letters() -> None:
    text = ("\u00c9mile says:  \"the boss   won\u2019t give me my passport!!\"\n\n"
            "'We' can\'t leave,,, the  gangmaster\u2014he keeps our  passports.")
    [finding] = policy.scanner().scan(text)
    assert finding.harm_type == "modern_slavery"
    assert all(text[e.start:e.end] == e.text for e in finding.evidence)
    assert {e.text for e in finding.evidence} >= {"won\u2019t give me my passport",
                                                   "keeps our  passports"}


def test_every_span_on_the_evaluation_set_is_the_text_it_quotes() -> None:
    """Each span is the text it quotes, and one of its indicator's phrases in some form (or,
    for the learned layer's evidence, one of its n-grams)."""
    scanner = policy.scanner()
    forms = scanner.catalogue.word_forms
    for record in read_set(Path(__file__).resolve().parents[1] / "data" / "harm_eval.jsonl"):
        for finding in scanner.assess(record.text):
            for e in finding.evidence:
                assert record.text[e.start:e.end] == e.text, (record.id, e)
                if e.indicator.startswith("learned.") and scanner.learned is not None:
                    # the learned layer's evidence: one of its n-grams with a positive weight
                    weights = scanner.learned.models[finding.harm_type].weights
                    assert weights.get(phrase_key(e.text), 0) > 0, e
                    continue
                said = scanner.indicators[e.indicator]
                assert phrase_key(e.text) in {form for p in (*said.phrases, *said.with_any)
                                              for form in forms_of(phrase_key(p), forms)}, e


def test_a_cue_reaches_twelve_words_and_no_further() -> None:
    scanner = compile_scanner(catalogue(1.0, Thresholds(possible=1.0, likely=2.0)))
    eleven = " ".join(["word"] * 11)
    twelve = " ".join(["word"] * 12)
    assert scanner.scan(f"He did not {eleven} follows me") == []
    assert scanner.scan(f"He did not {twelve} follows me") != []
    assert scanner.scan("He did not; he follows me") != []
    assert scanner.scan("He did not but he follows me") != []


@pytest.mark.parametrize("text", [
    "My partner locked me in the bedroom and tried to choke me.",
    "My husband keeps my passport and hits me when I ask for it.",
    "My wife takes all my wages and slaps me.",
    "My dad locks me in my room and took my phone because of my boyfriend.",
    "I can't go anywhere without my husband, he locks me in when he goes to work.",
])
def test_control_by_a_partner_or_family_is_domestic_abuse_not_modern_slavery(text: str) -> None:
    found = {f.harm_type: f for f in policy.scanner().assess(text)}
    assert "modern_slavery" not in found, found.get("modern_slavery")
    assert {"domestic_abuse", "honour_based_abuse"} & set(harms(text))


@pytest.mark.parametrize("text", [
    "The boss keeps my passport and locks us in the factory at night.",
    "My cousin works at a car wash, the boss took his passport and takes his wages.",
    "My husband is at work. At the farm the gangmaster takes our wages and locks us in.",
])
def test_control_by_an_employer_is_still_modern_slavery(text: str) -> None:
    assert "modern_slavery" in harms(text)


def guarded(with_any: tuple[str, ...] = ()) -> Catalogue:
    """One indicator set aside by "my husband", one with no `not_with` words."""
    return Catalogue(
        indicators=(Indicator("x.locked", "modern_slavery", "d", ("locks me in",), 1.0, "NRM",
                              "src", with_any=with_any, not_with=("my husband",)),
                    Indicator("x.hits", "domestic_abuse", "d", ("hits me",), 1.0, "DASH",
                              "src")),
        thresholds={"modern_slavery": Thresholds(1.0, 2.0),
                    "domestic_abuse": Thresholds(1.0, 2.0)},
        actions={"modern_slavery": "NRM", "domestic_abuse": "DASH"},
        cues=Cues(negation=("not",), hypothetical=("if",)))


def test_a_not_with_word_sets_aside_evidence_in_its_own_sentence_only() -> None:
    scanner = compile_scanner(guarded())
    assert [f.harm_type for f in scanner.scan("My husband locks me in and hits me.")] == [
        "domestic_abuse"]
    text = "My husband hits me. The boss locks me in."
    found = {f.harm_type: f for f in scanner.scan(text)}
    assert set(found) == {"modern_slavery", "domestic_abuse"}
    [evidence] = found["modern_slavery"].evidence
    assert (evidence.indicator, text[evidence.start:evidence.end]) == ("x.locked", "locks me in")


def test_a_not_with_word_also_sets_aside_an_indicator_that_needs_a_partner_word() -> None:
    scanner = compile_scanner(guarded(with_any=("boss",)))
    assert scanner.scan("The boss locks me in.")[0].harm_type == "modern_slavery"
    assert scanner.scan("My husband locks me in, not the boss.") == []
    assert scanner.scan("My husband is kind. The boss locks me in.") != []


def test_a_not_with_word_counts_after_a_denial_but_a_denied_phrase_stays_denied() -> None:
    scanner = compile_scanner(guarded())
    assert scanner.scan("I do not go out without my husband, he locks me in.") == []
    assert scanner.scan("He does not lock me in; the boss locks me in.") != []
    assert scanner.scan("He does not locks me in.") == []


def test_a_key_takes_every_form_of_each_word_the_written_one_first() -> None:
    forms = word_forms({"take": ("take", "took", "taken"), "whose": ("my", "her"),
                        "whom": ("me", "her")})
    assert forms["her"] == ("her", "my", "me"), "in two groups: the members of both"
    assert forms_of("took my passport", forms) == [
        "took my passport", "took her passport", "take my passport", "take her passport",
        "taken my passport", "taken her passport"]
    assert form_count("took my passport", forms) == 6
    assert forms_of("passport office", forms) == ["passport office"]


def threats() -> Catalogue:
    return Catalogue(
        indicators=(Indicator("x.threat", "domestic_abuse", "d", ("kill you",), 1.0, "DASH",
                              "src"),),
        thresholds={"domestic_abuse": Thresholds(possible=1.0, likely=2.0)},
        actions={"domestic_abuse": "DASH"},
        cues=Cues(negation=("never",), hypothetical=("if", "unless"),
                  consequence=("he'll", "he will", "then")))


@pytest.mark.parametrize(("text", "raised"), [
    ("If you leave he'll kill you.", True),
    ("If you leave, he will kill you.", True),
    ("Unless you pay then they kill you.", True),
    ("If he said he would kill you I would call.", False),
    ("She asks if he will kill you.", False),
    ("He never said he'll kill you.", False),
])
def test_a_hypothetical_supposes_its_own_clause_not_the_threat_after_it(
        text: str, raised: bool) -> None:
    """"If you leave he'll kill you" is a threat to kill; "if he will kill you" (straight
    after the cue) asks whether; a denial is not cut short by the main clause."""
    found = compile_scanner(threats()).scan(text)
    assert bool(found) is raised, text
