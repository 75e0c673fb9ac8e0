"""Retention rules to the day (pure: no database, no clock)."""

from __future__ import annotations

from datetime import UTC, date, datetime

from firstcontact.records.model import (
    Disposal,
    Held,
    RecordType,
    add_years,
    due_for_review,
    group_of,
    review_date,
)
from firstcontact.records.policy import retention_policy

POLICY = retention_policy()


def held(kind: RecordType = RecordType.CONTACT, at: datetime = datetime(2020, 3, 14, 9, 30,
                                                                       tzinfo=UTC),
         category: str = "", qualifiers: tuple[str, ...] = (), born: date | None = None,
         record_id: int = 1) -> Held:
    return Held(kind, record_id, at, category, qualifiers, born)


def test_a_year_on_from_29_february_is_28_february() -> None:
    assert add_years(date(2024, 2, 29), 1) == date(2025, 2, 28)
    assert add_years(date(2024, 2, 29), 4) == date(2028, 2, 29)


def test_the_gravest_qualifier_sets_the_group_then_crime_or_not() -> None:
    assert group_of(held(), POLICY).name == "non_crime"
    assert group_of(held(category="crime"), POLICY).name == "group_3"
    assert group_of(held(category="crime", qualifiers=("alcohol", "domestic_abuse")),
                    POLICY).name == "group_2"
    assert group_of(held(category="public_safety",
                         qualifiers=("domestic_abuse", "child_sexual_exploitation")),
                    POLICY).name == "group_1"


def test_a_type_with_a_fixed_group_ignores_the_classification() -> None:
    assert group_of(held(RecordType.MISSING_REPORT, category="crime"),
                    POLICY).name == "missing_persons"
    assert group_of(held(RecordType.REFERRAL, qualifiers=("domestic_abuse",)),
                    POLICY).name == "group_3"


def test_review_counts_whole_years_from_the_london_day_the_record_was_made() -> None:
    # 23:30 UTC on 30 June is already 1 July in London (BST).
    late = held(at=datetime(2020, 6, 30, 23, 30, tzinfo=UTC), category="crime")
    assert review_date(late, group_of(late, POLICY)) == date(2026, 7, 1)
    serious = held(category="crime", qualifiers=("hate",))
    assert review_date(serious, group_of(serious, POLICY)) == date(2030, 3, 14)


def test_group_1_is_kept_until_the_subject_is_deemed_100_and_never_without_a_birth_date(
) -> None:
    born = held(qualifiers=("child_sexual_exploitation",), born=date(1990, 5, 2))
    assert review_date(born, group_of(born, POLICY)) == date(2090, 5, 2)
    unknown = held(qualifiers=("child_sexual_exploitation",))
    assert review_date(unknown, group_of(unknown, POLICY)) is None


def test_a_record_falls_due_on_its_review_day_not_the_day_before() -> None:
    contact = held(at=datetime(2023, 3, 14, 9, 30, tzinfo=UTC))  # non-crime: 3 years
    assert due_for_review([contact], POLICY, date(2026, 3, 13)) == []
    [due] = due_for_review([contact], POLICY, date(2026, 3, 14))
    assert (due.review_on, due.disposal, due.group.name) == (date(2026, 3, 14),
                                                            Disposal.ANONYMISE, "non_crime")


def test_messages_are_deleted_and_the_audit_log_is_never_due() -> None:
    old = datetime(2000, 1, 1, tzinfo=UTC)
    found = due_for_review([held(RecordType.CHAT_MESSAGE, at=old, record_id=7),
                            held(RecordType.AUDIT_LOG, at=old, record_id=8)],
                           POLICY, date(2026, 3, 14))
    assert [(d.held.record_type, d.disposal) for d in found] == [
        (RecordType.CHAT_MESSAGE, Disposal.DELETE)]
