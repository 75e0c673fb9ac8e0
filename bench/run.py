"""Runs every benchmark, writes the figures to bench/results/latest.json and the same figures
as a readable report to bench/results/latest.md (also printed).

Figures are for people to read and compare over time; nothing here is asserted. `--quick`
(`make bench QUICK=1`) shrinks every benchmark so the whole run takes a few minutes; otherwise
set BENCH_RATE, BENCH_SECONDS, BENCH_RUNS, BENCH_PEOPLE, BENCH_OPEN, BENCH_PAST or
BENCH_DAY_SECONDS to shorten or stretch a part. PostgreSQL figures need BENCH_POSTGRES_URL (or
FIRSTCONTACT_TEST_POSTGRES_URL): an admin URL whose server may get throwaway databases.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import demand  # noqa: E402
import digital_desk  # noqa: E402
import harm_scan  # noqa: E402
import intake  # noqa: E402
import load_day  # noqa: E402
import people_match  # noqa: E402

RESULTS = HERE / "results" / "latest.json"
REPORT = HERE / "results" / "latest.md"
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


def sizes(quick: bool) -> dict[str, Any]:
    """How big each benchmark runs: the environment's choice, or small ones for --quick."""
    def number(name: str, full: str, small: str) -> float:
        return float(os.environ.get(name, small if quick else full))

    desk = digital_desk.settings_from_environment()
    if quick:
        desk.update(seconds=3.0, chats=100, messages=300)
    return {"rate": number("BENCH_RATE", "600", "600"),
            "seconds": number("BENCH_SECONDS", "20", "5"),
            "runs": int(number("BENCH_RUNS", "3", "1")),
            "harm_mb": number("BENCH_HARM_MB", "2", "0.5"),
            "people": int(number("BENCH_PEOPLE", "1000000", "100000")),
            "open": int(number("BENCH_OPEN", "100000", "10000")),
            "past": int(number("BENCH_PAST", "100000", "10000")),
            "day_seconds": number("BENCH_DAY_SECONDS", "60", "10"), "desk": desk}


def measure(size: dict[str, Any], quick: bool) -> dict[str, Any]:
    """Every benchmark in turn, announcing each as it starts (some take minutes)."""
    def step(words: str) -> None:
        print(f"{words} ...", flush=True)

    step(f"intake: {size['rate']:g} req/s for {size['seconds']:g} s, {size['runs']} runs")
    figures: dict[str, Any] = {"intake": intake.run(size["rate"], size["seconds"], size["runs"])}
    step("harm scan: scanner and naive per-phrase loop over the evaluation narratives")
    figures["harm_scan"] = harm_scan.run(size["harm_mb"], size["runs"])
    step(f"people matching: {size['people']:,} People")
    figures["people_match"] = people_match.run(size["people"])
    step(f"digital desk: {size['desk']}")
    figures["digital_desk"] = digital_desk.run(**size["desk"])
    step(f"live demand: {size['open']:,} open and {size['past']:,} past incidents")
    figures["demand"] = demand.run(size["open"], size["past"])
    step(f"a day of demand end to end: {size['day_seconds']:g} s per speed per target")
    figures["load_day"] = load_day.run(quick, size["day_seconds"])
    return figures


def report(record: dict[str, Any]) -> str:
    """The figures for people: what ran, where, and each benchmark's table or summary."""
    sections = {
        "Intake over HTTP (SQLite)": table(record["intake"]),
        "Hidden-harm scan": harm_scan.summary(record["harm_scan"]),
        "People matching": people_match.summary(record["people_match"]),
        "Digital desk": desk_table(record["digital_desk"]),
        "Live demand (timer tick, team leader screen)": demand.summary(record["demand"]),
        "A day of demand, end to end": load_day.summary(record["load_day"]),
    }
    loads = [", ".join(f"{x:.2f}" for x in record[name])
             for name in ("load_average", "load_average_after")]
    lines = [f"# Benchmark figures, {record['at'][:16]} UTC", "",
             f"{record['cpus']} CPUs; load average {loads[0]} before the run and {loads[1]} "
             f"after; Python {record['python']}; {'quick' if record['quick'] else 'full'} run."]
    for heading, body in sections.items():
        lines += ["", f"## {heading}", "", "```", body, "```"]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description="Run every benchmark and record the figures.")
    parser.add_argument("--quick", action="store_true", help="small runs: a few minutes in all")
    quick = parser.parse_args().quick
    if os.environ.get("FIRSTCONTACT_TEST_POSTGRES_URL"):
        os.environ.setdefault("BENCH_POSTGRES_URL", os.environ["FIRSTCONTACT_TEST_POSTGRES_URL"])
    record: dict[str, Any] = {"at": datetime.now(UTC).isoformat(),
                              "python": platform.python_version(), "cpus": os.cpu_count(),
                              "load_average": os.getloadavg(), "quick": quick}
    record.update(measure(sizes(quick), quick))
    record["load_average_after"] = os.getloadavg()
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(record, indent=2) + "\n")
    text = report(record)
    REPORT.write_text(text + "\n")
    print(text)
    print(f"written to {RESULTS.relative_to(HERE.parent)} and {REPORT.relative_to(HERE.parent)}")


if __name__ == "__main__":
    main()
