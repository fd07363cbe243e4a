"""Call records the supervisor writes: closing records whose agent left without closing
them, and recording calls no agent ever answered (every call that reached LiveKit has one)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.models import CallEvent, CallRecord, Department, RoomWatch, new_id


def _as_aware(at: datetime, like: datetime) -> datetime:
    """SQLite hands datetimes back naive (in UTC)."""
    return at.replace(tzinfo=like.tzinfo) if at.tzinfo is None else at


def close_open_records(db: Session, room: str, now: datetime, reason: str) -> list[str]:
    """End the room's records that are still active (their agent is gone)."""
    closed = []
    for record in db.scalars(select(CallRecord).where(CallRecord.room_name == room,
                                                      CallRecord.status == "active")):
        record.status, record.end_reason, record.ended_at = "ended", reason, now
        record.duration_seconds = (now - _as_aware(record.started_at, now)).total_seconds()
        db.add(CallEvent(call_id=record.id, kind="ended", at=now,
                         data={"reason": reason, "by": "supervisor"}))
        closed.append(record.id)
    return closed


def latest_record(db: Session, room: str) -> CallRecord | None:
    return db.scalars(select(CallRecord).where(CallRecord.room_name == room)
                      .order_by(CallRecord.started_at.desc()).limit(1)).first()


def record_unanswered(db: Session, watch: RoomWatch, now: datetime, reason: str) -> str:
    """A record for a call no agent took: who called what, how long they waited, why it
    ended (the caller gave up: `abandoned`; we did: `no_agent_available`)."""
    department = watch.department or "reception"
    dept = db.scalar(select(Department).where(Department.slug == department))
    started = _as_aware(watch.first_seen_at, now)
    record = CallRecord(id=new_id(), room_name=watch.room_name, source=watch.source,
                        caller=(watch.caller or "")[:255] or None, first_department=department,
                        current_department=department,
                        language=dept.default_language if dept else "ar", status="ended",
                        end_reason=reason, started_at=started, ended_at=now,
                        duration_seconds=(now - started).total_seconds())
    db.add(record)
    db.flush()
    waited = (now - _as_aware(watch.waiting_since, now)).total_seconds()
    db.add(CallEvent(call_id=record.id, kind="started", at=started,
                     data={"department": department, "source": watch.source}))
    db.add(CallEvent(call_id=record.id, kind="not_answered", at=now,
                     data={"waited_seconds": round(waited, 1), "dispatches": watch.dispatches}))
    db.add(CallEvent(call_id=record.id, kind="ended", at=now,
                     data={"reason": reason, "by": "supervisor"}))
    return record.id
