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
from app.departments.routes import router as departments_router
from app.errors import install_error_handlers
from app.hours.routes import router as hours_router
from app.knowledge.routes import router as knowledge_router
from app.numbers.routes import router as numbers_router
from app.routing_examples.routes import router as examples_router
from app.sync.routes import router as sip_router
from app.sync.startup import reconcile_on_startup
from app.token.routes import document_auth
from app.token.routes import router as token_router
from app.trunks.routes import router as trunks_router
from app.web import routes as web
from core.config import Settings, get_settings
from core.logging import show_logs
from core.pii import RedactNumbers


@asynccontextmanager
async def _background(_: FastAPI) -> AsyncIterator[None]:
    """The served API's own work: reconcile LiveKit once at start; place due callbacks when
    CALLBACK_SCHEDULER is true; purge expired call records periodically when
    CALL_RETENTION_DAYS is set."""
    settings = get_settings()
    tasks = [asyncio.create_task(reconcile_on_startup(), name="startup-sip-sync")]
    if settings.callback_scheduler:
        tasks.append(asyncio.create_task(place_callbacks(settings), name="callbacks"))
    if settings.call_retention_days:
        tasks.append(asyncio.create_task(purge_periodically(settings), name="call-retention"))
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
        "knowledge, phone numbers, SIP trunks, call records and callbacks; browser-call "
        "tokens; test-call page. Every error is "
        'JSON `{"error", "detail", "field"}`.',
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
                   numbers_router, trunks_router, calls_router, callbacks_router, sip_router):
        application.include_router(router)
    application.include_router(token_router)
    web.install(application)  # /, /call, /static (keep last: it mounts /static)
    openapi.install(application, document_auth(settings.token_requires_auth))
    return application


app = create_app(background=True)
