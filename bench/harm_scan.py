"""How fast the hidden-harm scanner reads text: MB/s on one core, and how many times faster
than a naive loop that runs one regular expression per catalogue phrase.

The corpus is the labelled evaluation narratives, shuffled (seeded) and joined until it is
BENCH_HARM_MB megabytes, so the text looks like what callers say, evidence and all. Goals from
the issue: >= 5 MB/s per core, and >= 10x the naive loop.
"""

from __future__ import annotations

import gc
import json
import os
import random
import re
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import firstcontact.harm.policy as policy
from firstcontact.harm.learned import load_learned
from firstcontact.harm.scanner import Scanner, compile_scanner

HERE = Path(__file__).resolve().parent
EVAL_SET = HERE.parent / "tests" / "data" / "harm_eval.jsonl"
GOALS = {"mb_per_s": 5.0, "ratio": 10.0}
CONTACT_CHARS = 4000
"""A contact's text as the scanner sees it on intake: call notes, a form, a chat so far."""
NAIVE_SAMPLE_CHARS = 20_000
"""The naive loop is timed on this much text and scaled: it costs per phrase per character."""


def corpus(megabytes: float, seed: int = 5) -> str:
    lines = [json.loads(line)["text"] for line in EVAL_SET.read_text().splitlines() if line]
    rng = random.Random(seed)
    parts: list[str] = []
    size = 0
    while size < megabytes * 1_000_000:
        rng.shuffle(lines)
        for text in lines:
            parts.append(text)
            size += len(text) + 2
    return "\n\n".join(parts)


def naive_patterns(scanner: Scanner) -> list[re.Pattern[str]]:
    """One compiled expression per phrase (same word gaps), as a first attempt would write."""
    phrases = {p for i in scanner.catalogue.indicators for p in (*i.phrases, *i.with_any)}
    return [re.compile(r"\b" + r"[\W_]+".join(map(re.escape, phrase.lower().split())) + r"\b",
                       re.IGNORECASE) for phrase in sorted(phrases)]


def best_seconds(work: Any, runs: int) -> float:
    """The least CPU time of `runs` runs: per-core speed, fair on a shared, busy machine."""
    times = []
    for _ in range(runs):
        started = time.process_time()
        work()
        times.append(time.process_time() - started)
    return min(times)


def scan_each(scanner: Scanner, contacts: list[str]) -> None:
    """Scan each contact and let its findings go before the next, as a worker does: it stores
    them and moves on. (Holding every contact's findings to the end of the run made the
    collector walk them again and again: about 1.1 times slower, a cost no worker pays.)"""
    for contact in contacts:
        scanner.scan(contact)


def build_seconds() -> float:
    """CPU time to read and check the catalogue, compile it and load the learned layer: what
    every worker does once at start-up (`policy.scanner`, here without its cache)."""
    started = time.process_time()
    catalogue = policy.catalogue.__wrapped__()
    replace(compile_scanner(catalogue), learned=load_learned())
    return time.process_time() - started


def run(megabytes: float | None = None, runs: int | None = None) -> dict[str, Any]:
    megabytes = megabytes or float(os.environ.get("BENCH_HARM_MB", "2"))
    runs = runs or int(os.environ.get("BENCH_RUNS", "3"))
    build = build_seconds()
    scanner = policy.scanner()
    text = corpus(megabytes)
    size_mb = len(text.encode()) / 1_000_000
    narratives = text.split("\n\n")
    contacts = [text[i:i + CONTACT_CHARS] for i in range(0, len(text), CONTACT_CHARS)]
    # What start-up built is kept out of the collector's full passes, as a worker does
    # (`app.create_app`, its lifespan).
    gc.collect()
    gc.freeze()
    matching = best_seconds(lambda: scanner.hits(text), runs)
    full = best_seconds(lambda: scan_each(scanner, contacts), runs)
    held = best_seconds(lambda: [scanner.scan(contact) for contact in contacts], runs)
    short = best_seconds(lambda: scan_each(scanner, narratives), runs)
    gc.unfreeze()
    # Built after the scanner is timed: 100,000 compiled expressions on the heap slow every
    # garbage collection, and so the scanner's own figures.
    naive = naive_patterns(scanner)
    sample = text[:NAIVE_SAMPLE_CHARS]  # the naive loop is slow: time it on a sample
    loop = best_seconds(lambda: sum(1 for p in naive for _ in p.finditer(sample)), 1) * (
        len(text) / len(sample))
    return {"megabytes": round(size_mb, 2), "phrases": len(naive),
            "match_mb_per_s": size_mb / matching, "scan_mb_per_s": size_mb / full,
            "held_scan_mb_per_s": size_mb / held,
            "short_scan_mb_per_s": size_mb / short,
            "short_scan_us": short / len(narratives) * 1e6,
            "naive_mb_per_s": size_mb / loop, "ratio": loop / matching,
            "scan_ratio": loop / full, "build_s": build}


def summary(figures: dict[str, Any]) -> str:
    return (f"harm scan: {figures['scan_mb_per_s']:.1f} MB/s per core for the full scan of "
            f"{CONTACT_CHARS}-character contacts (negation, evidence, levels; goal >= "
            f"{GOALS['mb_per_s']:g}; {figures['held_scan_mb_per_s']:.1f} MB/s with every "
            f"contact's findings held to the end, as measured before 2026-11-30); "
            f"one-sentence narratives {figures['short_scan_us']:.0f} us "
            f"each ({figures['short_scan_mb_per_s']:.1f} MB/s); "
            f"{figures['match_mb_per_s']:.1f} MB/s matching alone; naive per-phrase loop "
            f"({figures['phrases']} phrases) {figures['naive_mb_per_s']:.2f} MB/s: "
            f"{figures['ratio']:.0f}x faster matching, {figures['scan_ratio']:.0f}x for the "
            f"full scan (goal >= {GOALS['ratio']:g}x); {figures['megabytes']} MB of narratives; "
            f"building the scanner at start-up {figures['build_s']:.1f} s of CPU")


if __name__ == "__main__":
    print(summary(run()))
