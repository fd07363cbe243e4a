"""The live view's picture: calls in progress, callers waiting, today's counters and the
agent workers with their load. Read from the same rows /metrics reads (app/metrics.py) and
the workers' heartbeats (app/supervision/capacity.py); caller numbers are masked here, so the
stream never carries one in clear."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.supervision.capacity import current_capacity, live_workers
from core.clock import utc
from core.config import Settings
from core.models import Callback, CallEvent, CallRecord, Department, RoomWatch
from core.pii import mask_number

HANDOFF_KINDS = ("handoff", "handoff_transferred")  # in the room / by SIP transfer
TRANSFER_KINDS = ("transfer_succeeded", "warm_transfer_connected")  # to a human line


def _persona(personas: dict[str, dict[str, str]], slug: str, language: str) -> str:
    names = personas.get(slug, {})
    return names.get(language) or names.get("en") or next(iter(names.values()), "")


def _calls(db: Session, now: datetime) -> list[dict[str, Any]]:
    personas = {slug: names for slug, names in
                db.execute(select(Department.slug, Department.persona_name))}
    calls = [{"id": c.id, "state": "active", "department": c.current_department,
              "persona": _persona(personas, c.current_department, c.language),
              "language": c.language, "source": c.source, "caller": mask_number(c.caller),
              "started_at": utc(c.started_at).isoformat(),
              "duration_seconds": round((now - utc(c.started_at)).total_seconds())}
             for c in db.scalars(select(CallRecord).where(CallRecord.status == "active")
                                 .order_by(CallRecord.started_at))]
    calls += [{"id": None, "room": w.room_name, "state": "waiting",
               "department": w.department or "", "persona": "", "language": "",
               "source": w.source, "caller": mask_number(w.caller),
               "started_at": utc(w.waiting_since).isoformat(),
               "duration_seconds": round((now - utc(w.waiting_since)).total_seconds())}
              for w in db.scalars(select(RoomWatch).where(RoomWatch.state == "waiting")
                                  .order_by(RoomWatch.waiting_since))]
    return calls


def _events_since(db: Session, kinds: tuple[str, ...], since: datetime) -> int:
    return db.scalar(select(func.count()).select_from(CallEvent).where(
        CallEvent.kind.in_(kinds), CallEvent.at >= since)) or 0


def snapshot(db: Session, settings: Settings, now: datetime, day_start: datetime
             ) -> dict[str, Any]:
    """Everything the live view shows, as of `now`; "today" starts at `day_start` (the
    browser's midnight)."""
    calls = _calls(db, now)
    capacity = current_capacity(db, settings)
    counters = {
        "calls_now": sum(1 for c in calls if c["state"] == "active"),
        "waiting": sum(1 for c in calls if c["state"] == "waiting"),
        "answered_today": db.scalar(select(func.count()).select_from(CallRecord).where(
            CallRecord.started_at >= day_start)) or 0,
        "handed_over_today": _events_since(db, HANDOFF_KINDS, day_start),
        "transferred_today": _events_since(db, TRANSFER_KINDS, day_start),
        "callbacks_due": db.scalar(select(func.count()).select_from(Callback).where(
            Callback.status == "pending", Callback.next_attempt_at <= now)) or 0,
        "workers": capacity.workers,
        "load": round(capacity.active_calls / capacity.max_calls, 3)
        if capacity.max_calls else None,
    }
    workers = [{"id": w.id, "host": w.host, "active_calls": w.active_calls,
                "max_calls": w.max_calls, "seen_at": utc(w.seen_at).isoformat()}
               for w in live_workers(db, settings)]
    return {"at": now.isoformat(), "calls": calls, "counters": counters, "workers": workers}
