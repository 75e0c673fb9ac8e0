"""The catalogue as four automata: each phrase in the automaton of every role it plays, and
the partner words that cannot pair dropped before any is looked at one by one."""

from __future__ import annotations

from firstcontact.harm.automata import BOTH, compile_automata
from firstcontact.harm.model import Catalogue, Cues, Indicator, Thresholds
from firstcontact.harm.scanner import compile_scanner, normalise


def catalogue(cues: Cues | None = None) -> Catalogue:
    """"boss" is three things: a phrase alone (y.boss), the partner word of x.locked, and a
    `not_with` word of z.hits; "money" partners y.debt, whose phrase is "owe him"."""
    return Catalogue(
        indicators=(
            Indicator("x.locked", "modern_slavery", "d", ("locks me in",), 1.0, "NRM", "src",
                      with_any=("boss",)),
            Indicator("y.boss", "modern_slavery", "d", ("boss",), 0.5, "NRM", "src"),
            Indicator("y.debt", "modern_slavery", "d", ("owe him",), 1.0, "NRM", "src",
                      with_any=("money",)),
            Indicator("z.hits", "domestic_abuse", "d", ("hits me",), 1.0, "DASH", "src",
                      not_with=("boss",))),
        thresholds={"modern_slavery": Thresholds(1.0, 2.0),
                    "domestic_abuse": Thresholds(1.0, 2.0)},
        actions={"modern_slavery": "NRM", "domestic_abuse": "DASH"},
        cues=cues or Cues(negation=("not",), hypothetical=("if",)))


def found(automaton_words: list[tuple[int, int, int]], words: str) -> list[str]:
    return [words[start + 1:end - 1] for _, start, end in automaton_words]


def test_a_word_is_in_the_automaton_of_every_role_it_plays() -> None:
    automata = compile_automata(catalogue())
    words = normalise("The boss locks me in. If not, he hits me.").words
    assert found(automata.plain.find(words), words) == ["boss", "hits me"]
    assert found(automata.paired.find(words), words) == ["boss", "locks me in"]
    assert found(automata.aside.find(words), words) == ["boss"]
    assert found(automata.cues.find(words), words) == ["if", "not"]


def test_a_partner_word_counts_only_with_its_own_indicators_phrase() -> None:
    scanner = compile_scanner(catalogue())
    [finding] = scanner.assess("The boss wants money. He locks me in.")
    assert {e.indicator for e in finding.evidence} == {"y.boss"}, "boss and money, no phrase"
    [finding] = scanner.assess("The boss wants money, he locks me in.")
    assert {(e.indicator, e.text) for e in finding.evidence} == {
        ("y.boss", "boss"), ("x.locked", "boss"), ("x.locked", "locks me in")}
    assert scanner.assess("Money money money. I owe him nothing.") == []


def test_a_phrase_that_is_its_own_partner_word_pairs_alone() -> None:
    held = Catalogue(
        indicators=(Indicator("x.held", "modern_slavery", "d", ("passport",), 1.0, "NRM",
                              "src", with_any=("passport", "boss")),),
        thresholds={"modern_slavery": Thresholds(1.0, 2.0)}, actions={},
        cues=Cues(negation=(), hypothetical=()))
    automata = compile_automata(held)
    [(number, _, _)] = automata.paired.find(normalise("They have my passport.").words)
    assert automata.paired.entries[number].uses == (("x.held", "modern_slavery", BOTH),)
    [finding] = compile_scanner(held).scan("They have my passport.")
    assert [(e.indicator, e.text) for e in finding.evidence] == [("x.held", "passport")]


def test_a_catalogue_with_no_cues_and_no_not_with_words_still_scans() -> None:
    scanner = compile_scanner(catalogue(Cues(negation=(), hypothetical=())))
    assert scanner.automata.cues.matcher is None and scanner.automata.cues.find(" x ") == []
    [finding] = scanner.scan("He does not hit me but the boss locks me in.")
    assert finding.harm_type == "modern_slavery"
    assert {e.indicator for e in finding.evidence} == {"x.locked", "y.boss"}
