"""The scanner's compiled work per match (`evidence_spans.pyx`) against a plain Python reading
of the same rules: the reading below is what the scanner ran before the work was compiled, kept
here as the reference. They must agree on every text: made by hypothesis from the catalogue's
own phrases, partner words, `not_with` words, cues and punctuation, and on every labelled
narrative and long contact."""

from __future__ import annotations

import re
from bisect import bisect_right
from collections import defaultdict
from functools import cache
from itertools import accumulate, chain
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from firstcontact.harm import policy
from firstcontact.harm.automata import compile_automata, pair_masks
from firstcontact.harm.evaluate import read_set
from firstcontact.harm.evidence_spans import (
    AsideMasks,
    paired_evidence,
    plain_evidence,
    sentence_ends,
    set_aside_said_with,
    squeeze,
)
from firstcontact.harm.model import Catalogue, Cues, Evidence, Indicator, Thresholds
from firstcontact.harm.scanner import (
    _LETTERS,
    Normalised,
    Scanner,
    Sentences,
    _Cues,
    compile_scanner,
    normalise,
)

DATA = Path(__file__).resolve().parents[1] / "data"
Found = dict[str, list[Evidence]]


# The reference: the rules in plain Python ------------------------------------------------

def reference_squeeze(plain: bytes) -> tuple[str, list[int], list[int], list[int]]:
    parts = re.split(rb"(  +|')", plain)  # text, change, text, change, ..., text
    changes = parts[1::2]
    kept = [b" " if len(change) > 1 else b"" for change in changes]
    words = b"".join(chain.from_iterable(zip(parts[:-1:2], kept, strict=True))) + parts[-1]
    text_points = [-1, *list(accumulate(map(len, parts)))[1::2]]
    shifts = [0, *accumulate(len(change) - 1 or 1 for change in changes)]
    points = [end + 1 - removed for end, removed in zip(text_points, shifts, strict=True)]
    return f" {words.decode('ascii')} ", points, text_points, shifts


SENTENCE_END = re.compile(r"[.!?\n](?:(?<=[.!?])[.!?]*(?=\s|$)|(?<=\n)\s*\n)")


def reference_sentences(norm: Normalised) -> Sentences:
    ends = [mark.start() for mark in SENTENCE_END.finditer(norm.lowered)]
    return Sentences(ends, [norm.from_text(end) for end in ends])


def denied(cues: _Cues, start: int) -> bool:
    before = bisect_right(cues.ends, start - 1)
    return bool(before) and start < cues.reaches[before - 1]


def reference_plain(scanner: Scanner, norm: Normalised, cues: _Cues, set_aside: set[str]
                    ) -> Found:
    found: Found = defaultdict(list)
    for number, start, end in scanner.automata.plain.find(norm.words):
        start, end = start + 1, end - 1
        uses = scanner.automata.plain.entries[number]
        if denied(cues, start):
            set_aside.update(harm_type for _, harm_type in uses)
            continue
        first, last = norm.to_text(start), norm.to_text(end)
        for indicator, harm_type in uses:
            found[harm_type].append(Evidence(indicator, first, last, norm.text[first:last]))
    return found


def reference_pairs(scanner: Scanner, norm: Normalised, sentences: Sentences, cues: _Cues,
                    set_aside: set[str]) -> list[tuple[str, Evidence]]:
    entries = scanner.automata.paired.entries
    matches = scanner.automata.paired.find(norm.words)
    harm_types = {i: h for entry in entries for i, h, _ in entry.uses}
    needing = set().union(*(entries[number].needs for number, _, _ in matches))
    both = needing & set().union(*(entries[number].partners for number, _, _ in matches))
    phrases_in: defaultdict[int, set[str]] = defaultdict(set)
    partners_in: defaultdict[int, set[str]] = defaultdict(set)
    kept = []
    for number, start, end in matches:
        if both.isdisjoint(entries[number].indicators):
            continue
        start, end = start + 1, end - 1
        if denied(cues, start):
            set_aside.update(harm_types[i] for i in entries[number].indicators & both)
            continue
        sentence = bisect_right(sentences.in_words, start)
        phrases_in[sentence] |= entries[number].needs
        partners_in[sentence] |= entries[number].partners
        kept.append((number, start, end, sentence))
    found = []
    for number, start, end, sentence in kept:
        complete = phrases_in[sentence] & partners_in[sentence] & entries[number].indicators
        first, last = norm.to_text(start), norm.to_text(end)
        found += [(harm_types[i], Evidence(i, first, last, norm.text[first:last]))
                  for i in complete]
    return found


def reference_set_aside(scanner: Scanner, norm: Normalised, sentences: Sentences,
                        found: Found, set_aside: set[str]) -> None:
    said: defaultdict[str, set[int]] = defaultdict(set)
    for number, start, _ in scanner.automata.aside.find(norm.words):
        for indicator in scanner.automata.aside.entries[number]:
            said[indicator].add(bisect_right(sentences.in_words, start + 1))
    for harm_type, items in list(found.items()):
        kept = [e for e in items
                if bisect_right(sentences.in_text, e.start) not in said.get(e.indicator, ())]
        if len(kept) < len(items):
            set_aside.add(harm_type)
        found[harm_type] = kept
        if not kept:
            del found[harm_type]


# Each compiled step against its reference -------------------------------------------------

def plain_bytes(text: str) -> bytes:
    """What `normalise` hands `squeeze` (its apostrophe rules included)."""
    plain = text.lower().encode("ascii", "replace").translate(_LETTERS)
    plain = b" " + plain[1:] if plain[:1] == b"'" else plain
    plain = plain[:-1] + b" " if plain[-1:] == b"'" else plain
    return plain.replace(b"''", b"  ").replace(b"' ", b"  ").replace(b" '", b"  ")


def same_steps(scanner: Scanner, text: str) -> None:
    norm = normalise(text)
    assert squeeze(plain_bytes(text)) == reference_squeeze(plain_bytes(text))
    sentences = Sentences(*sentence_ends(norm.lowered, norm.text_points, norm.shifts))
    assert sentences == reference_sentences(norm)
    cues = scanner._cues_in(norm)
    aside, expected_aside = set[str](), set[str]()
    found = plain_evidence(scanner.automata.plain.find(norm.words),
                           scanner.automata.plain.entries, cues.ends, cues.reaches,
                           norm.points, norm.shifts, norm.text, aside, Evidence,
                           defaultdict(list))
    expected = reference_plain(scanner, norm, cues, expected_aside)
    assert (found, aside) == (expected, expected_aside)
    pairs: defaultdict[str, list[Evidence]] = defaultdict(list)
    paired_evidence(scanner.pair_masks, scanner.automata.paired.find(norm.words),
                    sentences.in_words, cues.ends, cues.reaches, norm.points, norm.shifts,
                    norm.text, aside, Evidence, pairs)
    expected_pairs = reference_pairs(scanner, norm, sentences, cues, expected_aside)
    assert ({harm_type: sorted(items) for harm_type, items in pairs.items()}, aside) == (
        {harm_type: sorted(e for h, e in expected_pairs if h == harm_type)
         for harm_type, _ in expected_pairs}, expected_aside)
    for harm_type, items in pairs.items():
        found[harm_type] += items
        expected[harm_type] += items
    set_aside_said_with(scanner.aside_masks, scanner.automata.aside.find(norm.words),
                        sentences.in_words, sentences.in_text, found, aside)
    reference_set_aside(scanner, norm, sentences, expected, expected_aside)
    assert (dict(found), aside) == (dict(expected), expected_aside)


@cache
def catalogue_words() -> list[str]:
    """Every phrase, partner word, `not_with` word and cue of the catalogue, one of each."""
    catalogue = policy.scanner().catalogue
    words = {phrase for indicator in catalogue.indicators
             for phrase in (*indicator.phrases, *indicator.with_any, *indicator.not_with)}
    words.update(catalogue.cues.negation, catalogue.cues.hypothetical,
                 catalogue.cues.consequence)
    return sorted(words)


SEPARATORS = [" ", " ", " ", ", ", ". ", "! ", "?? ", "... ", ".x ", "\n", "\n\n", " \n \n ",
              "'", " ' ", "''", "  ", "; ", " (", ") ", " - ", "\t", "\u2019", "\u00a0"]
OTHER_WORDS = ["he", "she", "my", "the", "and", "but", "because", "İstanbul", "café", "ﬁne",
               "won't", "'til", "ok", "2"]


@cache
def words_and_separators() -> st.SearchStrategy[tuple[str, str]]:
    return st.tuples(st.sampled_from(catalogue_words() + OTHER_WORDS), st.sampled_from(SEPARATORS))


@st.composite
def texts(draw: st.DrawFn) -> str:
    pieces = draw(st.lists(words_and_separators(), max_size=40))
    return "".join(word + separator for word, separator in pieces)


@settings(max_examples=300, deadline=None)
@given(texts())
def test_every_compiled_step_agrees_with_the_rules_in_plain_python(text: str) -> None:
    same_steps(policy.scanner(), text)


@pytest.mark.parametrize("text", ["", " ", "'", "...", "\n\n\n", "''x''", "a'", "'a", "!?!",
                                  "He keeps my passport.\n\n  \nShe said no.", "x.y. z"])
def test_edges_agree(text: str) -> None:
    same_steps(policy.scanner(), text)


def test_every_labelled_narrative_and_long_contact_agrees() -> None:
    texts = [item.text for path in sorted(DATA.glob("harm_*.jsonl"))
             for item in read_set(path)]
    scanner = policy.scanner()
    long_contacts = ["\n\n".join(texts[i:i + 40])[:4000] for i in range(0, 4000, 40)]
    for text in (*texts[::5], *long_contacts):
        same_steps(scanner, text)


# Masks wider than one machine word ----------------------------------------------------

def many(count: int, **parts: tuple[str, ...]) -> Catalogue:
    """`count` indicators, each with its own phrase "thing N" and the given parts."""
    return Catalogue(
        indicators=tuple(Indicator(f"x.i{n:03}", "modern_slavery", "d", (f"thing{n}",), 1.0,
                                   "NRM", "src", **parts) for n in range(count)),
        thresholds={"modern_slavery": Thresholds(1.0, 2.0)}, actions={},
        cues=Cues(negation=("not",), hypothetical=()))


@pytest.mark.parametrize("count", [63, 64, 65, 130])
def test_partner_words_pair_for_every_indicator_however_many(count: int) -> None:
    scanner = compile_scanner(many(count, with_any=("boss",)))
    masks = pair_masks(compile_automata(scanner.catalogue).paired.entries)
    assert masks.words == (count + 63) // 64
    last = f"x.i{count - 1:03}"
    [finding] = scanner.scan(f"The boss has thing{count - 1}. Thing0 and not boss.")
    assert [e.indicator for e in finding.evidence] == [last, last]
    assert scanner.scan(f"Thing{count - 1}. The boss.") == []


@pytest.mark.parametrize("count", [64, 65, 130])
def test_not_with_words_set_aside_every_indicator_however_many(count: int) -> None:
    scanner = compile_scanner(many(count, not_with=("husband",)))
    assert AsideMasks(list(scanner.automata.aside.entries)).words == (count + 63) // 64
    [finding] = scanner.scan(f"My husband has thing{count - 1}. The boss has thing0.")
    assert [e.indicator for e in finding.evidence] == ["x.i000"]

