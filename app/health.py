"""Liveness (/health, no dependencies), readiness for calls (/ready: DB, LiveKit, a registered
agent worker, and the agents' free capacity) and /metrics."""

from __future__ import annotations

import asyncio
from typing import Literal

from fastapi import APIRouter, Response
from fastapi.responses import JSONResponse
from livekit import api as lkapi
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, generate_latest
from pydantic import BaseModel, Field

from app.deps import SessionDep, SettingsDep
from app.metrics import DatabaseCollector
from app.supervision.capacity import current_capacity
from core.config import get_settings
from core.db import session_scope

router = APIRouter(tags=["health"])


@router.get("/health", summary="Liveness: the process answers")
def health() -> dict[str, str]:
    return {"status": "ok"}


async def _livekit_reachable() -> str | None:
    s = get_settings()
    try:
        async with lkapi.LiveKitAPI(
            s.livekit_url, s.livekit_api_key, s.livekit_api_secret.get_secret_value()
        ) as client:
            await asyncio.wait_for(client.room.list_rooms(lkapi.ListRoomsRequest()), timeout=3)
        return None
    except Exception as exc:  # any failure means "not ready"; the reason is reported
        return f"{type(exc).__name__}: {exc}"[:300]


class CapacityOut(BaseModel):
    workers: int = Field(description="Agent workers registered (heartbeat within 3 beats)")
    max_calls: int
    active_calls: int
    free_calls: int
    free_browser_calls: int


class ReadyOut(BaseModel):
    status: Literal["ok", "unavailable"]
    checks: dict[str, str] = Field(description='"ok" or "error: <why>" per dependency',
                                   examples=[{"database": "ok", "livekit": "ok",
                                              "agents": "ok"}])
    capacity: CapacityOut | None = Field(None, description="What the agents can take now")


@router.get("/ready", summary="Readiness for calls: database and LiveKit reachable, an agent "
            "worker registered; the agents' free capacity",
            response_model=ReadyOut,
            responses={503: {"model": ReadyOut, "description": "A dependency is unreachable"}})
async def ready() -> JSONResponse:
    checks: dict[str, str] = {}
    capacity: CapacityOut | None = None
    try:
        capacity = await asyncio.to_thread(_capacity)
        checks["database"] = "ok"
        checks["agents"] = "ok" if capacity.workers else "error: no agent worker registered"
    except Exception as exc:
        checks["database"] = f"error: {type(exc).__name__}"
    lk_error = await _livekit_reachable()
    checks["livekit"] = "ok" if lk_error is None else f"error: {lk_error}"
    ok = all(v == "ok" for v in checks.values())
    body = ReadyOut(status="ok" if ok else "unavailable", checks=checks, capacity=capacity)
    return JSONResponse(body.model_dump(), status_code=200 if ok else 503)


def _capacity() -> CapacityOut:
    with session_scope() as db:
        c = current_capacity(db, get_settings())
    return CapacityOut(workers=c.workers, max_calls=c.max_calls, active_calls=c.active_calls,
                       free_calls=c.free_calls, free_browser_calls=c.free_browser_calls)


@router.get("/metrics", summary="Prometheus metrics", include_in_schema=False)
def metrics(session: SessionDep, settings: SettingsDep) -> Response:
    """This process's metrics (the supervisor's counters among them), then the contact
    center as the database sees it now (app/metrics.py)."""
    scrape = CollectorRegistry(auto_describe=False)
    scrape.register(DatabaseCollector(session, settings))
    return Response(generate_latest(REGISTRY) + generate_latest(scrape),
                    media_type=CONTENT_TYPE_LATEST)
