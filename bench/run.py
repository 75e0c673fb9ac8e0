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

import digital_desk  # noqa: E402
import harm_scan  # noqa: E402
import intake  # noqa: E402
import people_match  # noqa: E402

RESULTS = HERE / "results" / "latest.json"
GOALS = {"intake": 500.0, "ratio": 0.5, "chat_p99_ms": 50.0, "chats": 500}
"""From the foundation issue: >= 500 contacts/s and a ratio >= 0.5 on a 2-core machine; from
the digital desk issue: chat delivery p99 <= 50 ms with 500 concurrent chats."""


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


def desk_table(figures: dict[str, Any]) -> str:
    hooks, chat = figures["webhooks"], figures["chat"]
    lines = [f"webhook ingest ({hooks['connections']} connections, {hooks['seconds']:g} s): "
             f"{phase}: {hooks[phase]['per_s']}/s ok {hooks[phase]['ok']} errors "
             f"{hooks[phase]['errors']} p50 {hooks[phase]['p50_ms']} ms p99 "
             f"{hooks[phase]['p99_ms']} ms" for phase in ("new_messages", "replays")]
    lines.append(f"chat delivery: {chat['chats']} chats, {chat['messages']} messages at "
                 f"{chat['offered_per_s']:g}/s, delivered {chat['delivered']}: p50 "
                 f"{chat['p50_ms']} ms p99 {chat['p99_ms']} ms max {chat['max_ms']} ms "
                 f"(goal p99 <= {GOALS['chat_p99_ms']:g} ms with {GOALS['chats']} chats)")
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
    desk_settings = digital_desk.settings_from_environment()
    print(f"digital desk: {desk_settings} ...", flush=True)
    desk = digital_desk.run(**desk_settings)
    RESULTS.parent.mkdir(exist_ok=True)
    record = {"at": datetime.now(UTC).isoformat(), "python": platform.python_version(),
              "cpus": os.cpu_count(), "load_average": os.getloadavg(), "intake": figures,
              "harm_scan": harm, "people_match": matching, "digital_desk": desk}
    RESULTS.write_text(json.dumps(record, indent=2) + "\n")
    print(table(figures))
    print(harm_scan.summary(harm))
    print(people_match.summary(matching))
    print(desk_table(desk))
    print(f"written to {RESULTS.relative_to(HERE.parent)}")


if __name__ == "__main__":
    main()
