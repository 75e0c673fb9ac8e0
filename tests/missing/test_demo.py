"""The demo force's missing people: a child missing from care with the local authority
referred, an adult with dementia, and a partner referral the demo partner login can read."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from firstcontact.app import wired_runtime
from firstcontact.demo import seed
from firstcontact.missing import service as missing
from firstcontact.people import referrals
from firstcontact.platform import auth
from firstcontact.platform.clock import FixedClock
from firstcontact.platform.runtime import Runtime
from firstcontact.settings import Settings


@pytest.fixture
def demo(sqlite_url: str, clock: FixedClock) -> Iterator[Runtime]:
    """SQLite only: the seed replays hours of demand, and the two databases are each tested
    on every service it calls."""
    rt = wired_runtime(Settings(database_url=sqlite_url, timer_enabled=False, log_json=False,
                                secret_key="test-secret"), clock)
    rt.database.create_all()
    seed(rt)
    yield rt
    rt.bus.close()
    rt.database.dispose()


def test_the_demo_force_has_two_missing_people_and_a_partner_referral(demo: Runtime) -> None:
    leader, partner = auth.find_user(demo, "teamleader"), auth.find_user(demo, "partner")
    assert leader is not None and partner is not None
    reports = {r.row.details["description"].split(",")[0]: r.row
               for r in missing.open_reports(demo, leader)}
    child = next(r for r in reports.values() if r.child_in_care)
    adult = next(r for r in reports.values() if r.dementia)
    assert (child.risk_level, child.age, child.referral_id is not None) == ("high", 14, True)
    assert (adult.risk_level, adult.age, adult.contact_id is not None) == ("high", 84, True)
    seen = referrals.list_referrals(demo, partner)
    assert [(r.agency_name, r.lawful_basis) for r in seen] == [
        ("Northshire Adult Social Care", "safeguarding_adults")]
    assert seen[0].extract["surname"] == "carr"
