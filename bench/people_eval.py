"""`make eval-people`: pairwise precision, recall and F1 of `firstcontact people link` on the
four FEBRL data sets (goal from the issue: F1 >= 0.95 without the social-security column)."""

from __future__ import annotations

import sys
import tempfile
from dataclasses import asdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from tests.people.febrl import evaluate  # noqa: E402

GOAL_F1 = 0.95


def main() -> None:
    print(f"{'data set':<9} {'records':>7} {'true':>6} {'found':>6} "
          f"{'precision':>9} {'recall':>7} {'F1':>7}")
    with tempfile.TemporaryDirectory(prefix="fc-febrl-") as folder:
        for number in (1, 2, 3, 4):
            figures = asdict(evaluate(number, Path(folder)))
            print(f"FEBRL{number:<4} {figures['records']:>7} {figures['true_pairs']:>6} "
                  f"{figures['found_pairs']:>6} {figures['precision']:>9.4f} "
                  f"{figures['recall']:>7.4f} {figures['f1']:>7.4f}", flush=True)
    print(f"goal: F1 >= {GOAL_F1} (pairwise, soc_sec_id not used)")


if __name__ == "__main__":
    main()
