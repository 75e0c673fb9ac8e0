"""The event bus: how a change in one place reaches live queues and dashboards everywhere.

Services stage events on their session (`platform.db.stage_event`); `Database.transaction()`
hands them to `Bus.publish` after the commit. Subscribers are async (SSE and websocket
handlers) and get an asyncio queue bound to their own event loop.
"""

from __future__ import annotations

import asyncio
import threading
from dataclasses import dataclass, field
from typing import Any, Protocol


@dataclass(frozen=True)
class Event:
    """Something that happened. `topic` is dotted ("incident.opened"); payload is JSON-able."""

    topic: str
    payload: dict[str, Any] = field(default_factory=dict)


class Subscription:
    """One listener's queue of events. Created inside the listener's running event loop."""

    def __init__(self, topics: frozenset[str], bus: Bus) -> None:
        self.topics = topics
        self.queue: asyncio.Queue[Event] = asyncio.Queue()
        self._loop = asyncio.get_running_loop()
        self._bus = bus

    def wants(self, event: Event) -> bool:
        return not self.topics or any(
            event.topic == t or event.topic.startswith(t + ".") for t in self.topics
        )

    def deliver(self, event: Event) -> None:
        """Thread-safe: called from whichever thread published or received the event."""
        if self.wants(event) and not self._loop.is_closed():
            self._loop.call_soon_threadsafe(self.queue.put_nowait, event)

    def close(self) -> None:
        self._bus.unsubscribe(self)


class Bus(Protocol):
    def publish(self, events: list[Event]) -> None: ...

    def subscribe(self, topics: frozenset[str] = frozenset()) -> Subscription: ...

    def unsubscribe(self, subscription: Subscription) -> None: ...

    def close(self) -> None: ...


class LocalFanout:
    """The subscriber list both bus adapters share: deliver one event to every local listener."""

    def __init__(self) -> None:
        self._subscriptions: list[Subscription] = []
        self._lock = threading.Lock()

    def add(self, subscription: Subscription) -> None:
        with self._lock:
            self._subscriptions.append(subscription)

    def remove(self, subscription: Subscription) -> None:
        with self._lock:
            if subscription in self._subscriptions:
                self._subscriptions.remove(subscription)

    def deliver(self, event: Event) -> None:
        with self._lock:
            listeners = list(self._subscriptions)
        for subscription in listeners:
            subscription.deliver(event)


class InProcessBus:
    """The bus for a single process (SQLite installations)."""

    def __init__(self) -> None:
        self._fanout = LocalFanout()

    def publish(self, events: list[Event]) -> None:
        for event in events:
            self._fanout.deliver(event)

    def subscribe(self, topics: frozenset[str] = frozenset()) -> Subscription:
        subscription = Subscription(topics, self)
        self._fanout.add(subscription)
        return subscription

    def unsubscribe(self, subscription: Subscription) -> None:
        self._fanout.remove(subscription)

    def close(self) -> None:
        return None
