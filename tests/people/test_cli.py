"""`firstcontact people link`: the CSV contract, run as the real command."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.people.febrl import evaluate, pairwise

COMMAND = str(Path(sys.executable).parent / "firstcontact")
HEADER = "record_id,given_name,surname,date_of_birth,address,postcode,phone,email\n"


def link(path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([COMMAND, "people", "link", "--input", str(path)],
                          capture_output=True, text=True, check=False)


def test_records_of_one_person_share_a_person_id(tmp_path: Path) -> None:
    path = tmp_path / "in.csv"
    path.write_text(HEADER
                    + "r1,Sam,Patel,1984-03-27,12 High St,AB1 2CD,07700 900123,\n"
                    + "r2,Samuel,Patel,19840327,,,,sam@example.org\n"
                    + "r3,Jo,Bloggs,,,,,\n"
                    + "r4,Samuel,Patell,,,,+447700900123,sam@example.org\n", encoding="utf-8")
    result = link(path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == ["record_id,person_id", "r1,P1", "r2,P1", "r3,P2",
                                          "r4,P1"]


def test_bad_fields_are_reported_and_left_out(tmp_path: Path) -> None:
    path = tmp_path / "in.csv"
    path.write_text(HEADER + "r1,Sam,Patel,not a date,,,call me,\n"
                    + "r2,Sam,Patel,1984-02-30,,,,\n", encoding="utf-8")
    result = link(path)
    assert result.returncode == 0
    assert "record r1: date_of_birth: Enter a date of birth" in result.stderr
    assert "record r1: phone: Enter a phone number" in result.stderr
    assert "record r2: date_of_birth: Date of birth must be a real date" in result.stderr
    assert result.stdout.splitlines()[1:] == ["r1,P1", "r2,P2"]


def test_a_file_without_record_ids_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "in.csv"
    path.write_text("name,phone\nSam,07700900123\n", encoding="utf-8")
    result = link(path)
    assert result.returncode == 2
    assert "record_id column" in result.stderr
    missing = link(tmp_path / "absent.csv")
    assert missing.returncode == 2 and "error:" in missing.stderr


def test_pairwise_figures() -> None:
    truth = {frozenset(("a", "b")), frozenset(("c", "d"))}
    found, precision, recall, f1 = pairwise(truth, {"a": "P1", "b": "P1", "c": "P2",
                                                     "d": "P3", "e": "P1"})
    assert (found, precision, recall) == (3, 1 / 3, 0.5)
    assert round(f1, 3) == 0.4


def test_febrl1_without_the_social_security_column(tmp_path: Path) -> None:
    """The evaluation the issue asks for, on FEBRL1: the floor is what the code reaches."""
    figures = evaluate(1, tmp_path)
    assert figures.records == 1000
    assert figures.precision >= 0.99
    assert figures.recall >= 0.92
    assert figures.f1 >= 0.95
