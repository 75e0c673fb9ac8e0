"""The hidden-harm scanner: one Aho-Corasick automaton over every phrase in the catalogue.

The text is normalised once, at C speed: lower case, apostrophes inside words dropped ("won't"
reads "wont"), and every run of spaces, punctuation or line breaks made one space. The few
places where that changes the length are kept as an offset map, so each hit maps back to its
exact span in the text as it was written. The automaton finds every phrase and every cue word
in that one pass whatever the size of the catalogue. A hit is set aside when a negation or
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
from itertools import accumulate, chain
from operator import attrgetter, itemgetter
from typing import Any, NamedTuple, TypeVar, cast

import ahocorasick

from firstcontact.harm.learned import LearnedLayer
from firstcontact.harm.model import (
    RIGHT_QUOTE,
    Catalogue,
    Evidence,
    Finding,
    Indicator,
    Level,
    forms_of,
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

_IN_TEXT_ORDER = attrgetter("start", "indicator", "end")
NEGATION, SUPPOSING = 1, 2
"""The two kinds of cue (`is_cue`): a denial, and a hypothetical ("if", "unless", ...)."""
PLAIN, NEEDS_PARTNER, PARTNER, BOTH = 0, 1, 2, 3
"""How a phrase counts for an indicator: alone, only with a `with_any` word in its sentence,
as that `with_any` word, or as both (flags: BOTH is NEEDS_PARTNER | PARTNER)."""


_Held = TypeVar("_Held")
Use = tuple[str, str, int]
"""(indicator id, harm type, PLAIN / NEEDS_PARTNER / PARTNER / BOTH)."""
Hit = tuple[int, int, tuple[Use, ...]]
"""A phrase found: its start and end in the normalised words, and what it evidences."""


class _Entry(NamedTuple):
    """What the automaton returns for a phrase: its length; the (indicator, harm type) it
    evidences alone; the (indicator, harm type, how) it evidences with a `with_any` partner;
    the (indicator, harm type) it sets aside in its sentence (`not_with`); and `is_cue`,
    NEGATION or SUPPOSING, for
    a negation or hypothetical cue."""

    length: int
    plain: tuple[tuple[str, str], ...]
    paired: tuple[Use, ...]
    sets_aside: tuple[tuple[str, str], ...]
    is_cue: int


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
    automaton: ahocorasick.Automaton
    indicators: dict[str, Indicator]
    weights: dict[str, float]
    consequence: re.Pattern[str] | None = None
    """The words that open the main clause after a hypothetical (`cues.consequence`)."""
    learned: LearnedLayer | None = None
    """The learned layer, gated (`learned.py`): lifts to possible a type the lists found some
    evidence of below possible. `policy.scanner()` loads it; None scans with the lists alone."""

    def scan(self, text: str) -> list[Finding]:
        """Every harm type at level possible or likely, most likely first."""
        return [f for f in self.assess(text) if f.level is not Level.NONE]

    def assess(self, text: str) -> list[Finding]:
        """Every harm type with any evidence, its level from the catalogue's thresholds."""
        norm = normalise(text)
        found = self._evidence(norm)
        findings = [self._finding(harm, items) for harm, items in found.items()]
        if self.learned is not None:
            findings = self.learned.lift(norm, findings)
        return sorted(findings, key=lambda f: (-f.score, f.harm_type))

    def hits(self, text: str) -> list[tuple[int, _Entry]]:
        """Every phrase and cue found, (end, entry): the automaton alone, before negation,
        sentences and levels (what the benchmark times as matching)."""
        return list(self.automaton.iter(normalise(text).words))

    def _evidence(self, norm: Normalised) -> dict[str, list[Evidence]]:
        """Evidence per harm type, in one pass of the automaton: a cue is always reported
        before the phrases after it, so each phrase is checked against the nearest cue before
        it; `with_any` indicators count only where both parts share a sentence (`_pairs`);
        evidence in a sentence with one of its indicator's `not_with` words is then dropped
        (`_set_aside`). A `not_with` word counts even after a cue: "can't go anywhere without
        my husband" still says who is doing it."""
        points, shifts, text = norm.points, norm.shifts, norm.text
        new = tuple.__new__  # Evidence(...) without the named tuple's Python-level __new__
        cue_ends: list[int] = []
        reaches: list[int] = []
        found: dict[str, list[Evidence]] = defaultdict(list)
        waiting: list[Hit] = []
        setting_aside: list[tuple[int, tuple[tuple[str, str], ...]]] = []
        for end, (length, plain, paired, sets_aside, is_cue) in self.automaton.iter(norm.words):
            start = end - length
            if sets_aside:
                setting_aside.append((start, sets_aside))
            if is_cue:
                cue_ends.append(end)
                reaches.append(_reach(norm, start, end,
                                      self.consequence if is_cue == SUPPOSING else None))
            if paired:  # denial is checked in `_pairs`, for the few indicators it matters to
                waiting.append((start, end, paired))
            if plain:
                before = bisect_right(cue_ends, start - 1)
                if before and start < reaches[before - 1]:
                    continue  # denied or supposed
                first = start - 1 + shifts[bisect_right(points, start) - 1]
                last = end - 1 + shifts[bisect_right(points, end) - 1]
                span = text[first:last]
                for indicator, harm_type in plain:
                    found[harm_type].append(new(Evidence, (indicator, first, last, span)))
        if waiting or setting_aside:
            sentences = _sentences(norm)
            for harm_type, evidence in _pairs(norm, sentences, waiting,
                                              _Cues(cue_ends, reaches)):
                found[harm_type].append(evidence)
            if setting_aside:
                _set_aside(norm, sentences, found, setting_aside)
        return found

    def _finding(self, harm_type: str, evidence: list[Evidence]) -> Finding:
        """Each span is evidence once (`_uses`), so no de-duplication is needed here."""
        weights = map(self.weights.__getitem__, set(map(itemgetter(0), evidence)))
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
    return Sentences(ends, [norm.from_text(end) for end in ends])


class _Cues(NamedTuple):
    """The negation and hypothetical cues of a text: where each ends (in order) and how far it
    reaches (`_reach`)."""

    ends: list[int]
    reaches: list[int]

    def deny(self, start: int) -> bool:
        """Whether the nearest cue before a phrase starting here reaches it."""
        before = bisect_right(self.ends, start - 1)
        return bool(before) and start < self.reaches[before - 1]


def _pairs(norm: Normalised, sentences: Sentences, waiting: Sequence[Hit], cues: _Cues
           ) -> list[tuple[str, Evidence]]:
    """The evidence of `with_any` indicators whose phrase and partner word share a sentence,
    neither of them denied or supposed.

    Only indicators with both parts somewhere in the text are looked at (most partner words
    are heard without their phrase); only their spans are checked against the cues, and only
    the spans in a sentence that holds both are mapped back to the text."""
    by_indicator: dict[str, list[tuple[int, int, int, str]]] = defaultdict(list)
    kinds: dict[str, int] = defaultdict(int)
    for start, end, uses in waiting:
        for indicator, harm_type, kind in uses:
            by_indicator[indicator].append((start, end, kind, harm_type))
            kinds[indicator] |= kind
    ends = sentences.in_words
    found: list[tuple[str, Evidence]] = []
    for indicator, spans in by_indicator.items():
        if kinds[indicator] != BOTH:
            continue
        spans = [span for span in spans if not cues.deny(span[0])]
        numbers = [bisect_right(ends, span[0]) for span in spans]
        heard: dict[int, int] = defaultdict(int)
        for (_, _, kind, _), number in zip(spans, numbers, strict=True):
            heard[number] |= kind
        for (start, end, _, harm_type), number in zip(spans, numbers, strict=True):
            if heard[number] == BOTH:
                first, last = norm.to_text(start), norm.to_text(end)
                found.append((harm_type, Evidence(indicator, first, last,
                                                  norm.text[first:last])))
    return found


def _set_aside(norm: Normalised, sentences: Sentences, found: dict[str, list[Evidence]],
               setting_aside: Sequence[tuple[int, tuple[tuple[str, str], ...]]]) -> None:
    """Drop, in place, the evidence said in the same sentence as one of its indicator's
    `not_with` words. Only the evidence of the harm types those words concern is looked at."""
    heard: dict[str, set[int]] = defaultdict(set)
    harm_types: set[str] = set()
    for start, indicators in setting_aside:
        number = bisect_right(sentences.in_words, start)
        for indicator, harm_type in indicators:
            heard[indicator].add(number)
            harm_types.add(harm_type)
    ends = sentences.in_text
    for harm_type in harm_types & found.keys():
        kept = [e for e in found[harm_type] if e.indicator not in heard
                or bisect_right(ends, e.start) not in heard[e.indicator]]
        found[harm_type] = kept
        if not kept:
            del found[harm_type]


def _uses(catalogue: Catalogue) -> dict[str, list[Use]]:
    """Phrase key -> the indicators it evidences, and how: one entry per indicator, so each
    span is evidence once (a phrase that is also a `with_any` word is BOTH)."""
    kinds: dict[str, dict[Indicator, int]] = defaultdict(dict)
    for indicator in catalogue.indicators:
        needs = NEEDS_PARTNER if indicator.with_any else PLAIN
        for phrases, kind in ((indicator.phrases, needs), (indicator.with_any, PARTNER)):
            for key in _keys(catalogue, phrases):
                kinds[key][indicator] = kinds[key].get(indicator, kind) | kind
    return {key: [(i.id, i.harm_type, kind) for i, kind in found.items()]
            for key, found in kinds.items()}


def _sets_aside(catalogue: Catalogue) -> dict[str, tuple[tuple[str, str], ...]]:
    """`not_with` word key -> the (indicator, harm type) it sets aside in its sentence."""
    found: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for indicator in catalogue.indicators:
        for key in _keys(catalogue, indicator.not_with):
            found[key].append((indicator.id, indicator.harm_type))
    return {key: tuple(uses) for key, uses in found.items()}


def _keys(catalogue: Catalogue, phrases: Sequence[str]) -> dict[str, None]:
    """The phrase keys of `phrases` in every word form (`forms_of`), each once, in order."""
    return dict.fromkeys(form for key in map(phrase_key, phrases)
                         for form in forms_of(key, catalogue.word_forms))


def compile_scanner(catalogue: Catalogue) -> Scanner:
    """Compile every phrase of every indicator, every `not_with` word and every cue into one
    automaton."""
    uses, sets_aside = _uses(catalogue), _sets_aside(catalogue)
    cues = {**{phrase_key(cue): NEGATION for cue in catalogue.cues.negation},
            **{phrase_key(cue): SUPPOSING for cue in catalogue.cues.hypothetical}}
    automaton = ahocorasick.Automaton()
    # The forms of one phrase evidence the same indicators: they share one tuple of uses
    # rather than each holding its own copy (about 20 MB less with 200,000 phrases).
    shared: dict[Any, Any] = {}
    for key in {*uses, *sets_aside, *cues}:
        # Spaces either side: a phrase matches whole words only ("cse" is not in "because").
        found = uses.get(key, [])
        plain = tuple((i, h) for i, h, kind in found if kind == PLAIN)
        paired = tuple(use for use in found if use[2] != PLAIN)
        aside = sets_aside.get(key, ())
        automaton.add_word(f" {key} ", _Entry(
            len(key), _held_once(shared, plain), _held_once(shared, paired),
            _held_once(shared, aside), cues.get(key, 0)))
    automaton.make_automaton()
    return Scanner(catalogue, automaton, {i.id: i for i in catalogue.indicators},
                   {i.id: i.weight for i in catalogue.indicators},
                   _words_pattern(catalogue.cues.consequence))


def _held_once(pool: dict[Any, Any], value: _Held) -> _Held:
    """`value`, or the equal value already in `pool`: equal tuples are held once."""
    return cast(_Held, pool.setdefault(value, value))


def _words_pattern(phrases: Sequence[str]) -> re.Pattern[str] | None:
    """One pattern for whole phrases in normalised words (" he ll " is not in " shell ")."""
    keys = sorted({phrase_key(phrase) for phrase in phrases}, key=len, reverse=True)
    return re.compile(" (?:" + "|".join(map(re.escape, keys)) + ") ") if keys else None
