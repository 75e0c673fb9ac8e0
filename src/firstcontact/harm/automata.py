"""The catalogue compiled for the scanner: four Aho-Corasick automata, one per role a phrase
can play (a negation or hypothetical cue, evidence alone, half of a `with_any` pair, a
`not_with` word), each over every form of its phrases.

One automaton per role, not one for all: each search hands back, in a list built in Rust
(ahocorasick-rs), only the phrases of its role, so the scanner's Python never looks at a word
found for a role the text cannot use, and the four hold a tenth of the Python objects one
automaton with a tuple per phrase did (fewer for the garbage collector to walk).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any, NamedTuple, TypeVar, cast

import ahocorasick_rs

from firstcontact.harm.evidence_spans import PairMasks
from firstcontact.harm.model import Catalogue, forms_of, phrase_key

NEGATION, SUPPOSING = 1, 2
"""The two kinds of cue (`is_cue`): a denial, and a hypothetical ("if", "unless", ...)."""
PLAIN, NEEDS_PARTNER, PARTNER, BOTH = 0, 1, 2, 3
"""How a phrase counts for an indicator: alone, only with a `with_any` word in its sentence,
as that `with_any` word, or as both (flags: BOTH is NEEDS_PARTNER | PARTNER)."""


_Held = TypeVar("_Held")
Use = tuple[str, str, int]
"""(indicator id, harm type, PLAIN / NEEDS_PARTNER / PARTNER / BOTH)."""
Match = tuple[int, int, int]
"""What an automaton finds: (pattern number, start, end), the pattern with its spaces."""


class Paired(NamedTuple):
    """What a phrase or word of a `with_any` indicator stands for: the indicators it is the
    phrase of (`needs`), those it is a partner word of (`partners`), both together
    (`indicators`), and each of them with its harm type and how it counts (`uses`)."""

    needs: frozenset[str]
    partners: frozenset[str]
    indicators: frozenset[str]
    uses: tuple[Use, ...]


def pair_masks(entries: Sequence[Paired]) -> PairMasks:
    """The paired automaton's entries as bit masks by pattern number, for the scanner's
    compiled pairing (`evidence_spans.paired_evidence`); built once, with the scanner."""
    harm_types = {indicator: harm_type
                  for entry in entries for indicator, harm_type, _ in entry.uses}
    return PairMasks([entry.needs for entry in entries], [entry.partners for entry in entries],
                     harm_types)


class Automaton(NamedTuple):
    """One Aho-Corasick automaton and what each of its patterns stands for, by number (one
    per role a phrase can play: see the module's docstring)."""

    matcher: ahocorasick_rs.AhoCorasick | None
    entries: list[Any]

    def find(self, words: str) -> list[Match]:
        """Every pattern found, overlapping ones too, in the order they end."""
        if self.matcher is None:
            return []
        return self.matcher.find_matches_as_indexes(words, overlapping=True)


def _automaton(entries: dict[str, Any]) -> Automaton:
    """Compile phrase key -> entry. Spaces either side of each key: a phrase matches whole
    words only ("cse" is not in "because")."""
    if not entries:
        return Automaton(None, [])
    matcher = ahocorasick_rs.AhoCorasick(
        [f" {key} " for key in entries],
        implementation=ahocorasick_rs.Implementation.ContiguousNFA)
    return Automaton(matcher, list(entries.values()))


class Automata(NamedTuple):
    """The four automata of a catalogue."""

    cues: Automaton
    """Negation and hypothetical cues: NEGATION or SUPPOSING."""
    plain: Automaton
    """Phrases that are evidence alone: the (indicator, harm type) of each."""
    paired: Automaton
    """Phrases and partner words of `with_any` indicators (`Paired`)."""
    aside: Automaton
    """`not_with` words: the indicators each sets aside in its sentence (a frozenset)."""


def compile_automata(catalogue: Catalogue) -> Automata:
    """Compile every phrase of every indicator, every `not_with` word and every cue."""
    uses = _uses(catalogue)
    cues = {**{phrase_key(cue): NEGATION for cue in catalogue.cues.negation},
            **{phrase_key(cue): SUPPOSING for cue in catalogue.cues.hypothetical}}
    # The forms of one phrase evidence the same indicators: they share one entry rather than
    # each holding its own copy (about 20 MB less with 200,000 phrases).
    shared: dict[Any, Any] = {}
    plain: dict[str, tuple[tuple[str, str], ...]] = {}
    paired: dict[str, Paired] = {}
    for key, found in uses.items():
        alone = tuple((i, h) for i, h, kind in found if kind == PLAIN)
        if alone:
            plain[key] = _held_once(shared, alone)
        halves = tuple(use for use in found if use[2] != PLAIN)
        if halves:
            paired[key] = _held_once(shared, _paired(halves))
    aside = {key: _held_once(shared, ids) for key, ids in _sets_aside(catalogue).items()}
    return Automata(_automaton(cues), _automaton(plain), _automaton(paired), _automaton(aside))


def _uses(catalogue: Catalogue) -> dict[str, list[Use]]:
    """Phrase key -> the indicators it evidences, and how: one entry per indicator, so each
    span is evidence once (a phrase that is also a `with_any` word is BOTH). Built one
    indicator at a time, a list per key: a dictionary per key held 50 MB more while a worker
    started."""
    uses: dict[str, list[Use]] = defaultdict(list)
    for indicator in catalogue.indicators:
        needs = NEEDS_PARTNER if indicator.with_any else PLAIN
        kinds = dict.fromkeys(_keys(catalogue, indicator.phrases), needs)
        for key in _keys(catalogue, indicator.with_any):
            kinds[key] = kinds.get(key, PARTNER) | PARTNER
        for key, kind in kinds.items():
            uses[key].append((indicator.id, indicator.harm_type, kind))
    return uses


def _sets_aside(catalogue: Catalogue) -> dict[str, frozenset[str]]:
    """`not_with` word key -> the indicators it sets aside in its sentence."""
    found: dict[str, set[str]] = defaultdict(set)
    for indicator in catalogue.indicators:
        for key in _keys(catalogue, indicator.not_with):
            found[key].add(indicator.id)
    return {key: frozenset(ids) for key, ids in found.items()}


def _keys(catalogue: Catalogue, phrases: Sequence[str]) -> dict[str, None]:
    """The phrase keys of `phrases` in every word form (`forms_of`), each once, in order."""
    return dict.fromkeys(form for key in map(phrase_key, phrases)
                         for form in forms_of(key, catalogue.word_forms))


def _paired(uses: tuple[Use, ...]) -> Paired:
    needs = frozenset(i for i, _, kind in uses if kind & NEEDS_PARTNER)
    partners = frozenset(i for i, _, kind in uses if kind & PARTNER)
    return Paired(needs, partners, needs | partners, uses)


def _held_once(pool: dict[Any, Any], value: _Held) -> _Held:
    """`value`, or the equal value already in `pool`: equal tuples are held once."""
    return cast(_Held, pool.setdefault(value, value))
