"""The labelled evaluation set: its shape, and that the scanner keeps the issue's goal on it.

The goal (recall >= 0.9 at precision >= 0.8) is asserted on the dev split the catalogue is tuned
on, as a regression guard; the holdout (at least a third) is only reported (`make eval-harm`),
and the misses listed for tuning never include it.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from firstcontact.harm import policy
from firstcontact.harm.evaluate import Score, evaluate, main, read_set, table
from firstcontact.harm.model import HARM_TYPES

SET = Path(__file__).resolve().parents[1] / "data" / "harm_eval.jsonl"


def test_the_set_has_every_type_negatives_and_a_holdout_of_at_least_a_third() -> None:
    records = read_set(SET)
    assert len(records) >= 300
    assert len({r.id for r in records}) == len(records)
    assert all(r.labels <= set(HARM_TYPES) for r in records)
    holdout = [r for r in records if r.split == "holdout"]
    for harm in HARM_TYPES:
        assert sum(harm in r.labels for r in records) >= 20
        assert sum(harm in r.labels for r in holdout) >= 10, harm
    assert sum(not r.labels for r in records) >= 70
    assert len(records) / 3 - 1 <= len(holdout) <= len(records) / 2


def test_the_dev_split_meets_the_goal_for_every_harm_type() -> None:
    scores = evaluate(policy.scanner(), [r for r in read_set(SET) if r.split == "dev"])
    assert all(s.recall >= 0.9 and s.precision >= 0.8 for s in scores), table("dev", scores)


def test_the_misses_shown_for_tuning_are_dev_narratives_only(
        capsys: pytest.CaptureFixture[str]) -> None:
    main([str(SET), "--misses"])
    shown = {line.split(" ")[0] for line in capsys.readouterr().out.splitlines() if line}
    splits = {r.id: r.split for r in read_set(SET)}
    assert shown and {splits[identifier] for identifier in shown} == {"dev"}


def test_scores_are_counted_per_type() -> None:
    score = Score("stalking", true_positives=8, false_positives=2, false_negatives=0)
    assert (score.precision, score.recall, round(score.f1, 3)) == (0.8, 1.0, 0.889)
