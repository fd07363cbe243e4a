"""Callback rules shared by the admin API and the assistants: who can be called back, and
when the first call is placed (never before `earliest`, and only within the department's
hours). The scheduler that places them is the API's (app/callbacks/scheduler.py).

Statuses: pending -> dialing -> answered | pending (retry) | failed; an admin may cancel a
callback that is not finished or mark it done (someone handled it)."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from core.config import Settings
from core.hours import BusinessHours, hours_of, status_of
from core.models import Callback, Department

FINAL = frozenset({"answered", "failed", "cancelled", "done"})
STATUSES = ("pending", "dialing", "answered", "failed", "cancelled", "done")
RESULTS = ("answered", "busy", "declined", "no_answer", "failed")
NEVER_OPEN_RECHECK = timedelta(days=1)  # hours without any opening: look again tomorrow


def next_open_time(hours: BusinessHours | None, at: datetime) -> datetime:
    """`at` if the department is open then, else when it opens next (a schedule that never
    opens: a day later, when its hours may have been changed)."""
    status = status_of(hours, at)
    if status.open:
        return at
    return status.opens_at or at + NEVER_OPEN_RECHECK


def create(session: Session, settings: Settings, *, department: Department, number: str,
           language: str, reason: str, via: str, now: datetime, call_id: str | None = None,
           earliest: datetime | None = None, max_attempts: int | None = None) -> Callback:
    """A new pending callback (flushed, so it has its id). `number` must be E.164 already;
    without `earliest` it is placed CALLBACK_DELAY_SECONDS from `now`."""
    earliest = max(earliest or now + timedelta(seconds=settings.callback_delay_seconds), now)
    callback = Callback(
        department_id=department.id, number=number, language=language, reason=reason[:300],
        via=via, call_id=call_id, status="pending", earliest_at=earliest,
        next_attempt_at=next_open_time(hours_of(department.hours), earliest),
        max_attempts=max_attempts or settings.callback_max_attempts)
    session.add(callback)
    session.flush()
    return callback
