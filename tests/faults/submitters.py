"""Clients that record contacts the way a call-handling integration must: each submission has
its own Idempotency-Key and is sent again, with the same key, after a dropped connection or a
5xx, until the service acknowledges it (201 stored, or 200 "already stored").

A fault test runs several of these while it breaks something, then checks the database
against what was acknowledged: every acknowledged contact stored, none stored twice.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from types import TracebackType

import httpx
from sqlalchemy import create_engine, text

from firstcontact.platform.db import normalise_url
from tests.live_server import firstcontact
from tests.risk.flow import CONTACT

USERNAME, PASSWORD = "faults.handler", "faults-passphrase-not-for-production"
GIVE_UP_SECONDS = 60.0
"""A submission not acknowledged in this long counts as lost (the test then fails)."""
RETRY_PAUSE_SECONDS = 0.1


@dataclass
class Submission:
    key: str
    contact_id: int | None = None
    tries: list[int | str] = field(default_factory=list)
    """Each try's HTTP status, or the name of the transport error."""
    unavailable_detail: str | None = None
    """The message of the first 503 this submission was given, if any."""


def create_handler(env: dict[str, str]) -> None:
    firstcontact("users", "create", "--username", USERNAME, "--display-name", "Faults Handler",
                 "--role", "call_handler", "--password", PASSWORD, env=env)


def sign_in(url: str) -> dict[str, str]:
    response = httpx.post(f"{url}/api/session", timeout=30,
                          json={"username": USERNAME, "password": PASSWORD})
    response.raise_for_status()
    return {"Authorization": f"Bearer {response.json()['token']}"}


def submit(client: httpx.Client, headers: dict[str, str], give_up_at: float) -> Submission:
    """One contact, retried with its key until acknowledged, refused (4xx) or given up."""
    sent = Submission(uuid.uuid4().hex)
    while time.monotonic() < give_up_at:
        try:
            answer = client.post("/api/contacts", json=CONTACT,
                                 headers=headers | {"Idempotency-Key": sent.key})
        except httpx.TransportError as error:
            sent.tries.append(type(error).__name__)
            time.sleep(RETRY_PAUSE_SECONDS)
            continue
        sent.tries.append(answer.status_code)
        if answer.status_code in (200, 201):
            sent.contact_id = int(answer.json()["id"])
            return sent
        if answer.status_code == 503 and sent.unavailable_detail is None:
            sent.unavailable_detail = str(answer.json().get("detail"))
        if answer.status_code < 500:
            return sent
        time.sleep(RETRY_PAUSE_SECONDS)
    return sent


class LoadRun:
    """`clients` threads submitting contacts back to back until the block ends; the
    submission in hand when it ends is still seen through to acknowledgement."""

    def __init__(self, url: str, headers: dict[str, str], clients: int = 4) -> None:
        self.url, self.headers = url, headers
        self.submissions: list[Submission] = []
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._threads = [threading.Thread(target=self._client, daemon=True)
                         for _ in range(clients)]

    def _client(self) -> None:
        # A new connection for each try, as many clients behind a load balancer would make:
        # so the workers sharing the port each get some, and a retry is not tied to the old.
        fresh = httpx.Limits(max_keepalive_connections=0)
        with httpx.Client(base_url=self.url, timeout=10, limits=fresh) as client:
            while not self._stopping.is_set():
                done = submit(client, self.headers, time.monotonic() + GIVE_UP_SECONDS)
                with self._lock:
                    self.submissions.append(done)

    def acknowledged(self) -> int:
        with self._lock:
            return sum(1 for s in self.submissions if s.contact_id is not None)

    def wait_for_acknowledged(self, count: int, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while self.acknowledged() < count:
            assert time.monotonic() < deadline, (
                f"{self.acknowledged()} of {count} contacts acknowledged in {timeout:g} s; "
                f"answers: {Counter(self.tries())}")
            time.sleep(0.05)

    def tries(self) -> list[int | str]:
        with self._lock:
            return [attempt for s in self.submissions for attempt in s.tries]

    def __enter__(self) -> LoadRun:
        for thread in self._threads:
            thread.start()
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self._stopping.set()
        for thread in self._threads:
            thread.join(GIVE_UP_SECONDS + 15)


def stored_by_key(database_url: str) -> dict[str, list[int]]:
    """Every stored contact that was sent with an Idempotency-Key: key -> contact ids."""
    engine = create_engine(normalise_url(database_url))
    try:
        with engine.connect() as connection:
            rows = connection.execute(text(
                "SELECT idempotency_key, id FROM contacts WHERE idempotency_key IS NOT NULL"))
            stored: dict[str, list[int]] = {}
            for key, contact_id in rows:
                stored.setdefault(key, []).append(contact_id)
            return stored
    finally:
        engine.dispose()


def assert_each_acknowledged_contact_stored_once(run: LoadRun, database_url: str) -> None:
    """Nothing acknowledged lost, nothing stored twice, and no submission left unanswered."""
    stored = stored_by_key(database_url)
    unanswered = [s.tries for s in run.submissions if s.contact_id is None]
    assert not unanswered, f"submissions never acknowledged: {unanswered[:5]}"
    for sent in run.submissions:
        assert stored.get(sent.key) == [sent.contact_id], (sent, stored.get(sent.key))
    assert len(stored) == len(run.submissions)
    assert sum(len(ids) for ids in stored.values()) == len(run.submissions)
