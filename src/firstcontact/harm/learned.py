"""A learned layer behind the hidden-harm lists, gated: it may lift a harm type the lists found
some evidence of from below `possible` to `possible`, and raise one they found nothing of to
`possible` only at even odds or more.

One logistic regression per harm type over the words the scanner reads (`normalise(text)
.words`): the probability is sigmoid(intercept + the weights of the distinct 1- and 2-grams
in the text). The weights are trained from the dev sets by `learn.py` and kept in a data file
(`learned_words.json`), read and checked here at start-up. The layer never lowers a level and
never raises one to `likely`. A lifted type keeps the lists' evidence and score and adds, as
evidence `learned.<type>`, the three n-grams in the text that pushed hardest towards it; a type
the lists found nothing of is raised with those words as its only evidence and a score of 0
(the score is the lists'), so staff see that the model alone is speaking, and why.

Pure Python: no scikit-learn or numpy at run time.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping, Set
from dataclasses import dataclass, field, replace
from itertools import pairwise, repeat
from pathlib import Path
from typing import TYPE_CHECKING, Any

from firstcontact.harm.model import HARM_TYPES, Evidence, Finding, Level
from firstcontact.platform.policyfile import fail

if TYPE_CHECKING:
    from firstcontact.harm.scanner import Normalised

LEARNED_FILE = Path(__file__).resolve().parent / "learned_words.json"
EVIDENCE_SHOWN = 3
"""How many of the n-grams behind a lift are shown as its evidence."""
_GRAM = re.compile(r"[a-z0-9]+(?: [a-z0-9]+)?")
_FUNCTION_WORDS = """
a about after again all also am an and any are as at be been before being both but by can
could did do does doing down during each even few for from further had has have having he her
here hers herself hes him himself his how i id if im in into is it its itself ive just last
me more most my myself no nor not now of off on once only or other our ours out over own same
says saying said she shes should so some such than that thats the their theirs them then there
these they theyre this those through to too under until up very was we were what when where
which while who whom why will with would you your yours youre theres theyve weve youve
theyll whats dont didnt doesnt cant isnt wasnt arent
"""
NOT_SHOWN = frozenset(_FUNCTION_WORDS.split())
"""Words that explain nothing on their own ("he", "in a", "now"). The model may lean on them
(they are how people write), but the evidence shown to staff prefers the words and pairs with
something else in them; a lift whose words are all of these still shows them."""
EVEN_ODDS = 0.5
"""A harm type the lists found nothing of is raised only at this probability or more, and at
least its own threshold. Where neither the lists nor the layer had read the words, this kept
precision where it was and found 0.06 more of the harms (docs/hidden-harm.md, round 5)."""
INDICATOR_PREFIX = "learned."
"""A lifted type's added evidence is under the indicator id `learned.<harm type>`."""

__all__ = ["LEARNED_FILE", "LearnedLayer", "TypeModel", "grams", "load_learned", "parse_learned"]


def grams(words: str) -> set[str]:
    """The distinct 1-grams and 2-grams of normalised words (" word word ... ")."""
    split = words.split()
    return {*split, *map(" ".join, pairwise(split))}


@dataclass(frozen=True)
class TypeModel:
    """One harm type's model: P = sigmoid(intercept + sum of the weights of the n-grams
    present); the layer lifts at P >= threshold."""

    intercept: float
    threshold: float
    weights: Mapping[str, float]

    def probability(self, present: set[str]) -> float:
        return _sigmoid(self.intercept + sum(filter(None, map(self.weights.get, present))))

    def top(self, present: set[str], count: int = EVIDENCE_SHOWN) -> list[str]:
        """The n-grams present with the largest positive weights, largest first (ties by the
        n-gram, so the choice is stable), those that say something (`NOT_SHOWN`) first."""
        found = sorted((-self.weights[g], g) for g in present if self.weights.get(g, 0.0) > 0)
        telling = [g for _, g in found if not NOT_SHOWN.issuperset(g.split())]
        return (telling or [g for _, g in found])[:count]


@dataclass(frozen=True)
class LearnedLayer:
    """The models of the harm types the data file covers (a type it leaves out is never
    lifted)."""

    models: Mapping[str, TypeModel]
    _table: dict[str, tuple[float, ...]] = field(init=False, repr=False, compare=False)
    """N-gram -> its weight for each type, in the order of `models` (0 where a type does not
    weigh it): every type's sum is then one column sum, at C speed (`_odds`). Built with the
    layer, at start-up (about 50 ms), not by the first contact that needs it."""

    def __post_init__(self) -> None:
        weighed = set().union(*[model.weights for model in self.models.values()])
        object.__setattr__(self, "_table", {
            gram: tuple(model.weights.get(gram, 0.0) for model in self.models.values())
            for gram in weighed})

    def probabilities(self, words: str) -> dict[str, float]:
        """Every covered type's probability for normalised words."""
        return self._odds(grams(words), self.models.keys())

    def _odds(self, present: set[str], wanted: Set[str]) -> dict[str, float]:
        """The probabilities of the types `wanted` (or more), summing the n-grams present in
        the same order as `TypeModel.probability`, so to the same last bit. A few types are
        summed one by one; more, all at once by columns of `_table` (a long contact is heard
        of most types and wants few; a short one wants most)."""
        if len(wanted) * 3 <= len(self.models):
            return {harm: self.models[harm].probability(present) for harm in wanted}
        rows = list(filter(None, map(self._table.get, present)))
        sums = map(sum, zip(*rows, strict=True)) if rows else repeat(0)
        return {harm: _sigmoid(model.intercept + total)
                for (harm, model), total in zip(self.models.items(), sums, strict=False)}

    def lift(self, norm: Normalised, findings: list[Finding], actions: Mapping[str, str],
             set_aside: Set[str] = frozenset()) -> list[Finding]:
        """The findings with each gated type lifted, then the types the lists found nothing of
        raised (`_raised`). A gated type (evidence from the lists, but below `possible`) whose
        probability reaches its threshold becomes `possible` with the evidence of its top
        n-grams added; nothing else about it changes (the score stays the lists' score). A type
        whose evidence the lists set aside (`set_aside`: said with a denial, a hypothetical or
        a `not_with` word) is not raised: the layer reads words without their order and must
        not overrule "he has never hit me". The order of the list is kept, raised types last."""
        heard = {f.harm_type for f in findings}.union(set_aside)
        gated = {f.harm_type for f in findings if f.level is Level.NONE}
        wanted = {harm for harm in self.models if harm in gated or harm not in heard}
        if not wanted:  # every type already at possible or more, or set aside
            return findings
        present = grams(norm.words)
        odds = self._odds(present, wanted)
        lifted = list(findings)
        for index, finding in enumerate(findings):
            model = self.models.get(finding.harm_type)
            if finding.level is not Level.NONE or model is None:
                continue
            if odds[finding.harm_type] < model.threshold:
                continue
            evidence = sorted((*finding.evidence, *self._words(norm, finding.harm_type, present)),
                              key=lambda e: (e.start, e.indicator, e.end))
            lifted[index] = replace(finding, level=Level.POSSIBLE, evidence=tuple(evidence))
        return lifted + self._raised(norm, heard, present, odds, actions)

    def _raised(self, norm: Normalised, heard: set[str], present: set[str],
                odds: Mapping[str, float], actions: Mapping[str, str]) -> list[Finding]:
        """The types the lists found nothing of that the model gives at least even odds and at
        least their threshold (`EVEN_ODDS`): `possible`, score 0, the words as evidence."""
        return [Finding(harm, Level.POSSIBLE, 0.0, tuple(self._words(norm, harm, present)),
                        actions.get(harm, ""))
                for harm, model in self.models.items()
                if harm not in heard and odds[harm] >= max(EVEN_ODDS, model.threshold)]

    def _words(self, norm: Normalised, harm_type: str, present: set[str]) -> list[Evidence]:
        """The n-grams that pushed hardest towards a type, as evidence in text order."""
        found = [_evidence(norm, INDICATOR_PREFIX + harm_type, gram)
                 for gram in self.models[harm_type].top(present)]
        return sorted(found, key=lambda e: (e.start, e.end))


def _sigmoid(z: float) -> float:
    return 1.0 / (1.0 + math.exp(-z)) if z >= 0 else math.exp(z) / (1.0 + math.exp(z))


def _evidence(norm: Normalised, indicator: str, gram: str) -> Evidence:
    """The n-gram's first occurrence, as its exact span in the text as written."""
    start = norm.words.index(f" {gram} ") + 1
    first, last = norm.to_text(start), norm.to_text(start + len(gram))
    return Evidence(indicator, first, last, norm.text[first:last])


def load_learned(path: Path = LEARNED_FILE) -> LearnedLayer:
    """The layer in a data file, checked; a mistake raises `PolicyError` (platform.policyfile)
    naming the file and the field."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as error:
        raise fail(path, error.lineno, "", f"not JSON: {error.msg}") from None
    return parse_learned(data, path)


def _number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def parse_learned(data: Any, path: Path = LEARNED_FILE) -> LearnedLayer:
    """The layer from the parsed file: `{"types": {harm type: {"intercept", "threshold",
    "weights": {n-gram: weight}}}}` (other keys describe how it was made and are not read)."""
    types = data.get("types") if isinstance(data, dict) else None
    if not isinstance(types, dict) or not types:
        raise fail(path, 0, "types", "must be an object of harm type -> model")
    models: dict[str, TypeModel] = {}
    for harm, entry in types.items():
        if harm not in HARM_TYPES:
            raise fail(path, 0, f"types.{harm}",
                       f"unknown harm type {harm!r}; known: {sorted(HARM_TYPES)}")
        if not isinstance(entry, dict):
            raise fail(path, 0, f"types.{harm}", "must be an object")
        for key in ("intercept", "threshold", "weights"):
            if key not in entry:
                raise fail(path, 0, f"types.{harm}.{key}", "missing")
        intercept, threshold, weights = entry["intercept"], entry["threshold"], entry["weights"]
        if not _number(intercept):
            raise fail(path, 0, f"types.{harm}.intercept", "must be a number")
        if not _number(threshold) or not 0 < threshold < 1:
            raise fail(path, 0, f"types.{harm}.threshold", "must be a probability above 0 "
                       "and below 1")
        if not isinstance(weights, dict):
            raise fail(path, 0, f"types.{harm}.weights", "must be an object of n-gram -> "
                       "weight")
        for gram, weight in weights.items():
            if not _number(weight):
                raise fail(path, 0, f"types.{harm}.weights.{gram}",
                           f"must be a number, not {weight!r}")
            if not isinstance(gram, str) or not _GRAM.fullmatch(gram):
                raise fail(path, 0, f"types.{harm}.weights.{gram}", "must be one or two "
                           "normalised words (lower case letters and digits, one space)")
        models[harm] = TypeModel(float(intercept), float(threshold),
                                 {g: float(w) for g, w in weights.items()})
    return LearnedLayer(models)

