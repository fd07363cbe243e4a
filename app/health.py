"""Liveness (/health, no dependencies), readiness (/ready: DB and LiveKit) and /metrics."""

from __future__ import annotations

import asyncio
from typing import Literal

from fastapi import APIRouter, Response
from fastapi.responses import JSONResponse
from livekit import api as lkapi
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from pydantic import BaseModel, Field
from sqlalchemy import text

from core.config import get_settings
from core.db import get_engine

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


class ReadyOut(BaseModel):
    status: Literal["ok", "unavailable"]
    checks: dict[str, str] = Field(description='"ok" or "error: <why>" per dependency',
                                   examples=[{"database": "ok", "livekit": "ok"}])


@router.get("/ready", summary="Readiness: database and LiveKit reachable",
            response_model=ReadyOut,
            responses={503: {"model": ReadyOut, "description": "A dependency is unreachable"}})
async def ready() -> JSONResponse:
    checks: dict[str, str] = {}
    try:
        with get_engine().connect() as conn:
            conn.execute(text("SELECT 1"))
        checks["database"] = "ok"
    except Exception as exc:
        checks["database"] = f"error: {type(exc).__name__}"
    lk_error = await _livekit_reachable()
    checks["livekit"] = "ok" if lk_error is None else f"error: {lk_error}"
    ok = all(v == "ok" for v in checks.values())
    body = ReadyOut(status="ok" if ok else "unavailable", checks=checks)
    return JSONResponse(body.model_dump(), status_code=200 if ok else 503)


@router.get("/metrics", summary="Prometheus metrics", include_in_schema=False)
def metrics() -> Response:
    return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)
