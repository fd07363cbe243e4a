"""The FastAPI application: admin API, token endpoint, test-call page, health."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

from app import health, openapi
from app.body_limit import BodyLimitMiddleware
from app.callbacks.routes import router as callbacks_router
from app.callbacks.scheduler import run_periodically as place_callbacks
from app.calls.retention import purge_periodically
from app.calls.routes import router as calls_router
from app.console import routes as console
from app.departments.routes import router as departments_router
from app.errors import install_error_handlers
from app.hours.routes import router as hours_router
from app.knowledge.routes import router as knowledge_router
from app.numbers.routes import router as numbers_router
from app.routing_examples.routes import router as examples_router
from app.supervision.supervisor import Supervisor
from app.supervision.webhook import router as livekit_webhook_router
from app.sync.routes import router as sip_router
from app.sync.startup import reconcile_on_startup
from app.token.routes import document_auth
from app.token.routes import router as token_router
from app.trunks.routes import router as trunks_router
from app.web import routes as web
from app.webhooks import docs as webhook_docs
from app.webhooks.delivery import deliver_periodically
from app.webhooks.routes import router as webhooks_router
from core.config import Settings, get_settings
from core.logging import show_logs
from core.pii import RedactNumbers


@asynccontextmanager
async def _background(_: FastAPI) -> AsyncIterator[None]:
    """The served API's own work: reconcile LiveKit once at start; supervise calls (callers
    no agent answers, records of dead agents); purge expired call records and recordings
    periodically when CALL_RETENTION_DAYS / RECORDING_RETENTION_DAYS are set; deliver
    webhooks from the outbox (WEBHOOK_DELIVERY); place due callbacks when
    CALLBACK_SCHEDULER is true."""
    settings = get_settings()
    tasks = [asyncio.create_task(reconcile_on_startup(), name="startup-sip-sync"),
             asyncio.create_task(Supervisor(settings).run_forever(), name="call-supervision")]
    if settings.callback_scheduler:
        tasks.append(asyncio.create_task(place_callbacks(settings), name="callbacks"))
    if settings.call_retention_days or settings.recording_retention_days:
        tasks.append(asyncio.create_task(purge_periodically(settings), name="retention"))
    if settings.webhook_delivery:
        tasks.append(asyncio.create_task(deliver_periodically(settings), name="webhooks"))
    try:
        yield
    finally:
        for task in tasks:
            task.cancel()


def create_app(*, background: bool = False, settings: Settings | None = None) -> FastAPI:
    """The app; the served one (`app` below) also runs its background work (`_background`)."""
    settings = settings or get_settings()
    # phone numbers cut to their last digits (sync reports name numbers)
    show_logs(("app", "sip"), settings.log_level, RedactNumbers())
    application = FastAPI(
        lifespan=_background if background else None,
        title="Contact Center",
        version="0.1.0",
        description="Admin API for departments (and their business hours), routing examples, "
        "knowledge, phone numbers, SIP trunks, call records (summaries, outcomes, "
        "recordings), callbacks and webhook subscriptions; browser-call tokens; test-call "
        "page; the supervisor console (/console), whose session cookie the admin API also "
        "accepts. Every error is "
        'JSON `{"error", "detail", "field"}`. The events this API POSTs to webhook '
        "subscribers are under `webhooks`, with how they are signed.",
    )
    application.add_middleware(
        CORSMiddleware,
        allow_origins=settings.cors_origins,
        allow_methods=["*"],
        allow_headers=["*"],
    )
    application.add_middleware(BodyLimitMiddleware, max_bytes=settings.api_max_body_bytes)
    application.include_router(health.router)
    install_error_handlers(application)
    for router in (departments_router, hours_router, examples_router, knowledge_router,
                   numbers_router, trunks_router, calls_router, callbacks_router,
                   webhooks_router, sip_router, livekit_webhook_router):
        application.include_router(router)
    application.include_router(token_router)
    console.install(application)  # /console: the supervisor console
    webhook_docs.install(application)  # the events, under the document's `webhooks`
    web.install(application)  # /, /call, /static (keep last: it mounts /static)
    openapi.install(application, document_auth(settings.token_requires_auth),
                    webhook_docs.receiver_answers_only)
    return application


app = create_app(background=True)
