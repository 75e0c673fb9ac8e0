"""Who a victim can be: the entitlement engine's rules for a business with a named contact, a
child through a parent or guardian, and a bereaved close relative; the checks on what staff
enter; and the policy file's [parties]."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest

from firstcontact.platform.model import ValidationError
from firstcontact.platform.policyfile import PolicyError
from firstcontact.victims.commands import answer
from firstcontact.victims.details import parse_new_victim
from firstcontact.victims.model import Consent, Decision, entitlements_for, parse_report
from firstcontact.victims.policy import POLICY_DIR, load_policy, victims_policy

NOW = datetime(2026, 3, 14, 9, 30, tzinfo=UTC)
POLICY = victims_policy()
FRIDAY = "2026-03-13T15:00:00+00:00"


def decide(party: str, crime: str = "theft", age: int | None = None,
           flags: tuple[str, ...] = ()) -> Decision:
    report = parse_report({"reported_at": FRIDAY, "crime": crime, "victim_age": age,
                           "flags": list(flags), "party": party}, POLICY, NOW)
    return entitlements_for(report, POLICY)


def owed(decision: Decision) -> dict[str, Any]:
    return {d.code: d for d in decision.entitlements}


def test_a_business_is_never_given_enhanced_rights_even_for_the_most_serious_crime() -> None:
    person = decide("person", "arson_endanger_life", flags=("intimidated",))
    business = decide("business", "arson_endanger_life", flags=("intimidated",))
    assert person.enhanced and "most_serious_crime" in person.reasons
    assert not business.enhanced and business.reasons == ()


def test_a_business_is_not_referred_or_assessed_but_gets_everything_else_on_time() -> None:
    due = owed(decide("business", "burglary_dwelling"))
    assert "victim support" in due["support_referral"].not_applicable
    assert due["support_referral"].due is None and due["support_referral"].consent is None
    assert due["needs_assessment"].not_applicable
    # Reported Friday 13 March: 5 working days later is Friday 20 March.
    assert due["written_acknowledgement"].due == date(2026, 3, 20)
    assert not due["written_acknowledgement"].not_applicable
    assert not due["compensation_information"].not_applicable
    assert not due["restorative_justice_information"].not_applicable


def test_a_child_has_enhanced_rights_as_under_18_even_with_no_age_given() -> None:
    child = decide("child")
    assert child.enhanced and child.reasons == ("under_18",)
    assert owed(child)["support_referral"].consent == Consent.OPT_OUT
    assert decide("child", age=15).reasons == ("under_18",)


def test_a_child_aged_18_or_more_is_refused_naming_the_age() -> None:
    with pytest.raises(ValidationError) as raised:
        decide("child", age=18)
    assert set(raised.value.errors) == {"victim_age"}


def test_a_bereaved_relative_has_enhanced_rights_and_is_referred_only_with_consent() -> None:
    relative = decide("bereaved_relative", "assault")
    assert relative.enhanced and relative.reasons == ("bereaved",)
    assert relative.consent == Consent.EXPLICIT
    # By the end of the 2nd working day after Friday: Tuesday 17 March.
    assert owed(relative)["support_referral"].due == date(2026, 3, 17)
    assert owed(relative)["support_referral"].consent == Consent.EXPLICIT


def test_an_unknown_party_is_refused_naming_the_field() -> None:
    with pytest.raises(ValidationError) as raised:
        decide("company")
    assert set(raised.value.errors) == {"party"}


def test_the_command_line_names_what_a_business_is_not_owed_and_why() -> None:
    line = ('{"id": "b", "reported_at": "2026-03-13T15:00:00+00:00", "crime": "robbery", '
            '"victim_age": null, "flags": [], "language": "en", "party": "business"}')
    result = answer(line, POLICY, NOW)
    referral = next(e for e in result["entitlements"] if e["code"] == "support_referral")
    assert "not_applicable" in referral and "due" not in referral
    assert result["enhanced"] is False
    plain = answer(line.replace(', "party": "business"', ""), POLICY, NOW)
    assert all("not_applicable" not in e for e in plain["entitlements"])


FORM = {"contact_preference": "letter", "postal_address": "1 Mill Lane, Anytown AN1 1AA",
        "language": "English"}


def test_staff_add_a_business_through_its_named_contact() -> None:
    victim = parse_new_victim({**FORM, "party": "business", "name": "Corner Stores Ltd",
                               "contact_name": "Priya Shah"}, POLICY)
    assert (victim.party, victim.name, victim.addressee()) == (
        "business", "Corner Stores Ltd", "Priya Shah")
    assert victim.details.postal_address == "1 Mill Lane, Anytown AN1 1AA"


def test_every_missing_field_for_a_child_is_named_at_once() -> None:
    with pytest.raises(ValidationError) as raised:
        parse_new_victim({"party": "child", "name": "", "victim_age": "twelve",
                          "contact_preference": "email"}, POLICY)
    assert set(raised.value.errors) == {"name", "contact_name", "relationship", "victim_age",
                                        "email"}


def test_a_bereaved_relative_needs_the_relationship_and_a_person_keeps_no_contact() -> None:
    with pytest.raises(ValidationError) as raised:
        parse_new_victim({**FORM, "party": "bereaved_relative", "name": "Ann Jones"}, POLICY)
    assert set(raised.value.errors) == {"relationship"}
    person = parse_new_victim({**FORM, "party": "person", "name": "Ann Jones",
                               "contact_name": "Someone Else", "victim_age": "40"}, POLICY)
    assert person.contact_name == "" and person.addressee() == "Ann Jones"
    assert person.victim_age == 40


def test_a_party_with_an_unknown_entitlement_stops_the_server_naming_the_line(
        tmp_path: Path) -> None:
    text = (POLICY_DIR / "entitlements.toml").read_text().replace(
        "support_referral = \"A business", "support_refferal = \"A business")
    path = tmp_path / "entitlements.toml"
    path.write_text(text)
    with pytest.raises(PolicyError) as raised:
        load_policy(path)
    line = next(i for i, row in enumerate(text.splitlines(), 1)
                if row.startswith("support_refferal"))
    assert "parties.business.not_applicable.support_refferal" in str(raised.value)
    assert f":{line}" in str(raised.value)
