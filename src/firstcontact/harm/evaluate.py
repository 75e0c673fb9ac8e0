"""Measuring the scanner against a labelled set: precision, recall and F1 per harm type.

`make eval-harm` runs this over the labelled sets in tests/data (`SETS`). Each line is
`{"id", "split", "labels": [harm types], "text"}`. The catalogue is tuned on `split: dev`
only. The holdouts (tests/data/harm_holdout_15a.jsonl and 15b) were written by two writers who
never saw the catalogue or the other sets, and are never shown for tuning: their figures say
how well the catalogue generalises to words its authors did not write. Each is reported alone
and both together. Earlier holdouts, once worn by scoring, were retired into dev and are marked
`"retired"`: holdout 1 (in harm_eval.jsonl), holdouts 2 and 3 (now harm_dev_i and harm_dev_j),
holdouts 4 to 14 (now harm_dev_k to harm_dev_z and harm_dev_aa to harm_dev_af). A harm type
counts as predicted when the scanner puts it at possible or likely.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from firstcontact.harm.model import HARM_TYPES
from firstcontact.harm.scanner import Scanner

DATA = Path(__file__).resolve().parents[3] / "tests" / "data"
SETS = tuple(DATA / f"harm_{name}.jsonl" for name in (
    "eval", "dev_a", "dev_b", "dev_c", "dev_d", "dev_e", "dev_f", "dev_g", "dev_h", "dev_i",
    "dev_j", "dev_k", "dev_l", "dev_m", "dev_n", "dev_o", "dev_p", "dev_q", "dev_r",
    "dev_s", "dev_t", "dev_u", "dev_v", "dev_w", "dev_x", "dev_y", "dev_z", "dev_aa", "dev_ab",
    "dev_ac", "dev_ad", "dev_ae", "dev_af", "holdout_15a", "holdout_15b"))
"""Every labelled set: the dev sets (tuning), then the independent holdouts (`HOLDOUTS`)."""
HOLDOUTS = 2
"""How many of `SETS`, at the end, are independent holdouts."""
DEV_SETS = SETS[:-HOLDOUTS]
"""The sets the lists are tuned on and the learned layer is trained on."""


@dataclass(frozen=True)
class Labelled:
    id: str
    split: str
    labels: frozenset[str]
    text: str


@dataclass(frozen=True)
class Score:
    harm_type: str
    true_positives: int
    false_positives: int
    false_negatives: int

    @property
    def precision(self) -> float:
        found = self.true_positives + self.false_positives
        return self.true_positives / found if found else 1.0

    @property
    def recall(self) -> float:
        wanted = self.true_positives + self.false_negatives
        return self.true_positives / wanted if wanted else 1.0

    @property
    def f1(self) -> float:
        total = self.precision + self.recall
        return 2 * self.precision * self.recall / total if total else 0.0


def read_sets(paths: Iterable[Path]) -> list[Labelled]:
    return [record for path in paths for record in read_set(path)]


def read_set(path: Path) -> list[Labelled]:
    records = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            raw = json.loads(line)
            records.append(Labelled(str(raw["id"]), str(raw.get("split", "dev")),
                                    frozenset(raw["labels"]), str(raw["text"])))
    return records


def evaluate(scanner: Scanner, records: Iterable[Labelled]) -> list[Score]:
    counts = {harm: [0, 0, 0] for harm in HARM_TYPES}
    for record in records:
        predicted = {finding.harm_type for finding in scanner.scan(record.text)}
        for harm in HARM_TYPES:
            said, truth = harm in predicted, harm in record.labels
            if said or truth:
                counts[harm][0 if said and truth else 1 if said else 2] += 1
    return [Score(harm, *counts[harm]) for harm in HARM_TYPES]


def table(title: str, scores: Sequence[Score]) -> str:
    header = f"{'harm type':<24}{'prec':>6}{'recall':>8}{'F1':>6}{'tp':>5}{'fp':>4}{'fn':>4}"
    lines = [title, header]
    for s in scores:
        lines.append(f"{s.harm_type:<24}{s.precision:>6.2f}{s.recall:>8.2f}{s.f1:>6.2f}"
                     f"{s.true_positives:>5}{s.false_positives:>4}{s.false_negatives:>4}")
    total = Score("all (micro)", *(sum(getattr(s, f) for s in scores) for f in
                                  ("true_positives", "false_positives", "false_negatives")))
    lines.append(f"{total.harm_type:<24}{total.precision:>6.2f}{total.recall:>8.2f}"
                 f"{total.f1:>6.2f}{total.true_positives:>5}{total.false_positives:>4}"
                 f"{total.false_negatives:>4}")
    return "\n".join(lines)


def misses(scanner: Scanner, records: Iterable[Labelled]) -> list[str]:
    """What tuning looks at: each narrative the scanner got wrong, with what it missed (-)
    and what it raised wrongly (+), one line each. Only ever shown for the dev split (see
    `main`)."""
    lines = []
    for record in records:
        predicted = {finding.harm_type for finding in scanner.scan(record.text)}
        wrong = sorted(f"-{h}" for h in record.labels - predicted)
        wrong += sorted(f"+{h}" for h in predicted - record.labels)
        if wrong:
            lines.append(f"{record.id} {' '.join(wrong)}: {' '.join(record.text.split())}")
    return lines


def main(argv: Sequence[str] = sys.argv[1:]) -> None:
    """`python -m firstcontact.harm.evaluate [set.jsonl ...] [--misses [harm type]]
    [--lists-only]`: the tables per split; with --misses, the dev narratives it got wrong,
    optionally only those missing or wrongly raising one harm type (never the holdout's: they
    stay unseen); with --lists-only, the lists without the learned layer."""
    from firstcontact.harm import policy

    if "--help" in argv or "-h" in argv:
        print(main.__doc__)
        return
    options = [arg for arg in argv if arg.startswith("--") or arg in HARM_TYPES]
    sets = {path: read_set(path) for path in [Path(arg) for arg in argv if arg not in options]
            or SETS}
    records = [record for chosen in sets.values() for record in chosen]
    scanner = policy.scanner()
    if "--lists-only" in options:
        scanner = replace(scanner, learned=None)
    if "--misses" in options:
        wanted = [arg for arg in options if arg in HARM_TYPES]
        lines = misses(scanner, [r for r in records if r.split == "dev"])
        print("\n".join(line for line in lines
                        if not wanted or any(f"{h}" in line.split(":")[0] for h in wanted)))
        return
    for split in ("dev", "holdout"):
        chosen = [r for r in records if r.split == split]
        if not chosen:
            continue
        print(table(f"\n{split}: {len(chosen)} narratives", evaluate(scanner, chosen)))
    holdouts = {path: [r for r in chosen if r.split == "holdout"] for path, chosen in sets.items()}
    holdouts = {path: chosen for path, chosen in holdouts.items() if chosen}
    for path, chosen in holdouts.items() if len(holdouts) > 1 else ():
        print(table(f"\nholdout {path.name}: {len(chosen)} narratives",
                    evaluate(scanner, chosen)))


if __name__ == "__main__":
    main()
