"""Runs every benchmark, writes bench/results/latest.json and prints one table.

Figures are printed for people to read and compare over time; nothing here is asserted. Set
BENCH_RATE, BENCH_SECONDS or BENCH_RUNS to shorten or stretch a run.
"""

from __future__ import annotations

import json
import os
import platform
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import harm_scan  # noqa: E402
import intake  # noqa: E402
import people_match  # noqa: E402

RESULTS = HERE / "results" / "latest.json"
GOALS = {"intake": 500.0, "ratio": 0.5}
"""From the foundation issue: >= 500 contacts/s and a ratio >= 0.5 on a 2-core machine."""


def table(figures: dict[str, Any]) -> str:
    rows = [("route", "offered/s", "achieved/s", "ok", "errors", "dropped", "p50 ms", "p99 ms")]
    for name in ("intake", "bare"):
        phase = figures[name]
        rows.append((name, f"{phase['offered_per_s']:.0f}", f"{phase['achieved_per_s']:.1f}",
                     str(phase["ok"]), str(phase["errors"]), str(phase["dropped"]),
                     f"{phase['p50_ms']:.1f}",
                     f"{phase['p99_ms']:.1f}"))
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(cell.rjust(width) for cell, width in zip(row, widths, strict=True))
             for row in rows]
    ratio = figures["ratio"]
    lines.append(f"intake/bare throughput ratio: {ratio:.3f} (goal >= {GOALS['ratio']}); "
                 f"intake goal >= {GOALS['intake']:.0f}/s; medians of {figures['runs']} runs "
                 f"of {figures['seconds']:g} s")
    return "\n".join(lines)


def main() -> None:
    rate = float(os.environ.get("BENCH_RATE", "600"))
    seconds = float(os.environ.get("BENCH_SECONDS", "20"))
    runs = int(os.environ.get("BENCH_RUNS", "3"))
    print(f"intake: {rate:g} req/s for {seconds:g} s, {runs} runs ...", flush=True)
    figures = intake.run(rate, seconds, runs)
    print("harm scan: scanner and naive per-phrase loop over the evaluation narratives ...",
          flush=True)
    harm = harm_scan.run()
    people = int(os.environ.get("BENCH_PEOPLE", "1000000"))
    print(f"people matching: {people:,} People ...", flush=True)
    matching = people_match.run(people)
    RESULTS.parent.mkdir(exist_ok=True)
    record = {"at": datetime.now(UTC).isoformat(), "python": platform.python_version(),
              "cpus": os.cpu_count(), "intake": figures, "harm_scan": harm,
              "people_match": matching}
    RESULTS.write_text(json.dumps(record, indent=2) + "\n")
    print(table(figures))
    print(harm_scan.summary(harm))
    print(people_match.summary(matching))
    print(f"written to {RESULTS.relative_to(HERE.parent)}")


if __name__ == "__main__":
    main()
