"""The hidden-harm scanner: Aho-Corasick automata over every phrase in the catalogue.

The text is normalised once, at C speed: lower case, apostrophes inside words dropped ("won't"
reads "wont"), and every run of spaces, punctuation or line breaks made one space. The few
places where that changes the length are kept as an offset map, so each hit maps back to its
exact span in the text as it was written. The automata (`automata.py`) find every phrase and
cue word whatever the size of the catalogue. A hit is set aside when a negation or
hypothetical cue comes earlier in the same clause ("he does not keep my passport", "if he took
my passport"): the nearest cue before it is found by bisection, never by rescanning the text.
A hit is also set aside when one of its indicator's `not_with` words is said in the same
sentence ("my husband keeps my passport" is domestic abuse, not modern slavery evidence).

Pure: no clock, no database; built once from the catalogue and reused for every contact.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import accumulate, chain, compress
from operator import itemgetter, not_
from typing import NamedTuple

from firstcontact.harm.automata import (
    SUPPOSING,
    Automata,
    Match,
    Pairing,
    compile_automata,
    pairing_of,
)
from firstcontact.harm.dialogue import public_words
from firstcontact.harm.learned import LearnedLayer
from firstcontact.harm.model import (
    RIGHT_QUOTE,
    Catalogue,
    Evidence,
    Finding,
    Indicator,
    Level,
    level_for,
    phrase_key,
)

_LETTERS = bytes(c if chr(c) in "abcdefghijklmnopqrstuvwxyz0123456789'" else 32
                 for c in range(256))
"""Bytes table: letters, digits and the apostrophe stay; anything else becomes a space."""
_CHANGES = re.compile(rb"(  +|')")
"""Where normalising changes the length: a run of separators (one space is left) or an
apostrophe inside a word (dropped: "won't" reads "wont")."""
_SENTENCE_END = re.compile(r"[.!?\n](?:(?<=[.!?])[.!?]*(?=\s|$)|(?<=\n)\s*\n)")
"""A sentence ends at . ! or ? before a space or the end of the text, or at a blank line.
(It starts with one set of characters, so the engine skips straight to the candidates.)"""
_CLAUSE_END = re.compile(r"(?:[.!?;:,()]|\n\s*\n)[^a-z0-9]*")
CLAUSE_WORDS = ("but", "and", "although", "though", "however", "because", "cos", "cause")
"""Words that start a new clause: a denial before them does not reach past them ("he said I'd
never leave because I've got nothing without him"). Not a verb of saying: "he never said he'd
kill you" denies what was said."""
_CLAUSE_WORD = re.compile(" (?:" + "|".join(CLAUSE_WORDS) + ") ")
LOOK_BACK = 12
"""How many words before a phrase are searched for a cue (within its clause)."""
_WORDS_AHEAD = re.compile(f"(?:[^ ]* ){{{LOOK_BACK}}}")

_IN_TEXT_ORDER = itemgetter(1, 0, 2)
"""An evidence's (start, indicator, end)."""
_FIRST = itemgetter(0)
"""The first field: an evidence's indicator, or a match's pattern number."""
_BY_END_THEN_START = itemgetter(2, 1)


class Normalised(NamedTuple):
    """A text as the automaton reads it (" word word ... "), with the map back to the text.

    Position n of `words` is position `n - 1 + shifts[i]` of `text`, where i is the last
    change before or at n (`points`); `text_points` holds the same changes in text positions.
    Each list starts with a change that changes nothing, so there is always one before.
    """

    text: str
    lowered: str
    words: str
    points: list[int]
    text_points: list[int]
    shifts: list[int]

    def to_text(self, position: int) -> int:
        return position - 1 + self.shifts[bisect_right(self.points, position) - 1]

    def from_text(self, position: int) -> int:
        """The position in `words` of a word start (or the end) of the text."""
        return position + 1 - self.shifts[bisect_right(self.text_points, position) - 1]


def normalise(text: str) -> Normalised:
    """Lower case, apostrophes inside words dropped, separators one space; at C speed (bytes
    translate and one regular-expression split), with no Python loop per word."""
    lowered = text.lower().replace(RIGHT_QUOTE, "'")
    if len(lowered) != len(text):  # a few letters change length in lower case; keep spans true
        lowered = "".join(c.lower() if len(c.lower()) == 1 else c for c in text)
    plain = lowered.encode("ascii", "replace").translate(_LETTERS)
    if b"'" in plain:  # an apostrophe not inside a word is a separator
        plain = b" " + plain[1:] if plain[:1] == b"'" else plain
        plain = plain[:-1] + b" " if plain[-1:] == b"'" else plain
        plain = plain.replace(b"''", b"  ").replace(b"' ", b"  ").replace(b" '", b"  ")
    parts = _CHANGES.split(plain)  # text, change, text, change, ..., text
    changes = parts[1::2]
    kept = [b" " if len(change) > 1 else b"" for change in changes]
    words = b"".join(chain.from_iterable(zip(parts[:-1:2], kept, strict=True))) + parts[-1]
    text_points = [-1, *list(accumulate(map(len, parts)))[1::2]]
    shifts = [0, *accumulate(len(change) - 1 or 1 for change in changes)]
    points = [end + 1 - removed for end, removed in zip(text_points, shifts, strict=True)]
    return Normalised(text, lowered, f" {words.decode('ascii')} ", points, text_points, shifts)


@dataclass
class Scanner:
    """The catalogue compiled for scanning. Build once (`compile_scanner`), scan many texts."""

    catalogue: Catalogue
    automata: Automata
    indicators: dict[str, Indicator]
    weights: dict[str, float]
    pairing: Pairing
    """The `with_any` patterns' entries as parallel lists (`automata.Pairing`)."""
    consequence: re.Pattern[str] | None = None
    """The words that open the main clause after a hypothetical (`cues.consequence`)."""
    learned: LearnedLayer | None = None
    """The learned layer, gated (`learned.py`): lifts to possible a type the lists found some
    evidence of below possible, and raises to possible one they found nothing of at even odds.
    `policy.scanner()` loads it; None scans with the lists alone."""

    def scan(self, text: str) -> list[Finding]:
        """Every harm type at level possible or likely, most likely first."""
        return [f for f in self.assess(text) if f.level is not Level.NONE]

    def assess(self, text: str) -> list[Finding]:
        """Every harm type with any evidence, its level from the catalogue's thresholds. A
        dialogue is read on the public's words (`dialogue.public_words`)."""
        norm = normalise(public_words(text))
        set_aside: set[str] = set()
        found = self._evidence(norm, set_aside)
        findings = [self._finding(harm, items) for harm, items in found.items()]
        if self.learned is not None:
            findings = self.learned.lift(norm, findings, self.catalogue.actions, set_aside)
        return sorted(findings, key=lambda f: (-f.score, f.harm_type))

    def hits(self, text: str) -> list[list[Match]]:
        """What each automaton finds (cues, phrases alone, pairs, `not_with` words), before
        negation, sentences and levels: the matching alone, as the benchmark times it."""
        words = normalise(text).words
        return [automaton.find(words) for automaton in self.automata]

    def _evidence(self, norm: Normalised, set_aside: set[str]) -> dict[str, list[Evidence]]:
        """Evidence per harm type. Each phrase is checked against the nearest cue before it
        (`_Cues`); `with_any` indicators count only where both parts share a sentence
        (`_pairs`); evidence in a sentence with one of its indicator's `not_with` words is
        then dropped (`_set_aside`). A `not_with` word counts even after a cue: "can't go
        anywhere without my husband" still says who is doing it. The harm types of the evidence
        set aside are added to `set_aside`."""
        cues = self._cues_in(norm)
        found = self._plain_evidence(norm, cues, set_aside)
        sentences: Sentences | None = None
        paired = self.automata.paired.find(norm.words)
        if paired:
            both, concerned = _waiting(self.pairing, paired)
            if concerned:
                sentences = _sentences(norm)
                for harm_type, evidence in _pairs(norm, sentences, both, self.pairing, paired,
                                                  concerned, cues, set_aside):
                    found[harm_type].append(evidence)
        said = self.automata.aside.find(norm.words) if found else None
        if said:
            heard = _heard(self.automata.aside.entries, said, found)
            if heard:
                _set_aside(sentences or _sentences(norm), found, said, heard, set_aside)
        return found

    def _cues_in(self, norm: Normalised) -> _Cues:
        """The cues of a text, in order (of those ending together, the longest first), and
        how far each reaches."""
        ends: list[int] = []
        reaches: list[int] = []
        cues = self.automata.cues
        kinds = cues.entries
        for number, start, end in sorted(cues.find(norm.words), key=_BY_END_THEN_START):
            ends.append(end - 1)
            reaches.append(_reach(norm, start + 1, end - 1,
                                  self.consequence if kinds[number] == SUPPOSING else None))
        return _Cues(ends, reaches)

    def _plain_evidence(self, norm: Normalised, cues: _Cues, set_aside: set[str]
                        ) -> dict[str, list[Evidence]]:
        """The phrases that are evidence alone, less those denied or supposed, each mapped
        back to its span in the text as written. The hottest loop of the scanner: it inlines
        the cue check (`_Cues`) and `Normalised.to_text`."""
        points, shifts, text = norm.points, norm.shifts, norm.text
        cue_ends, reaches = cues
        new = tuple.__new__  # Evidence(...) without the named tuple's Python-level __new__
        entries = self.automata.plain.entries
        found: dict[str, list[Evidence]] = defaultdict(list)
        for number, start, end in self.automata.plain.find(norm.words):
            start, end = start + 1, end - 1  # the phrase without the spaces either side
            before = bisect_right(cue_ends, start - 1)
            if before and start < reaches[before - 1]:  # denied or supposed
                set_aside.update(harm_type for _, harm_type in entries[number])
                continue
            first = start - 1 + shifts[bisect_right(points, start) - 1]
            last = end - 1 + shifts[bisect_right(points, end) - 1]
            span = text[first:last]
            for indicator, harm_type in entries[number]:
                found[harm_type].append(new(Evidence, (indicator, first, last, span)))
        return found

    def _finding(self, harm_type: str, evidence: list[Evidence]) -> Finding:
        """Each span is evidence once (`_uses`), so no de-duplication is needed here."""
        weights = map(self.weights.__getitem__, set(map(_FIRST, evidence)))
        score = round(sum(weights), 2)
        evidence.sort(key=_IN_TEXT_ORDER)
        return Finding(harm_type, level_for(score, self.catalogue.thresholds[harm_type]), score,
                       tuple(evidence),
                       self.catalogue.actions.get(harm_type, ""))


def _reach(norm: Normalised, cue_start: int, cue_end: int,
           consequence: re.Pattern[str] | None = None) -> int:
    """Where a cue stops setting phrases aside: LOOK_BACK words on, or the end of its clause
    (a clause word, or . ! ? ; : , and brackets), whichever comes first. A phrase starting
    after the cue and before this position is denied or supposed. A hypothetical also stops
    where its main clause opens (`consequence`: "if you leave **he'll** kill you" supposes
    the leaving, not the threat)."""
    ahead = _WORDS_AHEAD.match(norm.words, cue_start)
    reach = ahead.end() + 1 if ahead else len(norm.words) + 1
    clause_word = _CLAUSE_WORD.search(norm.words, cue_end, reach)
    reach = clause_word.start() if clause_word else reach
    # Not straight after the cue: "if she will be deported" asks whether, it is not a threat.
    main_clause = consequence.search(norm.words, cue_end + 1, reach) if consequence else None
    reach = main_clause.start() if main_clause else reach
    mark = _CLAUSE_END.search(norm.lowered, norm.to_text(cue_end), norm.to_text(reach))
    return norm.from_text(mark.end()) if mark else reach


class Sentences(NamedTuple):
    """Where each sentence of a text ends, in the text and in its normalised words: a span's
    sentence is the number of ends before it (`bisect_right`), so two spans share a sentence
    when they have the same number. Found once per text, and only for a text that has a
    `with_any` or `not_with` word in it."""

    in_text: list[int]
    in_words: list[int]


def _sentences(norm: Normalised) -> Sentences:
    ends = [mark.start() for mark in _SENTENCE_END.finditer(norm.lowered)]
    text_points, shifts = norm.text_points, norm.shifts  # Normalised.from_text, inline
    return Sentences(ends, [end + 1 - shifts[bisect_right(text_points, end) - 1] for end in ends])


class _Cues(NamedTuple):
    """The negation and hypothetical cues of a text: where each ends (in order) and how far it
    reaches (`_reach`). A phrase is denied or supposed when the nearest cue ending before it
    reaches past its start (found by bisection, inline where it is used)."""

    ends: list[int]
    reaches: list[int]


def _waiting(pairing: Pairing, matches: Sequence[Match]) -> tuple[set[str], set[int]]:
    """The `with_any` indicators that have both parts somewhere in the text, and the patterns
    found (by number) that concern them: most partner words ("money", "son") are heard without
    their phrase, and are dropped here by a few set operations on the distinct patterns found,
    not one by one."""
    numbers = list(set(map(_FIRST, matches)))
    needing = set().union(*map(pairing.needs.__getitem__, numbers))
    if not needing:
        return needing, set()
    both = needing.intersection(set().union(*map(pairing.partners.__getitem__, numbers)))
    if not both:
        return both, set()
    apart = map(both.isdisjoint, map(pairing.indicators.__getitem__, numbers))
    return both, set(compress(numbers, map(not_, apart)))


def _pairs(norm: Normalised, sentences: Sentences, both: set[str], pairing: Pairing,
           matches: Sequence[Match], concerned: set[int], cues: _Cues, set_aside: set[str]
           ) -> list[tuple[str, Evidence]]:
    """The evidence of the `with_any` indicators whose phrase and partner word share a
    sentence, neither of them denied or supposed, from the patterns found that concern them
    (`concerned`, of the indicators in `both`). Each sentence gathers the indicators whose
    phrase it holds and those whose partner word it holds, a set union per pattern; where the
    two meet, the indicator is complete in that sentence, and only then are its spans mapped
    back to the text. Hot: it inlines the cue check (`_Cues`) and `Normalised.to_text`."""
    cue_ends, reaches = cues
    ends = sentences.in_words
    needs, partners, harm_types = pairing.needs, pairing.partners, pairing.harm_types
    phrases_in: defaultdict[int, set[str]] = defaultdict(set)
    partners_in: defaultdict[int, set[str]] = defaultdict(set)
    kept: list[tuple[int, int, int, int]] = []
    for number, start, end in matches:
        if number not in concerned:
            continue
        start, end = start + 1, end - 1
        before = bisect_right(cue_ends, start - 1)
        if before and start < reaches[before - 1]:  # denied or supposed
            set_aside.update(map(harm_types.__getitem__, pairing.indicators[number] & both))
            continue
        sentence = bisect_right(ends, start)
        if needs[number]:
            phrases_in[sentence].update(needs[number])
        if partners[number]:
            partners_in[sentence].update(partners[number])
        kept.append((number, start, end, sentence))
    complete = {sentence: ready for sentence, phrases in phrases_in.items()
                if (ready := phrases.intersection(partners_in.get(sentence, ())))}
    if not complete:
        return []
    points, shifts, text, indicators = norm.points, norm.shifts, norm.text, pairing.indicators
    new = tuple.__new__
    found: list[tuple[str, Evidence]] = []
    for number, start, end, sentence in kept:
        paired = complete.get(sentence)
        if paired is None or paired.isdisjoint(indicators[number]):
            continue
        first = start - 1 + shifts[bisect_right(points, start) - 1]
        last = end - 1 + shifts[bisect_right(points, end) - 1]
        span = text[first:last]
        for indicator in paired.intersection(indicators[number]):
            found.append((harm_types[indicator], new(Evidence, (indicator, first, last, span))))
    return found


def _heard(entries: Sequence[frozenset[str]], matches: Sequence[Match],
           found: dict[str, list[Evidence]]) -> dict[int, frozenset[str]]:
    """The `not_with` patterns found (by number) that concern an indicator with evidence, and
    those indicators: a `not_with` word of an indicator with no evidence is dropped with the
    distinct patterns found, not looked at one by one."""
    evidenced = set(chain.from_iterable(map(_FIRST, items) for items in found.values()))
    return {number: ids for number in set(map(_FIRST, matches))
            if (ids := entries[number] & evidenced)}


def _set_aside(sentences: Sentences, found: dict[str, list[Evidence]], matches: Sequence[Match],
               heard: dict[int, frozenset[str]], set_aside: set[str]) -> None:
    """Drop, in place, the evidence said in the same sentence as one of its indicator's
    `not_with` words (the `matches` of the patterns `heard`), adding the harm types of what
    was dropped to `set_aside`."""
    in_words, in_text = sentences.in_words, sentences.in_text
    said: defaultdict[str, set[int]] = defaultdict(set)
    for number, start, _ in matches:
        indicators = heard.get(number)
        if indicators:
            sentence = bisect_right(in_words, start + 1)
            for indicator in indicators:
                said[indicator].add(sentence)
    for harm_type, items in list(found.items()):
        if said.keys().isdisjoint(map(_FIRST, items)):
            continue
        kept = [e for e in items if e.indicator not in said
                or bisect_right(in_text, e.start) not in said[e.indicator]]
        if len(kept) < len(items):
            set_aside.add(harm_type)
        found[harm_type] = kept
        if not kept:
            del found[harm_type]


def compile_scanner(catalogue: Catalogue) -> Scanner:
    """The catalogue compiled for scanning (`automata.py`)."""
    automata = compile_automata(catalogue)
    return Scanner(catalogue, automata,
                   {i.id: i for i in catalogue.indicators},
                   {i.id: i.weight for i in catalogue.indicators},
                   pairing_of(automata.paired.entries),
                   _words_pattern(catalogue.cues.consequence))


def _words_pattern(phrases: Sequence[str]) -> re.Pattern[str] | None:
    """One pattern for whole phrases in normalised words (" he ll " is not in " shell ")."""
    keys = sorted({phrase_key(phrase) for phrase in phrases}, key=len, reverse=True)
    return re.compile(" (?:" + "|".join(map(re.escape, keys)) + ") ") if keys else None
