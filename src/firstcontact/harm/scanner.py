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
from operator import itemgetter
from typing import NamedTuple

from firstcontact.harm.automata import (
    SUPPOSING,
    Automata,
    Match,
    compile_automata,
    pair_masks,
)
from firstcontact.harm.dialogue import public_words
from firstcontact.harm.evidence_spans import (
    AsideMasks,
    PairMasks,
    paired_evidence,
    plain_evidence,
    sentence_ends,
    set_aside_said_with,
    squeeze,
)
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
    translate, then one compiled pass, `evidence_spans.squeeze`), with no Python loop per
    word."""
    lowered = text.lower().replace(RIGHT_QUOTE, "'")
    if len(lowered) != len(text):  # a few letters change length in lower case; keep spans true
        lowered = "".join(c.lower() if len(c.lower()) == 1 else c for c in text)
    plain = lowered.encode("ascii", "replace").translate(_LETTERS)
    if b"'" in plain:  # an apostrophe not inside a word is a separator
        plain = b" " + plain[1:] if plain[:1] == b"'" else plain
        plain = plain[:-1] + b" " if plain[-1:] == b"'" else plain
        plain = plain.replace(b"''", b"  ").replace(b"' ", b"  ").replace(b" '", b"  ")
    words, points, text_points, shifts = squeeze(plain)
    return Normalised(text, lowered, words, points, text_points, shifts)


@dataclass
class Scanner:
    """The catalogue compiled for scanning. Build once (`compile_scanner`), scan many texts."""

    catalogue: Catalogue
    automata: Automata
    indicators: dict[str, Indicator]
    weights: dict[str, float]
    pair_masks: PairMasks
    """The `with_any` patterns' entries as bit masks (`automata.pair_masks`)."""
    aside_masks: AsideMasks
    """The `not_with` patterns' entries as bit masks."""
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
        (`evidence_spans.paired_evidence`); evidence in a sentence with one of its indicator's
        `not_with` words is then dropped (`evidence_spans.set_aside_said_with`). A `not_with`
        word counts even after a cue: "can't go anywhere without my husband" still says who is
        doing it. The harm types of the evidence set aside are added to `set_aside`."""
        cues = self._cues_in(norm)
        found = self._plain_evidence(norm, cues, set_aside)
        sentences: Sentences | None = None
        paired = self.automata.paired.find(norm.words)
        if paired:
            sentences = _sentences(norm)
            paired_evidence(self.pair_masks, paired, sentences.in_words, cues.ends, cues.reaches,
                            norm.points, norm.shifts, norm.text, set_aside, Evidence, found)
        said = self.automata.aside.find(norm.words) if found else None
        if said:
            sentences = sentences or _sentences(norm)
            set_aside_said_with(self.aside_masks, said, sentences.in_words, sentences.in_text,
                                found, set_aside)
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
                        ) -> defaultdict[str, list[Evidence]]:
        """The phrases that are evidence alone, less those denied or supposed, each mapped
        back to its span in the text as written: the hottest loop of the scanner, compiled
        (`evidence_spans.plain_evidence`)."""
        found: defaultdict[str, list[Evidence]] = defaultdict(list)
        return plain_evidence(self.automata.plain.find(norm.words), self.automata.plain.entries,
                              cues.ends, cues.reaches, norm.points, norm.shifts, norm.text,
                              set_aside, Evidence, found)

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
    """A sentence ends at . ! or ? before a space or the end of the text, or at a blank line
    (`evidence_spans.sentence_ends`)."""
    return Sentences(*sentence_ends(norm.lowered, norm.text_points, norm.shifts))


class _Cues(NamedTuple):
    """The negation and hypothetical cues of a text: where each ends (in order) and how far it
    reaches (`_reach`). A phrase is denied or supposed when the nearest cue ending before it
    reaches past its start (found by bisection, inline where it is used)."""

    ends: list[int]
    reaches: list[int]


def compile_scanner(catalogue: Catalogue) -> Scanner:
    """The catalogue compiled for scanning (`automata.py`)."""
    automata = compile_automata(catalogue)
    return Scanner(catalogue, automata,
                   {i.id: i for i in catalogue.indicators},
                   {i.id: i.weight for i in catalogue.indicators},
                   pair_masks(automata.paired.entries), AsideMasks(automata.aside.entries),
                   _words_pattern(catalogue.cues.consequence))


def _words_pattern(phrases: Sequence[str]) -> re.Pattern[str] | None:
    """One pattern for whole phrases in normalised words (" he ll " is not in " shell ")."""
    keys = sorted({phrase_key(phrase) for phrase in phrases}, key=len, reverse=True)
    return re.compile(" (?:" + "|".join(map(re.escape, keys)) + ") ") if keys else None
