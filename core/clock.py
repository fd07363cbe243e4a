"""The one clock of the product: what time the API's scheduler and the assistants think it is.

Logic that depends on time (business hours, when a callback is due) takes `now` as an
argument and never reads a clock; the loops and the call entry points read `now()` here once
and pass it on. `CLOCK_OFFSET_SECONDS` moves this clock: a test aid, so that a live test can
run the real API process "tomorrow" (a callback placed at its time, a department in its
closed hours) without waiting. It is refused when ENVIRONMENT=production (core/config.py),
and nothing can change it at run time: there is no endpoint for it.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from core.config import get_settings


def now() -> datetime:
    """The current time, aware, in UTC (plus CLOCK_OFFSET_SECONDS)."""
    return datetime.now(UTC) + timedelta(seconds=get_settings().clock_offset_seconds)


def utc(value: datetime) -> datetime:
    """An aware datetime in UTC (SQLite hands timezone-aware columns back naive: UTC)."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
