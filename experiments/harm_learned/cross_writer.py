"""Does a small learned model, added to the lists, generalise to an unseen writer's words?

Trains one-vs-rest logistic regression per harm type on harm_eval + dev_a + dev_b only
(binary word 1-2 grams of the scanner's words), chooses denial marking, C, class weights and
each type's threshold by leave-one-set-out over those three sets (three writers), then scores
dev sets c and d (two writers neither the lists of round 1 nor the model ever saw): the
round-1 lists alone, the model alone, the union, and the "gated" union (the model lifts a type
only where the lists found some evidence of it). Never reads the holdout.

`python cross_writer.py round1.jsonl [f1|p90] [--describe]`: f1 chooses each threshold for the
best out-of-fold F1; p90 for the best out-of-fold recall at precision 0.9. --describe adds
figures that look at c and d (a threshold sweep, a bootstrap): for the write-up only, never
for choosing.
"""

from __future__ import annotations

import json
import sys
import warnings
from collections.abc import Callable
from itertools import product
from pathlib import Path

import numpy as np
from sklearn.feature_extraction.text import CountVectorizer
from sklearn.linear_model import LogisticRegression
from tokens import grams, tokens

from firstcontact.harm.model import HARM_TYPES

DATA = Path(__file__).resolve().parents[2] / "tests" / "data"
TRAIN = ("harm_eval", "harm_dev_a", "harm_dev_b")
TEST = ("harm_dev_c", "harm_dev_d")
CS = (0.03, 0.1, 0.3, 1.0, 3.0, 10.0, 30.0)
CLASS_WEIGHTS = (None, "balanced")
THRESHOLDS = np.arange(0.05, 0.96, 0.01)
Rule = Callable[[int, str], bool]


def read(name: str) -> list[dict[str, object]]:
    assert "holdout" not in name
    path = DATA / f"{name}.jsonl"
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()
            if line.strip()]


def prf(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    p = tp / (tp + fp) if tp + fp else 1.0
    r = tp / (tp + fn) if tp + fn else 1.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def counts(pred: np.ndarray, y: np.ndarray) -> tuple[int, int, int]:
    return int((pred & y).sum()), int((pred & ~y).sum()), int((~pred & y).sum())


def best_threshold(probs: np.ndarray, y: np.ndarray, objective: str) -> tuple[float, float]:
    best = (-2.0, 0.5)
    for t in THRESHOLDS:
        p, r, f = prf(*counts(probs >= t, y))
        score = f if objective == "f1" else (r if p >= 0.9 else p - 1)
        if score > best[0] + 1e-12:
            best = (score, float(t))
    return best


def model(c: float, weight: str | None) -> LogisticRegression:
    return LogisticRegression(C=c, class_weight=weight, max_iter=5000, solver="liblinear")


def vectoriser() -> CountVectorizer:
    return CountVectorizer(analyzer=lambda doc: doc, binary=True, min_df=2)


def choose(train: list[dict[str, object]], groups: np.ndarray, negation: bool,
           objective: str) -> dict[str, tuple[float, str | None, float, float]]:
    """Per harm type (C, class weight, threshold, out-of-fold score), leave-one-set-out."""
    docs = [grams([t.word for t in tokens(str(r["text"]), negation)]) for r in train]
    labels = {h: np.array([h in r["labels"] for r in train]) for h in HARM_TYPES}  # type: ignore[operator]
    oof: dict[tuple[str, float, str | None], np.ndarray] = {}
    for fold in np.unique(groups):
        vec = vectoriser()
        x = vec.fit_transform([d for d, g in zip(docs, groups, strict=True) if g != fold])
        held = vec.transform([d for d, g in zip(docs, groups, strict=True) if g == fold])
        for harm, c, weight in product(HARM_TYPES, CS, CLASS_WEIGHTS):
            fitted = model(c, weight).fit(x, labels[harm][groups != fold])
            probs = oof.setdefault((harm, c, weight), np.zeros(len(train)))
            probs[groups == fold] = fitted.predict_proba(held)[:, 1]
    chosen = {}
    for harm in HARM_TYPES:
        options = [(best_threshold(oof[(harm, c, w)], labels[harm], objective), c, w)
                   for c, w in product(CS, CLASS_WEIGHTS)]
        (score, threshold), c, weight = max(options, key=lambda o: o[0][0])
        chosen[harm] = (c, weight, threshold, score)
    return chosen


def table(test: list[dict[str, object]], rules: dict[str, Rule]) -> str:
    lines = [f"{'harm type':24}" + "".join(f"{n:>26}" for n in rules)]
    totals = {n: [0, 0, 0] for n in rules}
    for harm in [*HARM_TYPES, "all (micro)"]:
        row = f"{harm:24}"
        for name, rule in rules.items():
            if harm in HARM_TYPES:
                said = np.array([rule(i, harm) for i in range(len(test))])
                truth = np.array([harm in r["labels"] for r in test])  # type: ignore[operator]
                cell = counts(said, truth)
                totals[name] = [a + b for a, b in zip(totals[name], cell, strict=True)]
            else:
                cell = tuple(totals[name])  # type: ignore[assignment]
            p, r, f = prf(*cell)
            row += f"  {p:.2f}/{r:.2f}/{f:.2f} {cell[0]:>3}/{cell[1]:>3}/{cell[2]:>3}"
        lines.append(row)
    return "\n".join(lines)


def main(argv: list[str]) -> None:
    warnings.filterwarnings("ignore")
    round1, objective = Path(argv[0]), (argv[1] if len(argv) > 1 else "f1")
    sets = {name: read(name) for name in TRAIN + TEST}
    train = [r for n in TRAIN for r in sets[n]]
    test = [r for n in TEST for r in sets[n]]
    groups = np.array([i for i, n in enumerate(TRAIN) for _ in sets[n]])
    results = {}
    for negation in (False, True):
        chosen = choose(train, groups, negation, objective)
        results[negation] = (float(np.mean([c[3] for c in chosen.values()])), chosen)
        print(f"denial marked={negation}: mean out-of-fold {objective} {results[negation][0]:.3f}")
        for harm, (c, weight, threshold, score) in chosen.items():
            print(f"  {harm:24} C={c:<5} weight={weight!s:9} t={threshold:.2f} oof={score:.3f}")
    negation = max(results, key=lambda k: results[k][0])
    chosen = results[negation][1]
    print(f"chosen (on eval/a/b only): denial marked={negation}")

    vec = vectoriser()
    x = vec.fit_transform([grams([t.word for t in tokens(str(r["text"]), negation)])
                           for r in train])
    xt = vec.transform([grams([t.word for t in tokens(str(r["text"]), negation)])
                        for r in test])
    probs, thresholds = {}, {}
    for harm, (c, weight, threshold, _) in chosen.items():
        y = np.array([harm in r["labels"] for r in train])  # type: ignore[operator]
        probs[harm] = model(c, weight).fit(x, y).predict_proba(xt)[:, 1]
        thresholds[harm] = threshold
    verdicts = [json.loads(line) for line in round1.read_text(encoding="utf-8").splitlines()]
    assert [v["id"] for v in verdicts] == [r["id"] for r in test]
    raised = [set(v["raised"]) for v in verdicts]
    evidence = [set(v["any_evidence"]) for v in verdicts]

    def rules(shift: float = 0.0) -> dict[str, Rule]:
        said = {h: probs[h] >= min(thresholds[h] + shift, 0.99) for h in HARM_TYPES}
        return {"lists (round 1)": lambda i, h: h in raised[i],
                "model": lambda i, h: bool(said[h][i]),
                "union": lambda i, h: h in raised[i] or bool(said[h][i]),
                "gated union": lambda i, h: h in raised[i] or (bool(said[h][i])
                                                               and h in evidence[i])}

    print(f"\nsets c+d ({len(test)} narratives): P/R/F1 tp/fp/fn")
    print(table(test, rules()))
    if "--describe" in argv:
        describe(test, rules)


def describe(test: list[dict[str, object]], rules: Callable[[float], dict[str, Rule]]) -> None:
    """Looks at c and d: how precision and recall trade as every threshold moves together,
    and how far the micro figures move by chance (bootstrap over narratives)."""
    truth = np.array([[h in r["labels"] for h in HARM_TYPES] for r in test])  # type: ignore[operator]

    def grid(rule: Rule) -> np.ndarray:
        return np.array([[rule(i, h) for h in HARM_TYPES] for i in range(len(test))])

    print("\nshift   union P/R     gated P/R   (descriptive: looks at c+d)")
    for shift in (-0.1, -0.05, 0.0, 0.05, 0.1, 0.15, 0.2, 0.3):
        found = rules(shift)
        u, g = (prf(*counts(grid(found[n]), truth)) for n in ("union", "gated union"))
        print(f"{shift:+.2f}   {u[0]:.3f}/{u[1]:.3f}   {g[0]:.3f}/{g[1]:.3f}")
    rng = np.random.default_rng(0)
    found = rules(0.0)
    lists = grid(found["lists (round 1)"])
    for name in ("union", "gated union"):
        said = grid(found[name])
        rows = []
        for _ in range(2000):
            pick = rng.integers(0, len(test), len(test))
            p, r, _ = prf(*counts(said[pick], truth[pick]))
            rows.append((p, r - prf(*counts(lists[pick], truth[pick]))[1]))
        a = np.array(rows)
        print(f"{name}: precision 90% interval {np.percentile(a[:, 0], 5):.3f}-"
              f"{np.percentile(a[:, 0], 95):.3f}, recall gain {np.percentile(a[:, 1], 5):.3f}-"
              f"{np.percentile(a[:, 1], 95):.3f}, share with precision >= 0.80 "
              f"{np.mean(a[:, 0] >= 0.8):.2f}")


if __name__ == "__main__":
    main(sys.argv[1:])
