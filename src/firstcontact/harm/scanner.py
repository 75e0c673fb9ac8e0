"""The hidden-harm scanner: one Aho-Corasick automaton over every phrase in the catalogue.

The text is split into words once (lower case, apostrophes dropped, any run of spaces,
punctuation or line breaks between words treated alike), the automaton finds every phrase in a
single pass whatever the size of the catalogue, and each hit is mapped back to its exact span
in the text as it was written. A hit is set aside when a negation or hypothetical cue comes
earlier in the same clause ("he does not keep my passport", "if he took my passport").

Pure: no clock, no database; built once from the catalogue and reused for every contact.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import accumulate, count
from operator import add

import ahocorasick

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

_WORDS = re.compile(r"([a-z0-9]+(?:'[a-z0-9]+)*)")
_SENTENCE_END = re.compile(r"[.!?]+(?=\s|$)|\n\s*\n")
_CLAUSE_END = re.compile(r"[.!?;:,()]|\n\s*\n")
CLAUSE_WORDS = frozenset({"but", "and", "although", "though", "however"})
"""Words that start a new clause: a denial before them does not reach past them."""
LOOK_BACK = 12
"""How many words before a phrase are searched for a cue (within its clause)."""


@dataclass(frozen=True)
class _Words:
    """A text as words: each word without apostrophes, and its span in the original text."""

    text: str
    words: list[str]
    starts: list[int]
    ends: list[int]
    positions: list[int]
    """Where each word starts in the joined, normalised text the automaton reads."""


def _split(text: str) -> _Words:
    lowered = text.lower().replace(RIGHT_QUOTE, "'")
    if len(lowered) != len(text):  # a few letters change length in lower case; keep spans true
        lowered = "".join(c.lower() if len(c.lower()) == 1 else c for c in text)
    parts = _WORDS.split(lowered)
    offsets = list(accumulate(map(len, parts)))
    words = " ".join(parts[1::2]).replace("'", "").split(" ") if len(parts) > 1 else []
    # Word i starts at 1 + i + (letters before it) in " word word ... ".
    positions = list(map(add, accumulate(map(len, words), initial=0), count(1)))
    return _Words(text, words, offsets[0::2][:len(words)], offsets[1::2], positions)


@dataclass
class Scanner:
    """The catalogue compiled for scanning. Build once (`compile_scanner`), scan many texts."""

    catalogue: Catalogue
    automaton: ahocorasick.Automaton
    by_key: dict[str, list[tuple[Indicator, bool]]]
    """Phrase key -> the indicators it evidences (True when it is their `with_any` part)."""
    indicators: dict[str, Indicator]
    single_cues: frozenset[str]
    multi_cues: tuple[str, ...]

    def scan(self, text: str) -> list[Finding]:
        """Every harm type at level possible or likely, most likely first."""
        return [f for f in self.assess(text) if f.level is not Level.NONE]

    def assess(self, text: str) -> list[Finding]:
        """Every harm type with any evidence, its level from the catalogue's thresholds."""
        found = self._evidence(_split(text))
        findings = [self._finding(harm, items) for harm, items in found.items()]
        return sorted(findings, key=lambda f: (-f.score, f.harm_type))

    def hits(self, text: str) -> list[tuple[int, int, str]]:
        """Every phrase found, as (first word, last word, phrase key): the automaton alone."""
        return list(self._hits(_split(text)))

    def _hits(self, split: _Words) -> list[tuple[int, int, str]]:
        return self._hits_and_cues(split)[0]

    def _hits_and_cues(self, split: _Words) -> tuple[list[tuple[int, int, str]], list[int]]:
        """Phrases found, and the word positions of cue words (found in the same pass)."""
        joined = " " + " ".join(split.words) + " "
        found, cues = [], []
        for end, (key, is_cue) in self.automaton.iter(joined):
            first = bisect_left(split.positions, end - len(key))
            if is_cue:
                cues.append(first)
            if key in self.by_key:
                found.append((first, first + key.count(" "), key))
        cues.sort()
        return found, cues

    def _evidence(self, split: _Words) -> dict[str, list[Evidence]]:
        if not split.words:
            return {}
        clauses = [m.end() for m in _CLAUSE_END.finditer(split.text)]
        sentences = [m.end() for m in _SENTENCE_END.finditer(split.text)]
        primary: dict[tuple[str, int], list[Evidence]] = defaultdict(list)
        partners: dict[tuple[str, int], list[Evidence]] = defaultdict(list)
        hits, cues = self._hits_and_cues(split)
        for first, last, key in hits:
            start, end = split.starts[first], split.ends[last]
            near = bisect_left(cues, first) > bisect_left(cues, first - LOOK_BACK)
            if near and self._set_aside(split, first, clauses):
                continue
            sentence = bisect_right(sentences, start)
            for indicator, is_partner in self.by_key[key]:
                span = Evidence(indicator.id, start, end, split.text[start:end])
                (partners if is_partner else primary)[(indicator.id, sentence)].append(span)
        found: dict[str, list[Evidence]] = defaultdict(list)
        for (indicator_id, sentence), spans in primary.items():
            indicator = self.indicators[indicator_id]
            if indicator.with_any:
                companions = partners.get((indicator_id, sentence))
                if not companions:
                    continue
                spans = [*spans, *companions]
            found[indicator.harm_type].extend(spans)
        return found

    def _set_aside(self, split: _Words, first: int, clauses: Sequence[int]) -> bool:
        """True when a negation or hypothetical cue comes earlier in the same clause."""
        earlier = bisect_right(clauses, split.starts[first])
        boundary = clauses[earlier - 1] if earlier else 0
        before: list[str] = []
        for index in range(first - 1, max(-1, first - 1 - LOOK_BACK), -1):
            word = split.words[index]
            if split.starts[index] < boundary or word in CLAUSE_WORDS:
                break
            before.append(word)
        if self.single_cues.intersection(before):
            return True
        joined = " " + " ".join(reversed(before)) + " "
        return any(cue in joined for cue in self.multi_cues)

    def _finding(self, harm_type: str, evidence: Sequence[Evidence]) -> Finding:
        score = round(sum(self.indicators[i].weight for i in {e.indicator for e in evidence}), 2)
        return Finding(harm_type, level_for(score, self.catalogue.thresholds[harm_type]), score,
                       tuple(sorted(set(evidence), key=lambda e: (e.start, e.indicator))),
                       self.catalogue.actions.get(harm_type, ""))


def compile_scanner(catalogue: Catalogue) -> Scanner:
    """Compile every phrase of every indicator into one automaton."""
    by_key: dict[str, list[tuple[Indicator, bool]]] = defaultdict(list)
    for indicator in catalogue.indicators:
        for phrases, is_partner in ((indicator.phrases, False), (indicator.with_any, True)):
            for phrase in phrases:
                entry = (indicator, is_partner)
                if entry not in by_key[phrase_key(phrase)]:
                    by_key[phrase_key(phrase)].append(entry)
    automaton = ahocorasick.Automaton()
    cues = {phrase_key(cue) for cue in (*catalogue.cues.negation, *catalogue.cues.hypothetical)}
    cue_words = {word for cue in cues for word in cue.split()}
    for key in {*by_key, *cue_words}:
        # Spaces either side: a phrase matches whole words only ("cse" is not in "because").
        automaton.add_word(f" {key} ", (key, key in cue_words))
    automaton.make_automaton()
    return Scanner(catalogue, automaton, dict(by_key), {i.id: i for i in catalogue.indicators},
                   frozenset(c for c in cues if " " not in c),
                   tuple(f" {c} " for c in sorted(cues) if " " in c))
