"""Hidden harms: the indicator catalogue's shape and the scanner that explains what it found.

People rarely name the harm ("I am a victim of modern slavery"); they say their boss keeps
their passport. An `Indicator` is one such thing a caller may say; `scanner.py` finds them and
returns, per harm type, a `Finding`: a score, a level and the exact spans that explain it.

Pure: no clock, no database. The catalogue is read from the room's TOML files by `policy.py`.
"""

from __future__ import annotations

import enum
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import NamedTuple

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
    When one of `not_with` is said in the same sentence, the phrases there are set aside: a
    husband who keeps the passport is domestic abuse, not modern slavery.
    """

    id: str
    harm_type: str
    description: str
    phrases: tuple[str, ...]
    weight: float
    action: str
    source: str
    with_any: tuple[str, ...] = ()
    not_with: tuple[str, ...] = ()


@dataclass(frozen=True)
class Thresholds:
    possible: float
    likely: float


@dataclass(frozen=True)
class Cues:
    """Words that, earlier in the same clause, mean a phrase is denied or only supposed."""

    negation: tuple[str, ...]
    hypothetical: tuple[str, ...]
    consequence: tuple[str, ...] = ()
    """Words that open the main clause after a hypothetical ("he'll", "then"): the
    hypothetical stops there, so "if you leave he'll kill you" keeps the threat."""


@dataclass(frozen=True)
class Catalogue:
    indicators: tuple[Indicator, ...]
    thresholds: Mapping[str, Thresholds]
    actions: Mapping[str, str]
    """The suggested action per harm type (what staff should do when it is confirmed)."""
    cues: Cues
    qualifiers: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    """The NSIR incident qualifiers a confirmed harm of each type offers."""
    word_forms: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    """Word -> the words said in its place ("my" -> "his", "her", ...; "took" -> "takes",
    "taken", ...): a phrase written once is found in every form (`forms_of`)."""


class Evidence(NamedTuple):
    """One matched phrase: the indicator it supports and its exact span in the text.
    (A named tuple: the scanner makes many, and they are cheap to make and compare.)"""

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


_CHOICE = re.compile(r"\{([^{}]*)\}")
MAX_VARIANTS = 1000
"""A phrase with choices may stand for at most this many phrases (a typo guard)."""


def choices(phrase: str) -> int:
    """How many phrases a phrase with choices stands for (counted before expanding it)."""
    return math.prod(len(choice.group(1).split("|")) for choice in _CHOICE.finditer(phrase))


def variants(phrase: str) -> list[str]:
    """Every phrase a phrase with choices stands for: "{takes|took} {her|his} pension" is
    four phrases; an empty choice makes a word optional ("{all |}her money")."""
    choice = _CHOICE.search(phrase)
    if not choice:
        return [phrase]
    head, tail = phrase[:choice.start()], phrase[choice.end():]
    return [found for option in choice.group(1).split("|")
            for found in variants(head + option + tail)]


MAX_FORMS = 2000
"""A phrase may be found in at most this many forms (its words' forms multiplied)."""


def word_forms(groups: Mapping[str, tuple[str, ...]]) -> dict[str, tuple[str, ...]]:
    """Word -> every word said in its place: the members of each group it is in, itself first.
    A word in two groups ("her": whose, and whom) takes the members of both."""
    forms: dict[str, dict[str, None]] = {}
    for members in groups.values():
        for word in members:
            found = forms.setdefault(word, {word: None})
            found.update(dict.fromkeys(members))
    return {word: tuple(found) for word, found in forms.items()}


def form_count(key: str, forms: Mapping[str, tuple[str, ...]]) -> int:
    """How many forms a phrase key is found in (counted before making them)."""
    return math.prod(len(forms.get(word, (word,))) for word in key.split(" "))


def forms_of(key: str, forms: Mapping[str, tuple[str, ...]]) -> list[str]:
    """Every form of a phrase key, the key as written first: "took my passport" is also
    "takes her passport", "taken their passport" ... (the caller's words, a call handler's
    third person)."""
    found = [""]
    for word in key.split(" "):
        found = [f"{head} {form}" if head else form
                 for head in found for form in forms.get(word, (word,))]
    return found


def level_for(score: float, thresholds: Thresholds) -> Level:
    if score >= thresholds.likely:
        return Level.LIKELY
    if score >= thresholds.possible:
        return Level.POSSIBLE
    return Level.NONE
