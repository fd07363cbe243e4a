"""The FastAPI application: admin API, token endpoint, test-call page, health."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

from app import health
from app.calls.routes import router as calls_router
from app.config import get_settings
from app.departments.routes import router as departments_router
from app.errors import install_error_handlers
from app.numbers.routes import router as numbers_router
from app.sync.routes import router as sip_router
from app.token.routes import router as token_router
from app.trunks.routes import router as trunks_router
from app.web import routes as web


def create_app() -> FastAPI:
    settings = get_settings()
    application = FastAPI(
        title="Contact Center",
        version="0.1.0",
        description="Admin API for departments, phone numbers, SIP trunks and call records; "
        "browser-call tokens; test-call page.",
    )
    application.add_middleware(
        CORSMiddleware,
        allow_origins=settings.cors_origins,
        allow_methods=["*"],
        allow_headers=["*"],
    )
    application.include_router(health.router)
    install_error_handlers(application)
    for router in (departments_router, numbers_router, trunks_router, calls_router,
                   sip_router):
        application.include_router(router)
    application.include_router(token_router)
    web.install(application)  # /, /call, /static (keep last: it mounts /static)
    return application


app = create_app()
