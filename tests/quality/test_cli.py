"""`firstcontact qa sample` on a real SQLite file: it names a bad date and reports what it took."""

from __future__ import annotations

from tests.test_cli import cli_db, invoke

__all__ = ["cli_db"]


def test_qa_sample_reports_its_samples_and_names_a_bad_date(cli_db: str) -> None:
    assert invoke("db", "upgrade")[0] == 0
    code, output = invoke("qa", "sample", "--from", "2026-03-01", "--to", "2026-03-02",
                          "--seed", "7")
    assert (code, output.strip()) == (
        0, "0 samples taken from 2026-03-01 to 2026-03-02; 0 staff-days drawn at random")
    code, output = invoke("qa", "sample", "--from", "2026-03-02", "--to", "1 March")
    assert code == 1 and "error: to: Enter a date as YYYY-MM-DD" in output
