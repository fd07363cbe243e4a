"""The FastAPI application: admin API, token endpoint, test-call page, health."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

from app import health
from app.calls.routes import router as calls_router
from app.departments.routes import router as departments_router
from app.errors import install_error_handlers
from app.knowledge.routes import router as knowledge_router
from app.numbers.routes import router as numbers_router
from app.routing_examples.routes import router as examples_router
from app.sync.routes import router as sip_router
from app.sync.startup import reconcile_on_startup
from app.token.routes import router as token_router
from app.trunks.routes import router as trunks_router
from app.web import routes as web
from core.config import get_settings


@asynccontextmanager
async def _reconciling(_: FastAPI) -> AsyncIterator[None]:
    task = asyncio.create_task(reconcile_on_startup(), name="startup-sip-sync")
    try:
        yield
    finally:
        task.cancel()


def _show_app_logs(level: str) -> None:
    """uvicorn configures only its own loggers; make ours visible at LOG_LEVEL too."""
    for name in ("app", "sip"):
        logger = logging.getLogger(name)
        logger.setLevel(level.upper())
        if not logger.handlers:
            handler = logging.StreamHandler()
            handler.setFormatter(logging.Formatter("%(levelname)s:     %(name)s: %(message)s"))
            logger.addHandler(handler)


def create_app(*, reconcile_on_startup: bool = False) -> FastAPI:
    """The app; the served one (`app` below) also reconciles LiveKit from the DB at start."""
    settings = get_settings()
    _show_app_logs(settings.log_level)
    application = FastAPI(
        lifespan=_reconciling if reconcile_on_startup else None,
        title="Contact Center",
        version="0.1.0",
        description="Admin API for departments, routing examples, knowledge, phone numbers, "
        "SIP trunks and call records; browser-call tokens; test-call page.",
    )
    application.add_middleware(
        CORSMiddleware,
        allow_origins=settings.cors_origins,
        allow_methods=["*"],
        allow_headers=["*"],
    )
    application.include_router(health.router)
    install_error_handlers(application)
    for router in (departments_router, examples_router, knowledge_router, numbers_router,
                   trunks_router, calls_router, sip_router):
        application.include_router(router)
    application.include_router(token_router)
    web.install(application)  # /, /call, /static (keep last: it mounts /static)
    return application


app = create_app(reconcile_on_startup=True)
