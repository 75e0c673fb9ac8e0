"""Upgrading a database that already holds victims through 0016_victim_parties: each contact a
victim came from gets its `victim_crimes` row, built from the victims recorded before the
revision, on SQLite and on PostgreSQL.

The rows are written with plain SQL at the revision before (the models describe the newest
schema, not that one), then the database is upgraded to head with Alembic's command API.
"""

from __future__ import annotations

from datetime import UTC, datetime

from alembic import command
from sqlalchemy import select, text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from firstcontact.platform.db import alembic_config, make_engine
from firstcontact.victims.tables import CrimeReportedRow, VictimRow

BEFORE = "0010_missing_people"
"""The revision 0016_victim_parties upgrades from."""

CONTACT = ("INSERT INTO contacts (id, reference, channel, status, caller_name, caller_phone, "
           "caller_relationship, address, area_type, narrative, language, "
           "accessibility_needs, received_at, content_hash) VALUES (:id, :reference, "
           "'phone_101', 'received', 'A caller', '', 'victim', '1 High Street', 'urban', "
           "'What happened', 'English', '', :at, 'hash')")
VICTIM = ("INSERT INTO victims (contact_id, crime_reference, crime_type, crime_summary, "
          "channel, reported_at, name, contact_preference, email, phone, postal_address, "
          "language, communication_needs, referral_consent, consent_given, enhanced, "
          "enhanced_reasons, created_at) VALUES (:contact, :crime, :type, 'Summary', "
          "'phone_101', :at, :name, 'phone', '', '07700 900123', '', 'English', '', "
          "'not_asked', NULL, :enhanced, '[]', :at)")




def at(hour: int, minute: int, day: int = 10) -> datetime:
    return datetime(2026, 3, day, hour, minute, tzinfo=UTC)


def stored(engine: Engine, moment: datetime) -> str:
    """How the app wrote a time before the upgrade: naive UTC text on SQLite."""
    if engine.dialect.name == "sqlite":
        return moment.replace(tzinfo=None).isoformat(sep=" ", timespec="microseconds")
    return moment.isoformat()


def record_before_upgrade(engine: Engine) -> None:
    """Three contacts: one victim; two victims from one call (the earlier crime row wins);
    and a contact with no victim, which must get no crime row."""
    with engine.begin() as connection:
        for contact_id, reference, moment in ((1, "C-1", at(8, 15)), (2, "C-2", at(9, 40)),
                                              (3, "C-3", at(10, 5))):
            connection.execute(text(CONTACT), {"id": contact_id, "reference": reference,
                                               "at": stored(engine, moment)})
        for contact, crime, kind, moment, name in (
                (1, "CR/0001/26", "burglary", at(8, 20), "Ann Example"),
                (2, "CR/0003/26", "theft", at(9, 55), "Bob Example"),
                (2, "CR/0002/26", "assault", at(9, 50), "Cat Example")):
            connection.execute(text(VICTIM), {
                "contact": contact, "crime": crime, "type": kind, "name": name,
                "at": stored(engine, moment), "enhanced": False})


def test_upgrading_back_fills_a_crime_row_for_each_victims_contact(
        unmigrated_database: str) -> None:
    config = alembic_config(unmigrated_database)
    command.upgrade(config, BEFORE)
    engine = make_engine(unmigrated_database)
    try:
        record_before_upgrade(engine)
        command.upgrade(config, "head")
        with Session(engine) as session:
            crimes = session.scalars(select(CrimeReportedRow)
                                     .order_by(CrimeReportedRow.contact_id)).all()
            victims = session.scalars(select(VictimRow).order_by(VictimRow.id)).all()
            assert [(c.contact_id, c.crime_reference, c.crime_type, c.flags, c.team,
                     c.recorded_by_user_id, c.recorded_at) for c in crimes] == [
                (1, "CR/0001/26", "burglary", [], "", None, at(8, 20)),
                (2, "CR/0002/26", "assault", [], "", None, at(9, 50))]
            assert [(v.name, v.party, v.contact_name, v.relationship, v.victim_age, v.team)
                    for v in victims] == [
                ("Ann Example", "person", "", "", None, ""),
                ("Bob Example", "person", "", "", None, ""),
                ("Cat Example", "person", "", "", None, "")]
    finally:
        engine.dispose()


def test_a_database_with_no_victims_upgrades_to_an_empty_crime_table(
        unmigrated_database: str) -> None:
    config = alembic_config(unmigrated_database)
    command.upgrade(config, BEFORE)
    command.upgrade(config, "head")
    engine = make_engine(unmigrated_database)
    try:
        with engine.connect() as connection:
            count = connection.execute(text("SELECT COUNT(*) FROM victim_crimes")).scalar()
        assert count == 0
    finally:
        engine.dispose()
