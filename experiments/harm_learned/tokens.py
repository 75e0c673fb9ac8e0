"""The experiment's reading of a narrative: the scanner's own words, optionally with denial.

The words are the scanner's (`scanner.normalise`): the same lower case, apostrophes and
separators, so a learned layer would read what the lists read. A word after a negation cue in
its clause is read as denied ("not~passport"), the way the scanner sets a denied phrase aside.
Each token keeps its exact span in the text, so a learned prompt could highlight its words.
"""

from __future__ import annotations

import re
from itertools import pairwise
from typing import NamedTuple

from firstcontact.harm.scanner import CLAUSE_WORDS, LOOK_BACK, normalise

NEGATION_WORDS = frozenset({
    "not", "dont", "doesnt", "didnt", "isnt", "arent", "wasnt", "werent", "hasnt", "havent",
    "hadnt", "never", "nobody", "neither", "nor", "without", "denies", "denied", "cant",
    "cannot", "wont", "wouldnt", "couldnt", "shouldnt",
})
"""Words after which the rest of the clause is read as denied (the scanner's negation cues,
as single normalised words, and the spoken short forms)."""
DENIED = "not~"
"""The prefix of a denied word: "never took her passport" reads "not~took not~her ..."."""
_CLAUSE_BREAK = re.compile(r"[.!?;:,()\n]")


class Token(NamedTuple):
    """One word as the model reads it, and where it was typed in the text."""

    word: str
    start: int
    end: int


def tokens(text: str, negation: bool = True) -> list[Token]:
    """The words of a text in order, each with its exact span; with `negation`, a word after
    a negation cue in its clause (up to `LOOK_BACK` words) carries the `DENIED` prefix."""
    norm = normalise(text)
    found: list[Token] = []
    denied_left = 0
    previous_end = 0
    for match in re.finditer(r"[^ ]+", norm.words):
        word = match.group()
        start, end = norm.to_text(match.start()), norm.to_text(match.end())
        if word in CLAUSE_WORDS or _CLAUSE_BREAK.search(norm.lowered, previous_end, start):
            denied_left = 0
        previous_end = end
        if negation and word in NEGATION_WORDS:
            found.append(Token(word, start, end))
            denied_left = LOOK_BACK
            continue
        found.append(Token(DENIED + word if denied_left else word, start, end))
        denied_left = max(denied_left - 1, 0)
    return found


def grams(words: list[str]) -> list[str]:
    """Every 1-gram and 2-gram of the words, in order (a 2-gram is two words, one space)."""
    return words + [f"{a} {b}" for a, b in pairwise(words)]
