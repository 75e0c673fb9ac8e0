"""Matching one contact's caller against a million known People, through the blocking index.

Builds a synthetic population (Zipf-distributed given names and surnames, so common names make
large blocks as they do in life), then times `PeopleIndex.matches` for queries that are half
known people re-described with typical faults (a typo, a nickname, day and month swapped, a new
phone) and half strangers. The goal from the issue: a median <= 2 ms. Figures are printed.
"""

from __future__ import annotations

import itertools
import os
import random
import statistics
import sys
import time
from dataclasses import replace
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "src"))

from firstcontact.people import policy  # noqa: E402
from firstcontact.people.matching import PeopleIndex  # noqa: E402
from firstcontact.people.model import Identity  # noqa: E402

GOAL_MEDIAN_MS = 2.0
GIVEN = ["william", "james", "john", "mohammed", "olivia", "amelia", "sophie", "emily",
         "thomas", "jack", "harry", "oliver", "charlotte", "grace", "chloe", "lucy", "daniel",
         "samuel", "joseph", "aisha", "fatima", "priya", "sean", "niamh", "katherine",
         "elizabeth", "margaret", "robert", "michael", "david", "sarah", "jessica", "hannah"]
SYLLABLES = ["ash", "ber", "cot", "dal", "ev", "ford", "gan", "hol", "ing", "jen", "kin", "lor",
             "mar", "nor", "ow", "par", "quin", "ros", "sm", "ith", "ton", "wood", "well", "by"]


def names(rng: random.Random, count: int) -> list[str]:
    made: set[str] = set()
    while len(made) < count:
        made.add("".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4))))
    return sorted(made)


def person(rng: random.Random, given: list[str], surnames: list[str],
           weights: list[float], number: int) -> Identity:
    area = rng.choice(["LS", "M", "B", "SW", "E", "N", "CF", "G", "BS", "NE", "S", "L"])
    return Identity(
        given_name=rng.choice(given), surname=rng.choices(surnames, cum_weights=weights)[0],
        date_of_birth=f"{rng.randint(1930, 2012)}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}",
        address=f"{rng.randint(1, 200)} {rng.choice(SYLLABLES)} street",
        postcode=f"{area}{rng.randint(1, 29)} {rng.randint(1, 9)}{rng.choice('ABDEFGHJLNPQRSTU')}"
                 f"{rng.choice('ABDEFGHJLNPQRSTUWXYZ')}",
        phone=f"+447700{number:06d}" if rng.random() < 0.7 else "",
        email=f"p{number}@example.org" if rng.random() < 0.4 else "")


def redescribe(rng: random.Random, known: Identity) -> Identity:
    """The same person as a call handler might type them next time."""
    fault = rng.randrange(4)
    if fault == 0:
        return replace(known, surname=known.surname[:-1] + "e", phone="")
    if fault == 1:
        dob = known.date_of_birth
        return replace(known, date_of_birth=dob[:4] + dob[6:] + dob[4:6], email="")
    if fault == 2:
        return replace(known, given_name=known.given_name[:3], address="")
    return replace(known, phone="+447911000000", postcode="")


def run(people: int = 1_000_000, queries: int = 2000, seed: int = 6) -> dict[str, float]:
    rng = random.Random(seed)
    surnames = names(rng, 20_000)
    weights = list(itertools.accumulate(1 / (rank + 10) for rank in range(len(surnames))))
    index: PeopleIndex[int] = PeopleIndex(policy.matching(), policy.names())
    started = time.perf_counter()
    for number in range(people):
        index.add(number, person(rng, GIVEN, surnames, weights, number))
    built = time.perf_counter() - started
    timings, found = [], 0
    for i in range(queries):
        if i % 2:
            query = person(rng, GIVEN, surnames, weights, people + i)
        else:
            query = redescribe(rng, index.records[rng.randrange(people)])
        start = time.perf_counter()
        matches = index.matches(query)
        timings.append((time.perf_counter() - start) * 1000)
        found += bool(matches) and i % 2 == 0
    timings.sort()
    return {"people": people, "queries": queries, "build_s": round(built, 1),
            "median_ms": round(statistics.median(timings), 3),
            "p99_ms": round(timings[int(0.99 * len(timings))], 3),
            "known_found": round(found / (queries / 2), 3), "goal_median_ms": GOAL_MEDIAN_MS}


def summary(figures: dict[str, float]) -> str:
    return (f"match against {figures['people']:,.0f} People: median {figures['median_ms']:.3f} ms, "
            f"p99 {figures['p99_ms']:.3f} ms over {figures['queries']:.0f} queries (goal median "
            f"<= {GOAL_MEDIAN_MS} ms); re-described known people found: "
            f"{figures['known_found']:.1%}; index built in {figures['build_s']:.0f} s")


def main() -> None:
    print(summary(run(int(os.environ.get("BENCH_PEOPLE", "1000000")))))


if __name__ == "__main__":
    main()
