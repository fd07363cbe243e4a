"""The FastAPI application: admin API, token endpoint, test-call page, health."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

from app import health
from app.config import get_settings


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
    return application


app = create_app()
