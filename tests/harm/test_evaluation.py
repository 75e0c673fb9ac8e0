"""The labelled sets: their shape, the independence of the holdout, and a guard on the dev split.

The catalogue is tuned on the dev split only. The holdouts (tests/data/harm_holdout_15a.jsonl and
harm_holdout_15b.jsonl) were each written by someone who never saw the catalogue, the dev
narratives or the other holdout; they are only reported
(`make eval-harm`), and the misses listed for tuning never include it. The dev figures are
guarded against falling below what was last reached (`DEV_FLOOR`), so a change to the
catalogue that loses what it found before fails here.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from firstcontact.harm import policy
from firstcontact.harm.evaluate import (
    HOLDOUTS,
    SETS,
    Score,
    evaluate,
    main,
    read_set,
    read_sets,
    table,
)
from firstcontact.harm.model import HARM_TYPES

DATA = Path(__file__).resolve().parents[1] / "data"
PATHS = [DATA / path.name for path in SETS]
HOLDOUT_FILES = [DATA / "harm_holdout_15a.jsonl", DATA / "harm_holdout_15b.jsonl"]
DEV_FLOOR = {"precision": 0.87, "recall": 0.96}
"""Per harm type on the dev split: what tuning reached, rounded down (see docs/hidden-harm.md).
Round 12's lists, tuned on the misses of the dev sets up to ad, and round 13's layer, trained
on all of them (up to af), so these guard against losing what was found, not how well unseen
words are read (the holdout says that)."""


def test_every_set_is_named_and_each_holdout_is_its_own_file() -> None:
    assert PATHS[-HOLDOUTS:] == HOLDOUT_FILES
    records = read_sets(PATHS)
    assert len({r.id for r in records}) == len(records), "ids are unique across the sets"
    assert len({r.text for r in records}) == len(records), "no narrative is in two sets"
    assert all(r.labels <= set(HARM_TYPES) for r in records)
    assert {r.split for r in read_sets(PATHS[:-HOLDOUTS])} == {"dev"}
    for holdout in HOLDOUT_FILES:
        assert {r.split for r in read_set(holdout)} == {"holdout"}


def test_each_split_has_every_harm_type_and_tempting_negatives() -> None:
    records = read_sets(PATHS)
    for split, least_per_type, least_negatives in (("dev", 60, 150), ("holdout", 35, 100)):
        chosen = [r for r in records if r.split == split]
        for harm in HARM_TYPES:
            assert sum(harm in r.labels for r in chosen) >= least_per_type, (split, harm)
        assert sum(not r.labels for r in chosen) >= least_negatives, split


def test_the_dev_split_stays_at_its_floor_for_every_harm_type() -> None:
    scores = evaluate(policy.scanner(), [r for r in read_sets(PATHS) if r.split == "dev"])
    assert all(s.recall >= DEV_FLOOR["recall"] and s.precision >= DEV_FLOOR["precision"]
               for s in scores), table("dev", scores)


def test_the_misses_shown_for_tuning_are_dev_narratives_only(
        capsys: pytest.CaptureFixture[str]) -> None:
    main([*map(str, PATHS), "--misses"])
    shown = {line.split(" ")[0] for line in capsys.readouterr().out.splitlines() if line}
    splits = {r.id: r.split for r in read_sets(PATHS)}
    assert shown and {splits[identifier] for identifier in shown} == {"dev"}


def test_the_misses_can_be_narrowed_to_one_harm_type(
        capsys: pytest.CaptureFixture[str]) -> None:
    main([*map(str, PATHS), "--misses", "stalking"])
    lines = [line for line in capsys.readouterr().out.splitlines() if line]
    assert all("stalking" in line.split(":")[0] for line in lines)


def test_scores_are_counted_per_type() -> None:
    score = Score("stalking", true_positives=8, false_positives=2, false_negatives=0)
    assert (score.precision, score.recall, round(score.f1, 3)) == (0.8, 1.0, 0.889)


def test_help_prints_the_usage_and_scores_nothing(capsys: pytest.CaptureFixture[str]) -> None:
    """Asking how to use it must not print the holdout's table (it would be seen)."""
    main(["--help"])
    out = capsys.readouterr().out
    assert "--misses" in out and "holdout:" not in out
