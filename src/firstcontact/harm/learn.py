"""Rebuilding the learned layer's data file (`learned_words.json`) from the dev sets.

`python -m firstcontact.harm.learn [--out PATH] [set.jsonl ...]` (default: the dev sets,
`evaluate.DEV_SETS`; a path with "holdout" in it is refused: the holdouts are only ever scored).

The method, fixed before it was first run (issue 5, see docs/hidden-harm.md):
- one logistic regression per harm type (scikit-learn, liblinear, L2) over the binary word 1-
  and 2-grams of `scanner.normalise(public_words(text)).words` (a pasted dialogue read on the
  public's words, as the scanner reads it; round 9), an n-gram kept if it is in at least two
  narratives (min_df 2); n-grams made only of English stop words (scikit-learn's list) are
  dropped, unless leave-one-set-out says dropping them costs more than 0.01 mean F1;
- per harm type, C, the class weight and the probability threshold are chosen by
  leave-one-set-out over the dev sets (each set is a different writer): the threshold with
  the best out-of-fold recall at out-of-fold precision >= 0.9 ("p90"; where none reaches 0.9,
  the most precise);
- the final models are trained on all the dev sets; weights too small to change any decision on
  the dev narratives are pruned (the largest of `PRUNE_LEVELS` that changes none).

Deterministic: liblinear with a fixed seed, sets read in order, the file written sorted.
scikit-learn and numpy are development extras, imported only here and only when run.
"""

from __future__ import annotations

import hashlib
import json
import sys
from collections.abc import Callable, Iterable, Mapping, Sequence
from itertools import product
from pathlib import Path
from typing import Any

from firstcontact.harm.dialogue import public_words
from firstcontact.harm.evaluate import DEV_SETS, Labelled, read_set
from firstcontact.harm.learned import LEARNED_FILE, LearnedLayer, grams, parse_learned
from firstcontact.harm.model import HARM_TYPES
from firstcontact.harm.scanner import normalise

CS = (0.03, 0.1, 0.3, 1.0, 3.0, 10.0, 30.0)
CLASS_WEIGHTS = (None, "balanced")
THRESHOLDS = tuple(round(0.05 + 0.01 * i, 2) for i in range(91))
"""Probability thresholds tried, 0.05 to 0.95."""
PRECISION_FLOOR = 0.9
STOP_WORD_COST = 0.01
"""Stop-word n-grams are dropped unless that costs more than this in mean out-of-fold F1."""
PRUNE_LEVELS = (0.1, 0.05, 0.02, 0.01, 0.005, 0.002, 0.001, 0.0)
SEED = 0
DIGITS = 9
"""Weights and intercepts are written rounded to this many decimals (the probability moves by
far less than 1e-6)."""

Params = dict[str, dict[str, Any]]
"""Harm type -> {"C", "class_weight"} (and, after selection, "threshold" and the figures)."""


class HoldoutRefused(ValueError):
    """A holdout was passed to training."""


def _sklearn() -> Any:
    try:
        import numpy
        import sklearn  # noqa: F401
    except ImportError:
        raise SystemExit("firstcontact.harm.learn needs scikit-learn and numpy (the dev extras: "
                         "pip install -e '.[dev]'); the scanner itself does not.") from None
    return numpy


def read_dev(paths: Iterable[Path]) -> list[tuple[int, Labelled]]:
    """(set number, narrative) for every narrative of the sets, in order; a holdout refused."""
    found: list[tuple[int, Labelled]] = []
    for number, path in enumerate(paths):
        if "holdout" in str(path).lower():
            raise HoldoutRefused(f"{path}: a holdout is never used for training")
        found.extend((number, record) for record in read_set(Path(path)))
    return found


def features(text: str, drop_stop_words: bool) -> list[str]:
    """The distinct 1- and 2-grams of the scanner's words, sorted; with `drop_stop_words`,
    none made only of English stop words."""
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    found = grams(normalise(public_words(text)).words)
    if drop_stop_words:
        found = {g for g in found if not all(w in ENGLISH_STOP_WORDS for w in g.split(" "))}
    return sorted(found)


def _vectoriser() -> Any:
    from sklearn.feature_extraction.text import CountVectorizer

    return CountVectorizer(analyzer=lambda doc: doc, binary=True, min_df=2)


def _model(c: float, weight: str | None) -> Any:
    from sklearn.linear_model import LogisticRegression

    return LogisticRegression(C=c, class_weight=weight, max_iter=5000, solver="liblinear",
                              random_state=SEED)


def prf(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    p = tp / (tp + fp) if tp + fp else 1.0
    r = tp / (tp + fn) if tp + fn else 1.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def _counts(said: Any, truth: Any) -> tuple[int, int, int]:
    return int((said & truth).sum()), int((said & ~truth).sum()), int((~said & truth).sum())


def best_threshold(probs: Any, truth: Any) -> tuple[float, float]:
    """(score, threshold): the best recall at precision >= PRECISION_FLOOR (score = recall);
    where no threshold reaches it, the most precise (score = precision - 1)."""
    best = (-2.0, 0.5)
    for t in THRESHOLDS:
        p, r, _ = prf(*_counts(probs >= t, truth))
        score = r if p >= PRECISION_FLOOR else p - 1
        if score > best[0] + 1e-12:
            best = (score, t)
    return best


def choose(docs: Sequence[list[str]], labels: Mapping[str, Any], groups: Any) -> Params:
    """Per harm type, C, class weight and threshold by leave-one-set-out, with the pooled
    out-of-fold precision, recall and F1 at that choice."""
    np = _sklearn()
    oof: dict[tuple[str, float, str | None], Any] = {}
    for fold in np.unique(groups):
        vec = _vectoriser()
        x = vec.fit_transform([d for d, g in zip(docs, groups, strict=True) if g != fold])
        held = vec.transform([d for d, g in zip(docs, groups, strict=True) if g == fold])
        for harm, c, weight in product(HARM_TYPES, CS, CLASS_WEIGHTS):
            fitted = _model(c, weight).fit(x, labels[harm][groups != fold])
            probs = oof.setdefault((harm, c, weight), np.zeros(len(docs)))
            probs[groups == fold] = fitted.predict_proba(held)[:, 1]
    chosen: Params = {}
    for harm in HARM_TYPES:
        options = [(best_threshold(oof[(harm, c, w)], labels[harm]), c, w)
                   for c, w in product(CS, CLASS_WEIGHTS)]
        (_, threshold), c, weight = max(options, key=lambda o: o[0][0])
        p, r, f = prf(*_counts(oof[(harm, c, weight)] >= threshold, labels[harm]))
        chosen[harm] = {"C": c, "class_weight": weight, "threshold": threshold,
                        "oof_precision": round(p, 4), "oof_recall": round(r, 4),
                        "oof_f1": round(f, 4)}
    return chosen


def mean_f1(chosen: Params) -> float:
    return sum(float(v["oof_f1"]) for v in chosen.values()) / len(chosen)


def fit(docs: Sequence[list[str]], labels: Mapping[str, Any], params: Params
        ) -> tuple[dict[str, dict[str, Any]], dict[str, Any]]:
    """The final models on every narrative given: per harm type the intercept and every
    feature's weight (unpruned), and the fitted scikit-learn models (for checks)."""
    vec = _vectoriser()
    x = vec.fit_transform(docs)
    names = vec.get_feature_names_out()
    exported: dict[str, dict[str, Any]] = {}
    fitted: dict[str, Any] = {"vectoriser": vec}
    for harm in HARM_TYPES:
        model = _model(params[harm]["C"], params[harm]["class_weight"]).fit(x, labels[harm])
        fitted[harm] = model
        exported[harm] = {"intercept": float(model.intercept_[0]),
                          "weights": {str(n): float(w)
                                      for n, w in zip(names, model.coef_[0], strict=True)}}
    return exported, fitted


def layer_file(exported: Mapping[str, Mapping[str, Any]], params: Params,
               prune: float) -> dict[str, Any]:
    """The data file's "types": weights rounded to DIGITS decimals, those with |w| < prune
    left out, largest first."""
    types: dict[str, Any] = {}
    for harm in HARM_TYPES:
        kept = [(g, round(w, DIGITS)) for g, w in exported[harm]["weights"].items()
                if abs(w) >= prune and round(w, DIGITS)]
        kept.sort(key=lambda item: (-item[1], item[0]))
        types[harm] = {"threshold": params[harm]["threshold"],
                       "intercept": round(exported[harm]["intercept"], DIGITS),
                       "weights": dict(kept)}
    return types


def decisions(layer: LearnedLayer, texts: Sequence[str]) -> list[tuple[bool, ...]]:
    """Per text, whether each harm type's probability reaches its threshold."""
    return [tuple(p >= layer.models[h].threshold
                  for h, p in layer.probabilities(normalise(public_words(t)).words).items())
                  for t in texts]


def build(paths: Sequence[Path] = DEV_SETS, params: Params | None = None,
          drop_stop_words: bool | None = None, log: Callable[[str], None] = print
          ) -> dict[str, Any]:
    """The data file's contents. With `params` (and `drop_stop_words`) given, selection is
    skipped and only the final models are trained (to check a file is reproduced)."""
    np = _sklearn()
    found = read_dev(paths)
    records = [record for _, record in found]
    groups = np.array([number for number, _ in found])
    labels = {h: np.array([h in r.labels for r in records]) for h in HARM_TYPES}
    selection: dict[str, Any] = {}
    if params is None or drop_stop_words is None:
        by_choice = {}
        for drop in (True, False):
            docs = [features(r.text, drop) for r in records]
            by_choice[drop] = choose(docs, labels, groups)
            log(f"stop-word n-grams {'dropped' if drop else 'kept'}: mean out-of-fold F1 "
                f"{mean_f1(by_choice[drop]):.4f}")
        cost = mean_f1(by_choice[False]) - mean_f1(by_choice[True])
        drop_stop_words = cost <= STOP_WORD_COST
        params = by_choice[drop_stop_words]
        selection = {"mean_oof_f1_stop_words_dropped": round(mean_f1(by_choice[True]), 4),
                     "mean_oof_f1_stop_words_kept": round(mean_f1(by_choice[False]), 4),
                     "per_type_if_kept": by_choice[False]}
    docs = [features(r.text, drop_stop_words) for r in records]
    exported, _ = fit(docs, labels, params)
    texts = [r.text for r in records]
    full = decisions(parse_learned({"types": layer_file(exported, params, 0.0)}), texts)
    prune = next(level for level in PRUNE_LEVELS
                 if decisions(parse_learned({"types": layer_file(exported, params, level)}),
                              texts) == full)
    log(f"pruned below |w| {prune} (no dev decision changes)")
    return {
        "about": "The hidden-harm scanner's learned layer (firstcontact.harm.learned), built "
                 "by `python -m firstcontact.harm.learn` from the dev sets only. Do not edit: "
                 "rebuild.",
        "trained_on": {Path(p).name: hashlib.sha256(Path(p).read_bytes()).hexdigest()
                       for p in paths},
        "narratives": len(records),
        "stop_word_ngrams_dropped": drop_stop_words,
        "pruned_below": prune,
        "selection": {**selection, "chosen": params},
        "types": layer_file(exported, params, prune),
    }


def write(data: Mapping[str, Any], out: Path) -> None:
    out.write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


def main(argv: Sequence[str] = sys.argv[1:]) -> None:
    args = list(argv)
    out = LEARNED_FILE
    if "--out" in args:
        at = args.index("--out")
        out = Path(args[at + 1])
        del args[at:at + 2]
    if any(a.startswith("-") for a in args):
        print(__doc__)
        return
    paths = [Path(a) for a in args] or list(DEV_SETS)
    try:
        data = build(paths)
    except HoldoutRefused as error:
        raise SystemExit(str(error)) from None
    except FileNotFoundError as error:
        raise SystemExit(f"{error.filename}: no such file") from None
    write(data, out)
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
