"""The labelled evaluation set: its shape, and that the scanner keeps the issue's goal on it.

The goal (recall >= 0.9 at precision >= 0.8) is asserted on the dev split the catalogue is tuned
on, as a regression guard; the holdout third is only reported (`make eval-harm`).
"""

from __future__ import annotations

from pathlib import Path

from firstcontact.harm import policy
from firstcontact.harm.evaluate import Score, evaluate, read_set, table
from firstcontact.harm.model import HARM_TYPES

SET = Path(__file__).resolve().parents[1] / "data" / "harm_eval.jsonl"


def test_the_set_has_150_narratives_every_type_negatives_and_a_holdout_third() -> None:
    records = read_set(SET)
    assert len(records) >= 150
    assert len({r.id for r in records}) == len(records)
    assert all(r.labels <= set(HARM_TYPES) for r in records)
    for harm in HARM_TYPES:
        assert sum(harm in r.labels for r in records) >= 10
    assert sum(not r.labels for r in records) >= 40
    holdout = sum(r.split == "holdout" for r in records)
    assert abs(holdout - len(records) / 3) <= 1


def test_the_dev_split_meets_the_goal() -> None:
    scores = evaluate(policy.scanner(), [r for r in read_set(SET) if r.split == "dev"])
    total = Score("all", *(sum(getattr(s, f) for s in scores) for f in
                           ("true_positives", "false_positives", "false_negatives")))
    assert total.recall >= 0.9 and total.precision >= 0.8, table("dev", scores)


def test_scores_are_counted_per_type() -> None:
    score = Score("stalking", true_positives=8, false_positives=2, false_negatives=0)
    assert (score.precision, score.recall, round(score.f1, 3)) == (0.8, 1.0, 0.889)
