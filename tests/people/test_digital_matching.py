"""Live matching on the digital channels: the sender's email address (from a real SMTP
delivery) and a social-media handle, per platform, join phone, name and date of birth in
finding the same Person. Runs on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from firstcontact.contacts import social
from firstcontact.contacts.social_model import InboundMessage, Platform
from firstcontact.contacts.tables import ContactRow
from firstcontact.people import policy
from firstcontact.people.model import Identity, Outcome, score, social_handle
from firstcontact.people.tables import MatchOfferRow, PersonKeyRow, PersonRecordRow
from firstcontact.platform.runtime import Runtime
from tests.contacts.mail_servers import email
from tests.contacts.test_mail import Desk, desk_mail  # noqa: F401 (the real SMTP fixture)


def people_by_contact(rt: Runtime) -> dict[int, tuple[int, str, str]]:
    """contact id -> (person id, email, social handle) of its caller's record."""
    with rt.database.transaction() as session:
        return {r.contact_id: (r.person_id, r.email, r.social_handle) for r in session.scalars(
            select(PersonRecordRow).order_by(PersonRecordRow.id)) if r.contact_id}


def offers(rt: Runtime) -> list[tuple[int, str]]:
    with rt.database.transaction() as session:
        return [(o.candidate_person_id, o.explanation)
                for o in session.scalars(select(MatchOfferRow).order_by(MatchOfferRow.id))]


def dm(platform: Platform, sender_id: str, name: str, message_id: str,
       rt: Runtime) -> InboundMessage:
    return InboundMessage(platform=platform, message_id=message_id, sender_id=sender_id,
                          account_id="our-account", sender_name=name, text="Help please",
                          sent_at=rt.clock.now() - timedelta(minutes=1))


def test_a_second_email_from_the_same_address_finds_the_same_person(
        desk_mail: Desk) -> None:  # noqa: F811
    desk_mail.send(email("Stolen bike", "From the station rack.", message_id="<a@x.org>"))
    desk_mail.send(email("Bike seen", "It is for sale online.", message_id="<b@x.org>",
                         sender="Mo Farah <MO@Example.org>"))
    desk_mail.send(email("Noise", "Party next door.", message_id="<c@x.org>",
                         sender="Mo Farah <mo.farah@elsewhere.org>"))
    first, second, stranger = (p for _, p in sorted(people_by_contact(desk_mail.rt).items()))
    assert first == (first[0], "mo@example.org", "")
    assert second[0] == first[0]  # the same address (any case) and name: linked
    assert stranger[0] != first[0]  # the same name from another address: offered only
    [(candidate, why)] = offers(desk_mail.rt)
    assert candidate == first[0] and "email disagree (-0.5)" in why


def test_an_address_with_no_name_is_offered_never_linked_on_its_own(desk_mail: Desk) -> None:  # noqa: F811
    desk_mail.send(email("One", "First.", message_id="<d@x.org>", sender="anon@example.org"))
    desk_mail.send(email("Two", "Second.", message_id="<e@x.org>", sender="anon@example.org"))
    with desk_mail.rt.database.transaction() as session:
        names = list(session.scalars(select(ContactRow.caller_name)))
    assert names == ["anon@example.org", "anon@example.org"]
    first, second = (p for _, p in sorted(people_by_contact(desk_mail.rt).items()))
    assert first[0] != second[0]
    [(candidate, why)] = offers(desk_mail.rt)
    assert candidate == first[0] and why == "email agree (+7.0)"


def test_a_dm_handle_counts_only_on_its_own_platform(runtime: Runtime) -> None:
    social.ingest(runtime, [dm(Platform.X, "@SamP_99", "Sam Patel", "x-1", runtime)])
    social.ingest(runtime, [dm(Platform.X, "@SamP_99", "Sam Patel", "x-2", runtime)])
    social.ingest(runtime, [dm(Platform.INSTAGRAM, "samp_99", "Sam Patel", "ig-1", runtime)])
    social.ingest(runtime, [dm(Platform.X, "44120099", "Sam Patel", "x-3", runtime)])
    found = [p for _, p in sorted(people_by_contact(runtime).items())]
    assert [handle for _, _, handle in found] == ["x:samp_99", "instagram:samp_99",
                                                  "x:44120099"]
    x_person = found[0][0]
    with runtime.database.transaction() as session:
        keys = set(session.scalars(select(PersonKeyRow.key)))
    assert {"s:x:samp_99", "s:instagram:samp_99"} <= keys
    # Another platform: the names alone offer it; another X account disagrees.
    names = "given name agree (+3.0); surname agree (+4.0)"
    assert offers(runtime) == [(x_person, names), (found[1][0], names),
                               (x_person, names + "; social handle disagree (-0.5)")]


def test_the_same_handle_and_name_link_where_a_name_alone_would_not() -> None:
    rules, variants = policy.matching(), policy.names()
    known = Identity(given_name="sam", surname="patel",
                     social_handle=social_handle("x", "@SamP_99"))
    again = Identity(given_name="sam", surname="patel", social_handle="x:samp_99")
    result = score(known, again, rules, variants)
    assert [a.outcome for a in result.agreements] == [Outcome.AGREE] * 3
    assert rules.band(result.total).value == "auto_link"
    only_name = Identity(given_name="sam", surname="patel")
    assert rules.band(score(known, only_name, rules, variants).total).value == "offer"
    assert social_handle("x", "   ") == ""
