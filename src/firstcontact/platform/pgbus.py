"""The bus across workers: PostgreSQL LISTEN/NOTIFY, so live queues and chat reach every
`firstcontact serve` process behind the load balancer with no extra server.

Every event, including one this process published, comes back through the database and is
delivered to local subscribers once, by the listener thread. NOTIFY is not durable: events
sent while a listener is reconnecting are lost to it, which is acceptable because the
database, not the bus, is the record; screens catch up on their next fetch.
"""

from __future__ import annotations

import json
import logging
import threading

import psycopg

from firstcontact.platform.events import Event, LocalFanout, Subscription

log = logging.getLogger(__name__)

CHANNEL = "firstcontact"
NOTIFY_LIMIT = 7999
"""PostgreSQL refuses NOTIFY payloads of 8000 bytes or more."""

POLL_SECONDS = 0.2
"""How long the listener waits for a notification before checking whether to stop."""

MAX_BACKOFF_SECONDS = 30.0


def libpq_url(url: str) -> str:
    """psycopg wants postgresql://, not SQLAlchemy's postgresql+psycopg://."""
    return url.replace("postgresql+psycopg://", "postgresql://", 1)


def encode(event: Event) -> str:
    return json.dumps({"topic": event.topic, "payload": event.payload}, default=str,
                      separators=(",", ":"), ensure_ascii=False)


def decode(text: str) -> Event:
    body = json.loads(text)
    return Event(topic=str(body["topic"]), payload=dict(body.get("payload") or {}))


class PostgresBus:
    """The `Bus` over LISTEN/NOTIFY. One connection publishes (under a lock), another listens."""

    def __init__(self, url: str, *, ready_timeout: float = 5.0) -> None:
        self.url = libpq_url(url)
        self._fanout = LocalFanout()
        self._publish_lock = threading.Lock()
        self._publisher: psycopg.Connection[tuple[object, ...]] | None = None
        self._closing = threading.Event()
        self._listening = threading.Event()
        self._listener = threading.Thread(target=self._listen_forever, name="pgbus-listener",
                                          daemon=True)
        self._listener.start()
        # So an event published straight after start-up is not missed by our own listener.
        if not self._listening.wait(ready_timeout):
            log.warning("event bus not yet listening after %ss; it keeps trying", ready_timeout)

    def publish(self, events: list[Event]) -> None:
        if self._closing.is_set():
            log.warning("bus closed; %d event(s) not sent", len(events))
            return
        with self._publish_lock:
            for event in events:
                self._notify(event)

    def _notify(self, event: Event) -> None:
        payload = encode(event)
        if len(payload.encode("utf-8")) > NOTIFY_LIMIT:
            log.error("event %s is too large for NOTIFY; not sent", event.topic)
            return
        for attempt in (1, 2):
            try:
                self._publishing_connection().execute(
                    "SELECT pg_notify(%s, %s)", (CHANNEL, payload))
                return
            except psycopg.OperationalError:
                self._drop_publisher()
                if attempt == 2:
                    raise

    def _publishing_connection(self) -> psycopg.Connection[tuple[object, ...]]:
        if self._publisher is None or self._publisher.closed:
            self._publisher = psycopg.connect(self.url, autocommit=True)
        return self._publisher

    def _drop_publisher(self) -> None:
        if self._publisher is not None:
            self._publisher.close()
            self._publisher = None

    def subscribe(self, topics: frozenset[str] = frozenset()) -> Subscription:
        subscription = Subscription(topics, self)
        self._fanout.add(subscription)
        return subscription

    def unsubscribe(self, subscription: Subscription) -> None:
        self._fanout.remove(subscription)

    def healthy(self) -> bool:
        """True while the listener holds its LISTEN connection (served by /metrics)."""
        return self._listening.is_set()

    def close(self) -> None:
        """Stop listening and close both connections; safe to call more than once."""
        self._closing.set()
        if self._listener.is_alive() and self._listener is not threading.current_thread():
            self._listener.join(timeout=5 * POLL_SECONDS + 1)
        with self._publish_lock:
            self._drop_publisher()

    def _listen_forever(self) -> None:
        delay = 0.5
        while not self._closing.is_set():
            try:
                self._listen()
                delay = 0.5
            except Exception as error:  # a listener that dies silently is worse than a retry
                self._listening.clear()
                log.warning("event bus lost PostgreSQL (%s); reconnecting in %.1fs",
                            type(error).__name__, delay)
                self._closing.wait(delay)
                delay = min(delay * 2, MAX_BACKOFF_SECONDS)

    def _listen(self) -> None:
        with psycopg.connect(self.url, autocommit=True) as connection:
            connection.execute(f"LISTEN {CHANNEL}")
            self._listening.set()
            while not self._closing.is_set():
                for notice in connection.notifies(timeout=POLL_SECONDS):
                    self._deliver(notice.payload)

    def _deliver(self, payload: str) -> None:
        try:
            event = decode(payload)
        except (ValueError, KeyError, TypeError):
            log.error("ignored a malformed event on channel %s", CHANNEL)
            return
        try:
            self._fanout.deliver(event)
        except RuntimeError:  # a subscriber's event loop closed as we delivered; it has gone
            log.debug("event %s not delivered to a closed subscriber", event.topic)
