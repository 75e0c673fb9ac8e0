"""create_app(settings): builds the FastAPI app and wires the rooms together.

This is the only module that knows every room. Each room offers an `api.router` (JSON, under
/api) and a `views.router` (HTML pages); the timer loop is handed each room's deadline kinds.
"""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from firstcontact import __version__
from firstcontact.contacts import api as contacts_api
from firstcontact.contacts import chat_views, desk, desk_views, online_views, social_api
from firstcontact.contacts import service as contacts_service
from firstcontact.contacts import views as contacts_views
from firstcontact.demand import api as demand_api
from firstcontact.demand import policy as demand_policy
from firstcontact.demand import service as demand_service
from firstcontact.demand import views as demand_views
from firstcontact.harm import api as harm_api
from firstcontact.harm import service as harm_service
from firstcontact.harm import views as harm_views
from firstcontact.missing import api as missing_api
from firstcontact.missing import policy as missing_policy
from firstcontact.missing import service as missing_service
from firstcontact.missing import views as missing_views
from firstcontact.people import api as people_api
from firstcontact.people import policy as people_policy
from firstcontact.people import referral_views
from firstcontact.people import service as people_service
from firstcontact.people import views as people_views
from firstcontact.platform import health, metrics
from firstcontact.platform.clock import Clock
from firstcontact.platform.deadlines import DeadlineHandler, TimerLoop
from firstcontact.platform.logging import configure_logging
from firstcontact.platform.runtime import GrowthStep, IntakeStep, Runtime, build_runtime
from firstcontact.quality import api as quality_api
from firstcontact.quality import nightly, report_policy, report_views, telephony_api
from firstcontact.quality import policy as quality_policy
from firstcontact.quality import views as quality_views
from firstcontact.quality.telephony import MAX_FILE_BYTES
from firstcontact.records import api as records_api
from firstcontact.records import policy as records_policy
from firstcontact.risk import api as risk_api
from firstcontact.risk import views as risk_views
from firstcontact.settings import Settings
from firstcontact.victims import api as victims_api
from firstcontact.victims import service as victims_service
from firstcontact.victims import views as victims_views
from firstcontact.web import api_docs, errors, login, middleware, pages, static


def timer_handlers() -> dict[str, DeadlineHandler]:
    """Every kind of deadline the timer loop fires, and the room that handles it."""
    return {**demand_service.DEADLINE_HANDLERS, **victims_service.DEADLINE_HANDLERS,
            **desk.DEADLINE_HANDLERS, **missing_service.DEADLINE_HANDLERS,
            **nightly.DEADLINE_HANDLERS}


def intake_steps() -> list[IntakeStep]:
    """What happens to every new contact after it is safely stored, in this order."""
    return [harm_service.intake_step(), people_service.link_contact, desk.place_on_desk]


def growth_steps() -> list[GrowthStep]:
    """What happens each time a conversation's contact hears more from the public."""
    return [harm_service.scan_grown_contact]


def metric_sources() -> list[metrics.FigureSource]:
    """Each room's figures for /metrics, read from the database when scraped."""
    return [contacts_service.figures, demand_service.figures, victims_service.figures,
            missing_service.figures]


def wired_runtime(settings: Settings, clock: Clock | None = None) -> Runtime:
    """The runtime with every room's intake steps: what the server, the CLI and tests use."""
    rt = build_runtime(settings, clock)
    desk.policy()  # the desk's data file is checked at start-up: a fault stops the server
    rt.intake_steps.extend(intake_steps())
    rt.growth_steps.extend(growth_steps())
    return rt


def create_app(settings: Settings | None = None, *, clock: Clock | None = None,
               runtime: Runtime | None = None) -> FastAPI:
    settings = settings or Settings()
    configure_logging(settings)
    people_policy.check_all()
    missing_policy.missing_policy()  # checked at start-up: a fault stops the server
    records_policy.retention_policy()  # the retention schedule, likewise
    quality_policy.check_all()  # the QA sampling policy and review criteria, likewise
    rt = runtime or wired_runtime(settings, clock)
    demand_policy.resources()  # a mistake in the resources file stops start-up, named
    report_policy.report_policy()  # so does a mistake in the service report's standards

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # What start-up built (the hidden-harm scanner above all) lives as long as the worker:
        # kept out of the garbage collector's full passes, which would otherwise walk it while
        # a chat message waits.
        gc.collect()
        gc.freeze()
        timer = TimerLoop(rt, timer_handlers())
        if settings.timer_enabled:
            nightly.ensure_scheduled(rt)  # the nightly QA sampling, if nothing has it waiting
            timer.start()
        try:
            yield
        finally:
            timer.stop()
            rt.bus.close()
            rt.database.dispose()

    app = FastAPI(
        title="firstcontact",
        version=__version__,
        description="Contact, THRIVE risk assessment and incident API for a Force Control "
        "and Incident Room. Authenticate with POST /api/session and send the token as "
        "`Authorization: Bearer <token>`.",
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
    )
    app.state.runtime = rt
    # Call-event files are larger than any form: a file of MAX_FILE_BYTES, with room to spare
    # for the form around it, reaches the upload routes, which refuse it in their own words.
    middleware.install(app, settings, larger=dict.fromkeys(
        (telephony_api.PATH, report_views.UPLOAD_PATH), MAX_FILE_BYTES + 1024 * 1024))
    errors.install(app)
    static.mount(app, settings)
    for router in (health.router, api_docs.router, login.router, login.api_router, pages.router,
                   contacts_api.router, contacts_views.router, risk_api.router,
                   risk_views.router, demand_api.router, demand_views.router,
                   harm_api.router, harm_views.router, victims_api.router,
                   victims_views.router, online_views.router, desk_views.router,
                   people_api.router, people_api.partners_router, people_views.router,
                   social_api.router, chat_views.router, chat_views.api_router,
                   risk_api.incidents_router, demand_api.units_router, missing_api.router,
                   missing_views.router, referral_views.router, records_api.router,
                   report_views.router, telephony_api.router, quality_api.router,
                   quality_views.router):
        app.include_router(router)
    metrics.install(app, rt, metric_sources())
    return app
