"""/console: the page, sign-in and sign-out, the live view's stream and the chart's data."""

from __future__ import annotations

import asyncio
import json
import secrets
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, FastAPI, Query, Request, Response
from fastapi.responses import FileResponse, StreamingResponse
from fastapi.staticfiles import StaticFiles
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from app.console import live, stats
from app.console.session import COOKIE, new_session, read_session, secure_cookie
from app.deps import AdminDep, SessionDep, SettingsDep
from app.errors import Unauthorized, responses
from app.pagination import UtcQueryDateTime
from app.token.ratelimit import RateLimiter
from app.token.routes import client_address
from app.token.service import RateLimited
from core import clock
from core.config import Settings
from core.db import session_scope

STATIC_DIR = Path(__file__).resolve().parent / "static"
SIGN_INS_PER_MINUTE = 10  # per client address and API process: guessing the key stays slow
# the page loads only its own files; nothing may frame it
PAGE_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; "
                               "media-src 'self'; frame-ancestors 'none'; base-uri 'none'; "
                               "form-action 'self'",
    "X-Frame-Options": "DENY", "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff", "Cache-Control": "no-store",
}

router = APIRouter(prefix="/console", tags=["console"])


@router.get("", include_in_schema=False)
def console_page() -> FileResponse:
    return FileResponse(STATIC_DIR / "console.html", headers=PAGE_HEADERS)


class SignIn(BaseModel):
    admin_key: str = Field(min_length=1, max_length=512, description="ADMIN_API_KEY")


class SessionOut(BaseModel):
    signed_in: bool
    csrf_token: str | None = Field(
        None, description="Send back in X-CSRF-Token with every change (POST, PATCH, ...)")
    expires_at: int | None = Field(None, description="Unix seconds")


def _limiter(request: Request) -> RateLimiter:
    limiter = getattr(request.app.state, "console_sign_in_limiter", None)
    if limiter is None:
        limiter = request.app.state.console_sign_in_limiter = RateLimiter(SIGN_INS_PER_MINUTE)
    return limiter


@router.post("/session", response_model=SessionOut, responses=responses(401, 422, 429),
             summary="Sign in to the console with the admin key (sets the session cookie)")
def sign_in(body: SignIn, request: Request, response: Response,
            settings: SettingsDep) -> SessionOut:
    retry_after = _limiter(request).hit(client_address(request))
    if retry_after is not None:
        raise RateLimited(retry_after)
    expected = settings.admin_api_key.get_secret_value().encode()
    if not secrets.compare_digest(body.admin_key.encode(), expected):
        raise Unauthorized("wrong admin key", field="admin_key")
    value, session = new_session(settings)
    response.set_cookie(COOKIE, value, max_age=int(session.expires_at - time.time()),
                        path="/", httponly=True, samesite="strict",
                        secure=secure_cookie(settings))
    return SessionOut(signed_in=True, csrf_token=session.csrf, expires_at=session.expires_at)


@router.get("/session", response_model=SessionOut,
            summary="Whether this browser is signed in (and its CSRF token when it is)")
def current_session(request: Request, settings: SettingsDep) -> SessionOut:
    session = read_session(settings, request.cookies.get(COOKIE))
    if session is None:
        return SessionOut(signed_in=False)
    return SessionOut(signed_in=True, csrf_token=session.csrf, expires_at=session.expires_at)


@router.delete("/session", status_code=204, summary="Sign out (clears the session cookie)")
def sign_out(settings: SettingsDep) -> Response:
    response = Response(status_code=204)
    response.delete_cookie(COOKIE, path="/", httponly=True, samesite="strict",
                           secure=secure_cookie(settings))
    return response


def _day_start(value: datetime | None) -> datetime:
    now = clock.now()
    return value or now.replace(hour=0, minute=0, second=0, microsecond=0)


DayStart = Annotated[UtcQueryDateTime | None, Query(
    description="Where today starts for the counters (the browser's midnight); "
                "default midnight UTC")]


@router.get("/api/live", dependencies=[AdminDep], responses=responses(401),
            summary="The live view once: calls in progress, counters, workers")
def live_snapshot(session: SessionDep, settings: SettingsDep,
                  day_start: DayStart = None) -> dict[str, Any]:
    return live.snapshot(session, settings, clock.now(), _day_start(day_start))


def _read_snapshot(settings: Settings, day_start: datetime) -> dict[str, Any]:
    with session_scope() as db:
        return live.snapshot(db, settings, clock.now(), day_start)


async def _frames(request: Request, settings: Settings, day_start: datetime,
                  until: float) -> AsyncIterator[str]:
    """A `snapshot` event every CONSOLE_LIVE_SECONDS until the browser leaves or its
    session expires (EventSource then reconnects, and gets 401: the page signs out)."""
    yield f"retry: {int(settings.console_live_seconds * 1000) + 1000}\n\n"
    while time.time() < until and not await request.is_disconnected():
        picture = await run_in_threadpool(_read_snapshot, settings, day_start)
        yield f"event: snapshot\ndata: {json.dumps(picture, separators=(',', ':'))}\n\n"
        await asyncio.sleep(settings.console_live_seconds)


# not in the OpenAPI document: an endless stream is no operation a client generator or the
# schema fuzzer (tests/api/test_openapi_fuzz.py) can call and wait for
@router.get("/api/live/stream", dependencies=[AdminDep], include_in_schema=False)
def live_stream(request: Request, settings: SettingsDep,
                day_start: DayStart = None) -> StreamingResponse:
    session = read_session(settings, request.cookies.get(COOKIE))
    # a Bearer client's stream ends after a session's length too
    until = session.expires_at if session else \
        time.time() + settings.console_session_hours * 3600
    return StreamingResponse(_frames(request, settings, _day_start(day_start), until),
                             media_type="text/event-stream",
                             headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"})


@router.get("/api/stats/hourly", dependencies=[AdminDep], responses=responses(401, 422),
            summary="Calls per hour by department and outcome (the console's chart)",
            description=f"At most {stats.MAX_HOURS // 24} days: the last ones of a longer "
                        "range. A range that ends before it starts has no hours.")
def hourly(session: SessionDep,
           started_from: Annotated[UtcQueryDateTime | None, Query(
               description="Default: 24 hours ago")] = None,
           started_to: Annotated[UtcQueryDateTime | None, Query(
               description="Default: now")] = None,
           department: Annotated[str | None, Query(max_length=64)] = None) -> dict[str, Any]:
    end = started_to or clock.now()
    try:
        start = started_from or end - timedelta(hours=24)
    except OverflowError:  # an end within a day of year 1
        start = datetime.min.replace(tzinfo=UTC)
    return stats.calls_per_hour(session, start, end, department)


def install(application: FastAPI) -> None:
    """The console's routes and its static files (/console/static)."""
    application.include_router(router)
    application.mount("/console/static", StaticFiles(directory=STATIC_DIR),
                      name="console-static")
