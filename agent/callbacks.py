"""Callbacks from the assistant's side: storing one a caller asked for (the API's scheduler
places it), and what a callback call needs to know: whom it calls, why, in which language,
and the last turns of the call it came from. Blocking: call with asyncio.to_thread."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select

from core import callbacks
from core.clock import utc
from core.config import get_settings
from core.db import session_scope
from core.models import Callback, CallEvent, Department

CARRIED_TURNS = 8


@dataclass(frozen=True)
class Stored:
    callback_id: int
    next_attempt_at: datetime


def store(*, department: str, number: str, language: str, reason: str, via: str,
          now: datetime, call_id: str | None, earliest: datetime | None = None) -> Stored:
    with session_scope() as db:
        dept = db.scalar(select(Department).where(Department.slug == department))
        if dept is None:
            raise LookupError(f"no department {department!r}")
        row = callbacks.create(db, get_settings(), department=dept, number=number,
                               language=language, reason=reason, via=via, now=now,
                               call_id=call_id, earliest=earliest)
        return Stored(row.id, utc(row.next_attempt_at))


@dataclass(frozen=True)
class CallbackContext:
    callback_id: int
    number: str
    reason: str
    language: str
    call_id: str | None
    turns: list[dict[str, str]] = field(default_factory=list)  # oldest first


def load(callback_id: int) -> CallbackContext | None:
    with session_scope() as db:
        row = db.get(Callback, callback_id)
        if row is None:
            return None
        turns: list[dict[str, str]] = []
        if row.call_id:
            events = db.scalars(select(CallEvent).where(CallEvent.call_id == row.call_id,
                                                        CallEvent.kind == "transcript")
                                .order_by(CallEvent.id.desc()).limit(CARRIED_TURNS))
            turns = [{"role": str(e.data.get("role")), "text": str(e.data.get("text"))}
                     for e in reversed(list(events)) if e.data.get("text")]
        return CallbackContext(row.id, row.number, row.reason, row.language, row.call_id,
                               turns)
