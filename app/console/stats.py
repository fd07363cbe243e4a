"""Calls per hour by department and outcome, for the console's chart."""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.clock import utc
from core.models import CallRecord

HOUR = timedelta(hours=1)
MAX_HOURS = 31 * 24


def _hour(moment: datetime) -> datetime:
    return utc(moment).replace(minute=0, second=0, microsecond=0)


def calls_per_hour(db: Session, start: datetime, end: datetime,
                   department: str | None = None) -> dict[str, Any]:
    """One count per hour (UTC hours; the page labels them in local time) for every
    (department, outcome) seen in [start, end); calls still in progress count as
    outcome "active". A range longer than MAX_HOURS is cut to its last MAX_HOURS; one that
    ends before it starts has no hours. Grouped here rather than in SQL: hour truncation
    differs between SQLite and PostgreSQL, and a range is at most MAX_HOURS of rows."""
    if end <= start:
        return {"hours": [], "series": []}
    if end - start > HOUR * MAX_HOURS:
        start = end - HOUR * MAX_HOURS  # later than the given start: no overflow
    first = _hour(start)
    hours = int((end - first) / HOUR) + (1 if (end - first) % HOUR else 0)
    stmt = select(CallRecord.started_at, CallRecord.first_department, CallRecord.outcome,
                  CallRecord.status).where(CallRecord.started_at >= start,
                                           CallRecord.started_at < end)
    if department:
        stmt = stmt.where(CallRecord.first_department == department)
    counts: Counter[tuple[str, str, int]] = Counter()
    for started_at, dept, outcome, status in db.execute(stmt):
        index = int((_hour(started_at) - first) / HOUR)
        counts[(dept, outcome or ("active" if status == "active" else "unknown"), index)] += 1
    series: dict[tuple[str, str], list[int]] = {}
    for (dept, outcome, index), n in counts.items():
        series.setdefault((dept, outcome), [0] * hours)[index] = n
    return {"hours": [(first + i * HOUR).isoformat() for i in range(hours)],
            "series": [{"department": d, "outcome": o, "counts": c}
                       for (d, o), c in sorted(series.items())]}
