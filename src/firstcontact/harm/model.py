"""Hidden harms: the indicator catalogue's shape and the scanner that explains what it found.

People rarely name the harm ("I am a victim of modern slavery"); they say their boss keeps
their passport. The scanner looks for what callers say, in one pass over the text with a single
compiled pattern (a trie of every phrase, so the cost does not grow with the catalogue), sets
aside what is denied or only supposed ("he does not keep my passport", "if he took my
passport") and returns, per harm type, a score, a level and the exact spans that explain it.

Pure: no clock, no database. The catalogue is read from the room's TOML files by `policy.py`.
"""

from __future__ import annotations

import enum
import re
from bisect import bisect_right
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

HARM_TYPES: dict[str, str] = {
    "modern_slavery": "Modern slavery and human trafficking",
    "child_exploitation": "Child exploitation",
    "cuckooing": "Cuckooing",
    "domestic_abuse": "Domestic abuse",
    "stalking": "Stalking and harassment",
    "honour_based_abuse": "Honour-based abuse, forced marriage and FGM",
    "mental_health": "Mental health crisis and suicide risk",
    "vulnerable_adult_abuse": "Abuse of a vulnerable adult",
    "fraud_vulnerable": "Fraud targeting a vulnerable person",
    "missing_person": "Missing person",
}
"""The harm types, by the codes the command line and the evaluation use."""


class Level(enum.StrEnum):
    NONE = "none"
    POSSIBLE = "possible"
    LIKELY = "likely"


@dataclass(frozen=True)
class Indicator:
    """One thing a caller may say that points to a harm, and what staff should then do.

    `phrases` are alternatives; when `with_any` is given, one of those must also be said in the
    same sentence (multi-word evidence: "passport" counts only near "keeps", "took", ...).
    """

    id: str
    harm_type: str
    description: str
    phrases: tuple[str, ...]
    weight: float
    action: str
    source: str
    with_any: tuple[str, ...] = ()


@dataclass(frozen=True)
class Thresholds:
    possible: float
    likely: float


@dataclass(frozen=True)
class Cues:
    """Words that, earlier in the same clause, mean a phrase is denied or only supposed."""

    negation: tuple[str, ...]
    hypothetical: tuple[str, ...]


@dataclass(frozen=True)
class Catalogue:
    indicators: tuple[Indicator, ...]
    thresholds: Mapping[str, Thresholds]
    actions: Mapping[str, str]
    """The suggested action per harm type (what staff should do when it is confirmed)."""
    cues: Cues
    qualifiers: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    """The NSIR incident qualifiers a confirmed harm of each type offers."""


@dataclass(frozen=True)
class Evidence:
    indicator: str
    start: int
    end: int
    text: str


@dataclass(frozen=True)
class Finding:
    """One harm type the text points to: why (evidence), how strongly, and what to do."""

    harm_type: str
    level: Level
    score: float
    evidence: tuple[Evidence, ...]
    action: str


RIGHT_QUOTE = "\u2019"
"""The typographic apostrophe phones and word processors type; treated as a plain one."""


def phrase_key(text: str) -> str:
    """How a phrase and a matched span are compared: lower case, no apostrophes, one space."""
    plain = text.lower().replace("'", "").replace(RIGHT_QUOTE, "")
    return " ".join(re.findall(r"[a-z0-9]+", plain))


def _trie_pattern(phrases: Iterable[str]) -> str:
    """One regular expression for every phrase, shaped as a trie so each position in the text
    is tried against the catalogue once. Gaps between words match any run of spaces,
    punctuation or line breaks; an apostrophe (plain or typographic) is optional: "wont"."""
    trie: dict[str, object] = {}
    for phrase in phrases:
        node = trie
        for char in phrase:
            node = node.setdefault(char, {})  # type: ignore[assignment]
        node[""] = {}
    return _node_pattern(trie)


def _atom(char: str) -> str:
    if char == " ":
        return r"[\W_]+"
    if char == "'":
        return f"['{RIGHT_QUOTE}]?"
    return re.escape(char)


def _node_pattern(node: Mapping[str, object]) -> str:
    ends = "" in node
    branches = [_atom(char) + _node_pattern(child)  # type: ignore[arg-type]
                for char, child in sorted(node.items()) if char]
    if not branches:
        return ""
    body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
    return f"(?:{body})?" if ends else body


def _spelling(phrase: str) -> str:
    """The phrase as the trie stores it: lower case, single spaces, apostrophes kept."""
    return " ".join(re.findall(r"[a-z0-9']+", phrase.lower().replace(RIGHT_QUOTE, "'")))


_SENTENCE_END = re.compile(r"[.!?]+(?=\s|$)|\n\s*\n")
_CLAUSE_END = re.compile(r"[.!?;:,()]|\n\s*\n|\b(?:but|although|though|however|and)\b",
                         re.IGNORECASE)


@dataclass
class Scanner:
    """The catalogue compiled for scanning. Build once (`compile_scanner`), scan many texts."""

    catalogue: Catalogue
    pattern: re.Pattern[str]
    by_key: dict[str, list[tuple[Indicator, bool]]]
    """Phrase key -> the indicators it evidences (True when it is their `with_any` part)."""
    cue_words: frozenset[str] = field(default_factory=frozenset)
    indicators: dict[str, Indicator] = field(default_factory=dict)

    def scan(self, text: str) -> list[Finding]:
        """Every harm type at level possible or likely, most likely first."""
        return [f for f in self.assess(text) if f.level is not Level.NONE]

    def assess(self, text: str) -> list[Finding]:
        """Every harm type with any evidence, its level from the catalogue's thresholds."""
        evidence = self._evidence(text)
        findings = [self._finding(harm, items) for harm, items in evidence.items()]
        return sorted(findings, key=lambda f: (-f.score, f.harm_type))

    def _evidence(self, text: str) -> dict[str, list[Evidence]]:
        sentences = [m.end() for m in _SENTENCE_END.finditer(text)]
        primary: dict[tuple[str, int], list[Evidence]] = defaultdict(list)
        partners: dict[tuple[str, int], list[Evidence]] = defaultdict(list)
        for match in self.pattern.finditer(text):
            start, end, said = match.start(1), match.end(1), match.group(1)
            if self._set_aside(text, start):
                continue
            sentence = _sentence_index(sentences, start)
            for indicator, is_partner in self.by_key.get(phrase_key(said), ()):
                span = Evidence(indicator.id, start, end, said)
                (partners if is_partner else primary)[(indicator.id, sentence)].append(span)
        found: dict[str, list[Evidence]] = defaultdict(list)
        for (indicator_id, sentence), spans in primary.items():
            indicator = self.indicators[indicator_id]
            if indicator.with_any:
                companions = partners.get((indicator_id, sentence))
                if not companions:
                    continue
                spans = sorted([*spans, *companions], key=lambda e: e.start)
            found[indicator.harm_type].extend(spans)
        return found

    def _set_aside(self, text: str, start: int) -> bool:
        """True when a negation or hypothetical cue comes earlier in the same clause."""
        clause_start = 0
        for boundary in _CLAUSE_END.finditer(text, max(0, start - 200), start):
            clause_start = boundary.end()
        words = phrase_key(text[clause_start:start]).split()
        if not self.cue_words.intersection(words):
            return False
        joined = " " + " ".join(words) + " "
        cues = (*self.catalogue.cues.negation, *self.catalogue.cues.hypothetical)
        return any(f" {phrase_key(cue)} " in joined for cue in cues)

    def _finding(self, harm_type: str, evidence: Sequence[Evidence]) -> Finding:
        score = round(sum(self.indicators[i].weight for i in {e.indicator for e in evidence}), 2)
        return Finding(harm_type, level_for(score, self.catalogue.thresholds[harm_type]), score,
                       tuple(sorted(set(evidence), key=lambda e: (e.start, e.indicator))),
                       self.catalogue.actions.get(harm_type, ""))


def _sentence_index(ends: Sequence[int], position: int) -> int:
    return bisect_right(ends, position)


def level_for(score: float, thresholds: Thresholds) -> Level:
    if score >= thresholds.likely:
        return Level.LIKELY
    if score >= thresholds.possible:
        return Level.POSSIBLE
    return Level.NONE


def compile_scanner(catalogue: Catalogue) -> Scanner:
    """Compile every phrase of every indicator into one pattern."""
    by_key: dict[str, list[tuple[Indicator, bool]]] = defaultdict(list)
    spellings: set[str] = set()
    for indicator in catalogue.indicators:
        for phrases, is_partner in ((indicator.phrases, False), (indicator.with_any, True)):
            for phrase in phrases:
                spellings.add(_spelling(phrase))
                entry = (indicator, is_partner)
                if entry not in by_key[phrase_key(phrase)]:
                    by_key[phrase_key(phrase)].append(entry)
    # A lookahead, so phrases that overlap ("the carer", "carer slapped") are all found: at
    # each word start the longest phrase there is taken.
    pattern = re.compile(r"\b(?=(" + _trie_pattern(sorted(spellings)) + r")\b)",
                         re.IGNORECASE)
    cues = (*catalogue.cues.negation, *catalogue.cues.hypothetical)
    cue_words = frozenset(word for cue in cues for word in phrase_key(cue).split())
    return Scanner(catalogue, pattern, dict(by_key), cue_words,
                   {i.id: i for i in catalogue.indicators})
