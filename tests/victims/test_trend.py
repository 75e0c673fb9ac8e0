"""The compliance trend chart: % delivered on time per month per MoJ measure, as SVG with no
inline script or style, each bar drilling down to the month's victims."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from fastapi.testclient import TestClient

from firstcontact.platform.barchart import HEIGHT, NO_FIGURE
from firstcontact.platform.clock import FixedClock
from firstcontact.platform.model import Role
from firstcontact.platform.runtime import Runtime
from firstcontact.victims.compliance import Figure
from firstcontact.victims.trend import trend
from tests.staff import api_headers, sign_in
from tests.victims.conftest import record_crime, victim_of
from tests.victims.test_compliance import deliver


def month_figure(code: str, month: str, owed: int, on_time: int) -> Figure:
    return Figure(code, "month", month, owed, on_time, on_time, 0, 0, owed - on_time, None)


def test_bars_are_as_tall_as_the_percentage_on_time_and_empty_months_show_a_dash() -> None:
    chart = trend([month_figure("support_referral", "2026-03", 4, 3),
                   month_figure("written_acknowledgement", "2026-03", 4, 0),
                   month_figure("support_referral", "2026-04", 2, 2),
                   month_figure("needs_assessment", "2026-04", 2, 2)])
    assert chart.months == ["2026-03", "2026-04"]
    bars = {(b.code, b.month): b for b in chart.bars}
    assert len(bars) == 4
    assert bars["support_referral", "2026-03"].height == 0.75 * HEIGHT
    assert bars["support_referral", "2026-03"].label == "75%"
    assert bars["support_referral", "2026-04"].y == 0
    assert bars["written_acknowledgement", "2026-03"].label == "0%"
    assert bars["written_acknowledgement", "2026-04"].label == NO_FIGURE
    assert bars["written_acknowledgement", "2026-04"].height == 0


def test_the_compliance_page_draws_the_trend_and_each_bar_leads_to_the_months_victims(
        client: TestClient, runtime: Runtime, clock: FixedClock, handler: dict[str, str],
        care: dict[str, str]) -> None:
    march = victim_of(client, care, record_crime(client, handler))
    deliver(client, runtime, clock, march, datetime(2026, 3, 16, 9, 30, tzinfo=UTC))
    clock.set(datetime(2026, 4, 2, 9, tzinfo=UTC))
    handler = api_headers(client, runtime, Role.CALL_HANDLER)  # a new shift's session
    care = api_headers(client, runtime, Role.VICTIM_CARE)
    april = victim_of(client, care, record_crime(client, handler, "CR-THE"))
    sign_in(client, runtime, Role.VICTIM_CARE)
    page = client.get("/victims/compliance", params={"from": "2026-03-01", "to": "2026-04-30"})
    assert page.status_code == 200
    svg = page.text[page.text.index('<svg class="fc-chart fc-chart--wide"'):]
    svg = svg[:svg.index("</svg>")]
    assert "<script" not in svg and "style=" not in svg
    assert "2026-03" in svg and "2026-04" in svg
    assert "Referred to support services, 2026-03: 100% on time" in svg
    assert "Referred to support services, 2026-04: 0% on time" in svg
    links = re.findall(r'<a href="([^"]+)"', svg)
    assert len(links) == 4
    april_referral = next(link for link in links if "value=2026-04" in link
                          and "support_referral" in link).replace("&amp;", "&")
    behind = client.get(april_referral)
    assert behind.status_code == 200
    assert april["crime_reference"] in behind.text
    assert march["crime_reference"] not in behind.text


def test_a_team_leader_sees_the_chart_without_the_victims_behind_it(
        client: TestClient, runtime: Runtime, handler: dict[str, str],
        care: dict[str, str]) -> None:
    victim_of(client, care, record_crime(client, handler))
    sign_in(client, runtime, Role.TEAM_LEADER)
    page = client.get("/victims/compliance", params={"from": "2026-03-01", "to": "2026-03-31"})
    assert page.status_code == 200 and 'id="trend"' in page.text
    link = re.findall(r'<a href="(/victims/compliance/behind[^"]+split=month[^"]+)"', page.text)
    assert client.get(link[0].replace("&amp;", "&")).status_code == 403
