"""Property tests for a person's identifiers as people give them: UK postcodes and dates of
birth (including day and month swapped, and YYYYMMDD), and whole records for linking."""

from __future__ import annotations

import re
from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from firstcontact.people.model import (
    IDENTIFIERS,
    Identity,
    Outcome,
    compare_date_of_birth,
    identity_of,
    normalise_postcode,
    parse_date_of_birth,
)
from firstcontact.platform.model import ValidationError
from tests.properties import ANY_TEXT, PURE

TODAY = date(2026, 3, 14)
POSTCODE = re.compile(r"[A-Z]{1,2}[0-9][A-Z0-9]? [0-9][A-Z]{2}")
BORN = st.dates(min_value=date(TODAY.year - 124, 1, 1), max_value=TODAY)


# --- postcodes --------------------------------------------------------------------------------

@PURE
@given(ANY_TEXT)
def test_any_text_as_a_postcode_gives_the_uk_form_nothing_or_a_named_error(raw: str) -> None:
    try:
        postcode = normalise_postcode("postcode", raw)
    except ValidationError as error:
        assert error.field == "postcode"
        return
    assert postcode == "" or POSTCODE.fullmatch(postcode), postcode


@st.composite
def typed_postcodes(draw: st.DrawFn) -> tuple[str, str]:
    """A real-shaped postcode (outward + inward) as typed: any case, any spacing."""
    outward = draw(st.from_regex(r"[A-Z]{1,2}[0-9][A-Z0-9]?", fullmatch=True))
    inward = draw(st.from_regex(r"[0-9][A-Z]{2}", fullmatch=True))
    canonical = f"{outward} {inward}"
    typed = "".join(c.lower() if draw(st.booleans()) else c for c in outward + inward)
    gap = draw(st.sampled_from(["", " ", "  ", "\t"]))
    cut = len(outward)
    return canonical, f" {typed[:cut]}{gap}{typed[cut:]} "


@PURE
@given(typed_postcodes())
def test_a_postcode_however_typed_normalises_to_one_form_that_round_trips(
        typed: tuple[str, str]) -> None:
    canonical, written = typed
    assert normalise_postcode("postcode", written) == canonical
    assert normalise_postcode("postcode", canonical) == canonical


# --- dates of birth ---------------------------------------------------------------------------

@PURE
@given(ANY_TEXT | st.from_regex(r"[0-9]{1,2}/[0-9]{1,2}/[0-9]{4}|[0-9]{8}", fullmatch=True))
def test_any_text_as_a_date_of_birth_gives_a_real_past_date_nothing_or_a_named_error(
        raw: str) -> None:
    try:
        digits = parse_date_of_birth("date_of_birth", raw, TODAY)
    except ValidationError as error:
        assert error.field == "date_of_birth"
        return
    if digits:
        assert re.fullmatch(r"[0-9]{8}", digits), repr(digits)
        born = date(int(digits[:4]), int(digits[4:6]), int(digits[6:]))
        assert born <= TODAY and TODAY.year - born.year <= 125


@PURE
@given(BORN)
def test_a_date_of_birth_in_every_accepted_form_reads_the_same(born: date) -> None:
    expected = f"{born:%Y%m%d}"
    for written in (born.isoformat(), expected, f"{born.day}/{born.month}/{born.year}",
                    f"{born:%d/%m/%Y}", f"  {born.isoformat()} "):
        assert parse_date_of_birth("date_of_birth", written, TODAY) == expected


@PURE
@given(BORN)
def test_day_and_month_swapped_still_counts_as_similar_never_as_agreeing(born: date) -> None:
    """A person who gives 04/03 one day and 03/04 the next is probably the same person."""
    try:
        swapped = born.replace(month=born.day, day=born.month)
    except ValueError:
        return  # the day is over 12: no month of that number, so no swap to make
    given_once, given_again = f"{born:%Y%m%d}", f"{swapped:%Y%m%d}"
    outcome = compare_date_of_birth(given_once, given_again)
    if born == swapped:
        assert outcome is Outcome.AGREE
    else:
        assert outcome is Outcome.SIMILAR
        assert compare_date_of_birth(given_again, given_once) is Outcome.SIMILAR


@PURE
@given(st.dates(min_value=TODAY + timedelta(days=1)))
def test_a_date_of_birth_in_the_future_is_refused(born: date) -> None:
    try:
        parse_date_of_birth("date_of_birth", born.isoformat(), TODAY)
    except ValidationError as error:
        assert error.message == "Date of birth must be in the past"
    else:
        raise AssertionError(f"{born} accepted as a date of birth on {TODAY}")


def test_digits_from_other_scripts_are_stored_as_ascii_digits() -> None:
    """Python's \\d matches Arabic-Indic digits too: they were once stored as typed, and so
    never compared equal to the same date typed on an English keyboard."""
    for raw in ("\u0661\u0669\u0668\u0664\u0660\u0663\u0662\u0667", "١٩٨٤-٠٣-٢٧",
                "٢٧/٠٣/١٩٨٤", "\uff11\uff19\uff18\uff14-03-27"):
        assert parse_date_of_birth("date_of_birth", raw, TODAY) == "19840327", raw


# --- a whole record ---------------------------------------------------------------------------

@PURE
@given(st.dictionaries(st.sampled_from(IDENTIFIERS), ANY_TEXT | st.none(), max_size=7))
def test_any_record_is_normalised_or_refused_naming_one_of_its_fields(
        fields: dict[str, str | None]) -> None:
    try:
        identity = identity_of(fields, TODAY)
    except ValidationError as error:
        assert error.field in IDENTIFIERS
        return
    assert isinstance(identity, Identity)
    for name in IDENTIFIERS:
        value = getattr(identity, name)
        assert "\x00" not in value
        value.encode("utf-8")
