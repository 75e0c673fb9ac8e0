"""The bus: one contract for every adapter, then what only PostgreSQL NOTIFY has to prove."""

from __future__ import annotations

import asyncio
import time

import psycopg
import pytest

from firstcontact.platform.db import stage_event
from firstcontact.platform.events import Bus, Event, Subscription
from firstcontact.platform.pgbus import PostgresBus, libpq_url
from firstcontact.platform.runtime import Runtime

OPENED = Event("incident.opened", {"incident": "INC-1", "grade": "immediate"})


async def next_event(subscription: Subscription, timeout: float = 5.0) -> Event:
    return await asyncio.wait_for(subscription.queue.get(), timeout)


async def nothing_more(subscription: Subscription, wait: float = 0.3) -> bool:
    await asyncio.sleep(wait)
    return subscription.queue.empty()


def test_a_subscriber_receives_a_published_event(bus: Bus) -> None:
    async def scenario() -> Event:
        subscription = bus.subscribe()
        bus.publish([OPENED])
        return await next_event(subscription)

    assert asyncio.run(scenario()) == OPENED


def test_a_subscriber_hears_only_the_topics_it_asked_for(bus: Bus) -> None:
    async def scenario() -> list[str]:
        subscription = bus.subscribe(frozenset({"incident"}))
        bus.publish([Event("contact.created"), Event("incidents.other"),
                     Event("incident.graded"), Event("incident")])
        heard = [(await next_event(subscription)).topic for _ in range(2)]
        assert await nothing_more(subscription)
        return heard

    assert asyncio.run(scenario()) == ["incident.graded", "incident"]


def test_each_event_is_delivered_exactly_once(bus: Bus) -> None:
    async def scenario() -> list[int]:
        subscription = bus.subscribe()
        bus.publish([Event("queue.changed", {"n": n}) for n in range(3)])
        heard = [(await next_event(subscription)).payload["n"] for _ in range(3)]
        assert await nothing_more(subscription)
        return heard

    assert asyncio.run(scenario()) == [0, 1, 2]


def test_an_unsubscribed_listener_hears_nothing_more(bus: Bus) -> None:
    async def scenario() -> bool:
        leaving, staying = bus.subscribe(), bus.subscribe()
        leaving.close()
        bus.publish([OPENED])
        await next_event(staying)
        return await nothing_more(leaving)

    assert asyncio.run(scenario())


def test_a_payload_survives_the_journey_intact(bus: Bus) -> None:
    event = Event("chat.message", {"text": "Help \u2013 I'm at Ynys Môn 🚑", "n": 3, "x": 1.5,
                                   "flags": [True, None], "nested": {"a": {"b": []}}})

    async def scenario() -> Event:
        subscription = bus.subscribe()
        bus.publish([event])
        return await next_event(subscription)

    assert asyncio.run(scenario()) == event


def test_closing_twice_is_harmless(bus: Bus) -> None:
    bus.close()
    bus.close()


def test_events_of_a_rolled_back_transaction_are_never_published(runtime: Runtime) -> None:
    async def scenario() -> list[str]:
        subscription = runtime.bus.subscribe()
        with pytest.raises(RuntimeError), runtime.database.transaction() as session:
            stage_event(session, Event("incident.opened", {"incident": "never"}))
            raise RuntimeError("grading failed")
        with runtime.database.transaction() as session:
            stage_event(session, Event("incident.opened", {"incident": "INC-2"}))
        heard = [(await next_event(subscription)).payload["incident"]]
        if not await nothing_more(subscription):
            heard.append((await next_event(subscription)).payload["incident"])
        return heard

    assert asyncio.run(scenario()) == ["INC-2"]


def test_one_worker_hears_what_another_worker_published(postgres_url: str) -> None:
    first, second = PostgresBus(postgres_url), PostgresBus(postgres_url)

    async def scenario() -> tuple[Event, Event]:
        here, there = first.subscribe(), second.subscribe()
        first.publish([OPENED])
        return await next_event(here), await next_event(there)

    try:
        assert asyncio.run(scenario()) == (OPENED, OPENED)
    finally:
        first.close()
        second.close()


def test_the_listener_reconnects_after_losing_its_connection(
        postgres_url: str, caplog: pytest.LogCaptureFixture) -> None:
    bus = PostgresBus(postgres_url)

    async def scenario() -> Event:
        subscription = bus.subscribe()
        with psycopg.connect(libpq_url(postgres_url), autocommit=True) as admin:
            admin.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                          "WHERE query LIKE 'LISTEN%' AND pid <> pg_backend_pid() "
                          "AND datname = current_database()")
        give_up = time.monotonic() + 10
        while time.monotonic() < give_up:
            bus.publish([OPENED])
            try:
                return await next_event(subscription, timeout=0.5)
            except TimeoutError:
                continue
        raise AssertionError("the bus never came back")

    try:
        assert asyncio.run(scenario()) == OPENED
    finally:
        bus.close()
    assert "event bus lost PostgreSQL" in caplog.text


def test_closing_is_prompt(postgres_url: str) -> None:
    bus = PostgresBus(postgres_url)
    started = time.monotonic()
    bus.close()
    assert time.monotonic() - started < 1.5


def test_an_event_too_large_for_notify_is_dropped_and_the_bus_carries_on(
        postgres_url: str, caplog: pytest.LogCaptureFixture) -> None:
    bus = PostgresBus(postgres_url)

    async def scenario() -> Event:
        subscription = bus.subscribe()
        bus.publish([Event("chat.message", {"text": "x" * 9000}), OPENED])
        return await next_event(subscription)

    try:
        assert asyncio.run(scenario()) == OPENED
    finally:
        bus.close()
    assert "too large for NOTIFY" in caplog.text
