"""Identity matching rules: normalising, comparing, scoring, blocking and clustering."""

from __future__ import annotations

from datetime import date

import pytest

from firstcontact.people import policy
from firstcontact.people.matching import PeopleIndex, blocking_keys, link_records
from firstcontact.people.model import (
    Identity,
    MatchBand,
    Outcome,
    compare_date_of_birth,
    identity_of,
    name_key,
    normalise_email,
    normalise_name,
    normalise_postcode,
    parse_date_of_birth,
    score,
    split_name,
)
from firstcontact.platform.model import ValidationError

TODAY = date(2026, 11, 29)
SAM = Identity(given_name="samuel", surname="patel", date_of_birth="19840327",
               address="12 high street anytown", postcode="AB1 2CD", phone="+447700900123",
               email="sam@example.org")


def test_identifiers_are_normalised() -> None:
    assert normalise_name("  Zoë O'Brien-Smith ") == "zoe obrien smith"
    assert normalise_email("email", " Sam@Example.ORG ") == "sam@example.org"
    assert normalise_postcode("postcode", "sw1a1aa") == "SW1A 1AA"
    assert normalise_postcode("postcode", "4011", uk_only=False) == "4011"
    assert parse_date_of_birth("dob", "1984-03-27", TODAY) == "19840327"
    assert parse_date_of_birth("dob", "19840327", TODAY) == "19840327"
    assert parse_date_of_birth("dob", "27/03/1984", TODAY) == "19840327"
    assert split_name("Sam  Patel") == ("sam", "patel")
    assert split_name("Madonna") == ("", "madonna")
    identity = identity_of({"phone": "07700 900123", "postcode": "ab12cd"}, TODAY)
    assert (identity.phone, identity.postcode) == ("+447700900123", "AB1 2CD")


@pytest.mark.parametrize(("field", "fields", "message"), [
    ("phone", {"phone": "call me maybe"}, "Enter a phone number"),
    ("date_of_birth", {"date_of_birth": "last tuesday"}, "YYYY-MM-DD"),
    ("date_of_birth", {"date_of_birth": "1984-02-30"}, "real date"),
    ("date_of_birth", {"date_of_birth": "2027-01-01"}, "in the past"),
    ("date_of_birth", {"date_of_birth": "1850-01-01"}, "within 125 years"),
    ("email", {"email": "sam at example"}, "email address"),
    ("postcode", {"postcode": "NOT A CODE"}, "UK postcode"),
])
def test_bad_identifiers_name_the_field(field: str, fields: dict[str, str | None],
                                        message: str) -> None:
    with pytest.raises(ValidationError) as raised:
        identity_of(fields, TODAY)
    assert raised.value.field == field
    assert message in raised.value.message


def test_dates_of_birth_tolerate_swaps_and_typos() -> None:
    assert compare_date_of_birth("19840327", "19840327") is Outcome.AGREE
    assert compare_date_of_birth("19840503", "19840305") is Outcome.SIMILAR  # day/month
    assert compare_date_of_birth("19840327", "19840328") is Outcome.SIMILAR  # one digit
    assert compare_date_of_birth("19840327", "19480327") is Outcome.SIMILAR  # transposed
    assert compare_date_of_birth("19840327", "19841111") is Outcome.PARTIAL  # same year
    assert compare_date_of_birth("19840327", "19610911") is Outcome.DISAGREE
    assert compare_date_of_birth("", "19610911") is None


def test_nicknames_and_transliterations_agree() -> None:
    rules, variants = policy.matching(), policy.names()
    bill = Identity(given_name="bill", surname="smith", date_of_birth="19700101")
    william = Identity(given_name="william", surname="smyth", date_of_birth="19700101")
    result = score(bill, william, rules, variants)
    assert ("given_name", Outcome.AGREE) in {(a.identifier, a.outcome)
                                             for a in result.agreements}
    mo = Identity(given_name="mohammed", surname="khan")
    mu = Identity(given_name="muhammad", surname="khan")
    assert score(mo, mu, rules, variants).agreements[0].outcome is Outcome.AGREE
    assert name_key("smith") == name_key("smyth") == "S530"


def test_score_explains_itself_and_falls_in_a_band() -> None:
    rules, variants = policy.matching(), policy.names()
    same = score(SAM, Identity(given_name="sam", surname="patel", phone="+447700900123"),
                 rules, variants)
    assert rules.band(same.total) is MatchBand.AUTO_LINK
    assert "phone agree (+7.0)" in same.explain()
    sibling = Identity(given_name="priya", surname="patel", address="12 high street anytown",
                       postcode="AB1 2CD", date_of_birth="19900101")
    assert rules.band(score(SAM, sibling, rules, variants).total) is MatchBand.NO_MATCH
    household = Identity(given_name="priya", surname="patel", address="12 high street anytown",
                         postcode="AB1 2CD")
    assert rules.band(score(SAM, household, rules, variants).total) is MatchBand.OFFER


def test_index_finds_a_person_through_any_blocking_key() -> None:
    index: PeopleIndex[int] = PeopleIndex(policy.matching(), policy.names())
    index.add(1, SAM)
    index.add(2, Identity(given_name="jo", surname="bloggs", date_of_birth="19500101"))
    # Only the phone in common with what we hold, and a different spelling of the name.
    found = index.matches(Identity(given_name="samuel", surname="patell",
                                   phone="+447700900123"))
    assert [c.key for c in found] == [1]
    assert "p:+447700900123" in blocking_keys(SAM, index.variants)
    assert index.matches(Identity(given_name="nobody", surname="known")) == []


def test_linking_is_transitive() -> None:
    """A shares a phone with B, B a date of birth and name with C: one person, all three."""
    records = [
        ("a", Identity(given_name="sam", surname="patel", phone="+447700900123")),
        ("b", Identity(given_name="samuel", surname="patel", phone="+447700900123",
                       date_of_birth="19840327")),
        ("c", Identity(given_name="samuel", surname="patel", date_of_birth="19840327",
                       email="sp@example.org")),
        ("d", Identity(given_name="jo", surname="bloggs", date_of_birth="19500101")),
    ]
    people = link_records(records, policy.matching(), policy.names())
    assert people == {"a": "P1", "b": "P1", "c": "P1", "d": "P2"}
    with pytest.raises(ValueError, match="appears twice"):
        link_records([records[0], records[0]], policy.matching(), policy.names())
