"""Types of the compiled module `evidence_spans.pyx` (what the scanner calls it with)."""

from collections import defaultdict
from collections.abc import Set
from typing import Any

from firstcontact.harm.automata import Match
from firstcontact.harm.model import Evidence

def squeeze(plain: bytes) -> tuple[str, list[int], list[int], list[int]]: ...

def sentence_ends(lowered: str, text_points: list[int], shifts: list[int]
                  ) -> tuple[list[int], list[int]]: ...

def plain_evidence(matches: list[Match], entries: list[Any], cue_ends: list[int],
                   reaches: list[int], points: list[int], shifts: list[int], text: str,
                   set_aside: set[str], evidence: type[Evidence],
                   found: defaultdict[str, list[Evidence]]) -> defaultdict[str, list[Evidence]]:
    ...

class PairMasks:
    words: int
    patterns: int
    ids: list[str]
    harm_types: list[str]
    def __init__(self, needs: list[Set[str]], partners: list[Set[str]],
                 harm_types: dict[str, str]) -> None: ...

def paired_evidence(masks: PairMasks, matches: list[Match], sentence_ends: list[int],
                    cue_ends: list[int], reaches: list[int], points: list[int],
                    shifts: list[int], text: str, set_aside: set[str],
                    evidence: type[Evidence], found: defaultdict[str, list[Evidence]]
                    ) -> None: ...

class AsideMasks:
    words: int
    patterns: int
    bits: dict[str, int]
    def __init__(self, entries: list[frozenset[str]]) -> None: ...

def set_aside_said_with(masks: AsideMasks, matches: list[Match], sentence_words: list[int],
                        sentence_text: list[int], found: dict[str, list[Evidence]],
                        set_aside: set[str]) -> None: ...
