"""The entitlement engine: due dates in London working days, consent and enhanced rights."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from firstcontact.platform.model import ValidationError
from firstcontact.victims.model import (
    Consent,
    Decision,
    Report,
    end_of_day,
    entitlements_for,
    parse_report,
    working_days_after,
)
from firstcontact.victims.policy import victims_policy

NOW = datetime(2027, 6, 1, 12, 0, tzinfo=UTC)
POLICY = victims_policy()


def decide(reported_at: str, crime: str = "theft", age: int | None = None,
           flags: tuple[str, ...] = (), language: str = "en") -> Decision:
    report = parse_report({"reported_at": reported_at, "crime": crime, "victim_age": age,
                           "flags": list(flags), "language": language}, POLICY, NOW)
    return entitlements_for(report, POLICY)


def due(decision: Decision, code: str) -> date | None:
    return next(d.due for d in decision.entitlements if d.code == code)


def test_referral_is_due_by_the_end_of_the_second_working_day_after_the_day_reported() -> None:
    monday = decide("2026-06-08T09:00:00+01:00")
    assert due(monday, "support_referral") == date(2026, 6, 10)
    assert due(monday, "written_acknowledgement") == date(2026, 6, 15)


def test_a_weekend_report_counts_from_monday() -> None:
    saturday = decide("2026-06-13T22:00:00+01:00")
    assert due(saturday, "support_referral") == date(2026, 6, 16)
    assert due(saturday, "written_acknowledgement") == date(2026, 6, 19)


def test_christmas_boxing_day_substitute_and_new_year_are_not_working_days() -> None:
    # 2026: Christmas on Friday, Boxing Day on Saturday (bank holiday Monday 28th), New Year
    # on Friday 1 January 2027.
    christmas_eve = decide("2026-12-24T16:00:00+00:00")
    assert due(christmas_eve, "support_referral") == date(2026, 12, 30)
    assert due(christmas_eve, "written_acknowledgement") == date(2027, 1, 5)


def test_good_friday_and_easter_monday_are_not_working_days() -> None:
    maundy_thursday = decide("2027-03-25T11:00:00+00:00")
    assert due(maundy_thursday, "support_referral") == date(2027, 3, 31)
    assert due(maundy_thursday, "written_acknowledgement") == date(2027, 4, 5)


def test_a_report_at_half_past_eleven_the_night_clocks_go_forward_is_that_saturday() -> None:
    # Clocks go forward at 01:00 GMT on Sunday 29 March 2026.
    saturday_night = decide("2026-03-28T23:30:00+00:00")
    assert due(saturday_night, "support_referral") == date(2026, 3, 31)


def test_half_past_midnight_british_summer_time_is_already_the_next_london_day() -> None:
    # 00:30 BST on Monday 30 March 2026 is 23:30 UTC on Sunday: the London day is Monday.
    monday = decide("2026-03-29T23:30:00+00:00")
    assert due(monday, "support_referral") == date(2026, 4, 1)


def test_a_report_at_half_past_eleven_the_night_clocks_go_back_is_that_saturday() -> None:
    # Clocks go back at 02:00 BST on Sunday 25 October 2026; 23:30 BST on the 24th is 22:30 UTC.
    saturday_night = decide("2026-10-24T22:30:00+00:00")
    assert due(saturday_night, "support_referral") == date(2026, 10, 27)
    sunday_night = decide("2026-10-25T23:30:00+00:00")
    assert due(sunday_night, "support_referral") == date(2026, 10, 27)


def test_a_deadline_day_ends_at_london_midnight() -> None:
    assert end_of_day(date(2026, 6, 10), POLICY) == datetime(2026, 6, 10, 23, 0, tzinfo=UTC)
    assert end_of_day(date(2026, 12, 30), POLICY) == datetime(2026, 12, 31, 0, 0, tzinfo=UTC)


def test_working_days_after_never_counts_the_day_itself() -> None:
    assert working_days_after(date(2026, 6, 8), 1, frozenset()) == date(2026, 6, 9)
    assert working_days_after(date(2026, 6, 8), 1, {date(2026, 6, 9)}) == date(2026, 6, 10)


def test_a_theft_victim_has_standard_rights_and_an_opt_out_referral() -> None:
    decision = decide("2026-06-08T09:00:00+01:00")
    assert not decision.enhanced and decision.reasons == ()
    assert decision.consent == Consent.OPT_OUT
    codes = [d.code for d in decision.entitlements]
    assert codes[:2] == ["written_acknowledgement", "support_referral"]
    assert {"needs_assessment", "cjs_information", "leaflet", "compensation_information",
            "restorative_justice_information"} <= set(codes)
    assert "interpretation" not in codes


@pytest.mark.parametrize("crime", ["gbh_with_intent", "attempted_murder",
                                   "arson_endanger_life", "kidnap", "terrorism",
                                   "hate_crime", "modern_slavery", "false_imprisonment"])
def test_the_most_serious_crimes_give_enhanced_rights(crime: str) -> None:
    decision = decide("2026-06-08T09:00:00+01:00", crime)
    assert decision.enhanced and decision.reasons == ("most_serious_crime",)
    assert decision.consent == Consent.OPT_OUT


@pytest.mark.parametrize("crime", ["sexual_offence", "domestic_abuse"])
def test_sexual_offences_and_domestic_abuse_need_explicit_consent(crime: str) -> None:
    decision = decide("2026-06-08T09:00:00+01:00", crime)
    assert decision.enhanced and decision.consent == Consent.EXPLICIT


def test_homicide_victims_are_bereaved_relatives_needing_explicit_consent() -> None:
    decision = decide("2026-06-08T09:00:00+01:00", "homicide")
    assert decision.reasons == ("most_serious_crime", "bereaved")
    assert decision.consent == Consent.EXPLICIT


def test_a_bereaved_flag_needs_explicit_consent_whatever_the_crime() -> None:
    decision = decide("2026-06-08T09:00:00+01:00", "assault", flags=("bereaved",))
    assert decision.reasons == ("bereaved",) and decision.consent == Consent.EXPLICIT


def test_under_18_vulnerable_intimidated_and_persistently_targeted_each_give_a_reason() -> None:
    decision = decide("2026-06-08T09:00:00+01:00", "theft", age=15,
                      flags=("vulnerable", "intimidated", "persistently_targeted"))
    assert decision.reasons == ("persistently_targeted", "vulnerable", "under_18",
                                "intimidated")
    assert not decide("2026-06-08T09:00:00+01:00", "theft", age=18).enhanced


def test_stalking_is_persistent_targeting_and_a_repeat_victim_flag_alone_is_not() -> None:
    assert decide("2026-06-08T09:00:00+01:00", "stalking_harassment").reasons == (
        "persistently_targeted",)
    assert not decide("2026-06-08T09:00:00+01:00", flags=("repeat_victim",)).enhanced


def test_interpretation_is_owed_only_outside_english_and_welsh() -> None:
    for language in ("en", "cy", "CY"):
        codes = [d.code for d in decide("2026-06-08T09:00:00+01:00",
                                        language=language).entitlements]
        assert "interpretation" not in codes
    polish = decide("2026-06-08T09:00:00+01:00", language="pl")
    assert "interpretation" in [d.code for d in polish.entitlements]


@pytest.mark.parametrize(("field", "data"), [
    ("crime", {"crime": "jaywalking"}),
    ("reported_at", {"reported_at": "2030-01-01T00:00:00+00:00"}),
    ("reported_at", {"reported_at": "2026-06-08T09:00:00"}),
    ("reported_at", {"reported_at": "yesterday"}),
    ("victim_age", {"victim_age": -1}),
    ("victim_age", {"victim_age": "twelve"}),
    ("flags", {"flags": ["famous"]}),
    ("language", {"language": "<b>"}),
])
def test_bad_input_names_the_field(field: str, data: dict[str, object]) -> None:
    good: dict[str, object] = {"reported_at": "2026-06-08T09:00:00+01:00", "crime": "theft"}
    with pytest.raises(ValidationError) as caught:
        parse_report({**good, **data}, POLICY, NOW)
    assert caught.value.field == field


def test_a_report_is_a_value() -> None:
    report = Report(datetime(2026, 6, 8, 8, tzinfo=UTC), "theft")
    assert entitlements_for(report, POLICY) == entitlements_for(report, POLICY)
