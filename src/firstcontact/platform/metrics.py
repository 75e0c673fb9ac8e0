"""GET /metrics: the platform's figures in Prometheus text format, for the force's monitoring.

Two kinds of figure, kept apart on purpose because they behave differently with several
workers behind a load balancer:

* **Per-request figures** (requests by route template and status, latency) are counted in
  each worker process by `prometheus_client`. With one worker they live in the default
  registry. With several, `firstcontact serve --workers N` sets PROMETHEUS_MULTIPROC_DIR
  before the workers start, each worker writes its counts to files there, and a scrape of
  any worker adds them all up (prometheus_client's multiprocess mode). Without that, each
  scrape would see one worker's share, chosen by the load balancer.
* **Figures about the work** (contacts taken in, open incidents, overdue reviews, pending
  deadlines, entitlement states) are read from the database at scrape time. The database is
  the one truth every worker shares, so any worker answers the same, a restart loses
  nothing, and no counter can drift from what is really stored. The rooms supply these
  through `FigureSource` hooks that app.py hands to `install`; this module knows no policing.

Access: the figures describe live demand, so they are not public. A scraper sends
`Authorization: Bearer <FIRSTCONTACT_METRICS_TOKEN>`; with no token set, only a client on the
loopback address (a scraper or sidecar on the same host) is answered. Anyone else gets 403.
"""

from __future__ import annotations

import hmac
import ipaddress
import os
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, Literal

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import PlainTextResponse, Response
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from firstcontact.platform.deadlines import Deadline, DeadlineState

if TYPE_CHECKING:
    from firstcontact.platform.runtime import Runtime

MULTIPROCESS_VARIABLE = "PROMETHEUS_MULTIPROC_DIR"

REQUESTS = Counter("firstcontact_http_requests", "HTTP requests answered, by route template",
                   ["method", "route", "status"])
LATENCY = Histogram("firstcontact_http_request_duration_seconds",
                    "Time to answer an HTTP request, by route template", ["method", "route"],
                    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0))


@dataclass(frozen=True)
class Figure:
    """One metric family read from the database: (label values, value) samples."""

    name: str
    help: str
    labels: tuple[str, ...] = ()
    samples: Sequence[tuple[tuple[str, ...], float]] = field(default_factory=list)
    kind: Literal["gauge", "counter"] = "gauge"


FigureSource = Callable[[Session, datetime], Iterable[Figure]]
"""A room's figures, read inside one short read transaction at `now`."""


def grouped(session: Session, *columns: object, where: object = True) -> list[tuple[str, ...]]:
    """Rows of (label..., count) for `SELECT columns, count(*) GROUP BY columns`: the shape
    most figures take. Rooms call it with their own table's columns."""
    query = select(*columns, func.count()).where(where).group_by(*columns)  # type: ignore[call-overload]
    return [tuple(row) for row in session.execute(query)]


def counts(rows: Iterable[tuple[object, ...]]) -> list[tuple[tuple[str, ...], float]]:
    """`grouped` rows as samples: every column but the last is a label value."""
    return [(tuple(str(value) for value in row[:-1]), float(str(row[-1]))) for row in rows]


def route_of(scope: Mapping[str, Any]) -> str:
    """The route template ("/api/contacts/{contact_id}"), never the raw path: raw paths
    carry ids and would make one series per record. Unrouted requests share one label."""
    route = scope.get("route")
    path = getattr(route, "path", None)
    return path if isinstance(path, str) and path else "unmatched"


def observe(scope: Mapping[str, Any], status: int, seconds: float) -> None:
    """Count one answered request (called by the web middleware for every HTTP request)."""
    method, route = str(scope.get("method", "")), route_of(scope)
    REQUESTS.labels(method, route, str(status)).inc()
    LATENCY.labels(method, route).observe(seconds)


def platform_figures(runtime: Runtime) -> FigureSource:
    """Deadlines by kind and state, the oldest overdue one, and whether the bus is listening:
    together they show a stalled timer loop or a lost bus before staff notice."""

    def figures(session: Session, now: datetime) -> Iterator[Figure]:
        pending = grouped(session, Deadline.kind, where=Deadline.state == DeadlineState.PENDING)
        yield Figure("firstcontact_deadlines_pending", "Deadlines waiting to fire, by kind",
                     ("kind",), counts(pending))
        failed = grouped(session, Deadline.kind, where=Deadline.state == DeadlineState.FAILED)
        yield Figure("firstcontact_deadlines_failed",
                     "Deadlines that gave up after repeated errors, by kind", ("kind",),
                     counts(failed))
        oldest = session.scalar(select(func.min(Deadline.due_at)).where(
            Deadline.state == DeadlineState.PENDING, Deadline.due_at <= now))
        late = (now - oldest).total_seconds() if oldest is not None else 0.0
        yield Figure("firstcontact_deadlines_oldest_overdue_seconds",
                     "How long the oldest due deadline has waited for the timer loop",
                     samples=[((), late)])
        healthy = getattr(runtime.bus, "healthy", None)
        up = healthy() if callable(healthy) else True
        yield Figure("firstcontact_bus_up", "1 when this worker's event bus is connected",
                     samples=[((), 1.0 if up else 0.0)])

    return figures


def _family(figure: Figure) -> Metric:
    family: GaugeMetricFamily | CounterMetricFamily
    if figure.kind == "counter":
        family = CounterMetricFamily(figure.name, figure.help, labels=list(figure.labels))
    else:
        family = GaugeMetricFamily(figure.name, figure.help, labels=list(figure.labels))
    for labels, value in figure.samples:
        family.add_metric(list(labels), value)
    return family


class DatabaseFigures(Collector):
    """Reads every source's figures in one short transaction when scraped."""

    def __init__(self, runtime: Runtime, sources: Sequence[FigureSource]) -> None:
        self.runtime, self.sources = runtime, sources

    def collect(self) -> Iterator[Metric]:
        now = self.runtime.clock.now()
        with self.runtime.database.sessions() as session:
            families = [_family(figure) for source in self.sources
                        for figure in source(session, now)]
        yield from families


def process_registry() -> CollectorRegistry:
    """Per-request figures: this process's, or every worker's in multiprocess mode."""
    if not os.environ.get(MULTIPROCESS_VARIABLE):
        return REGISTRY
    registry = CollectorRegistry()
    multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
    return registry


def allowed(request: Request, token: str) -> bool:
    """A matching bearer token, or (with no token configured) a loopback client."""
    if token:
        scheme, _, sent = request.headers.get("authorization", "").partition(" ")
        return scheme.lower() == "bearer" and hmac.compare_digest(sent.strip().encode(),
                                                                   token.encode())
    host = request.client.host if request.client else ""
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def install(app: FastAPI, runtime: Runtime, sources: Sequence[FigureSource]) -> None:
    """Add GET /metrics to `app`, serving the process figures and `sources` (plus the
    platform's own deadline and bus figures)."""
    database = CollectorRegistry(auto_describe=False)
    database.register(DatabaseFigures(runtime, [platform_figures(runtime), *sources]))
    router = APIRouter()

    @router.get("/metrics", include_in_schema=False)
    def metrics(request: Request) -> Response:
        if not allowed(request, runtime.settings.metrics_token):
            return PlainTextResponse("metrics are for the force's monitoring only",
                                     status_code=403)
        body = generate_latest(process_registry()) + generate_latest(database)
        return Response(body, media_type=CONTENT_TYPE_LATEST)

    app.include_router(router)
