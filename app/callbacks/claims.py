"""The callback scheduler's state in the database: claiming due callbacks and writing back
how each attempt went. The loop is app/callbacks/scheduler.py, the call app/callbacks/dialer.py.

The API process places due callbacks as outbound calls.

Every CALLBACK_POLL_SECONDS it looks for callbacks that are due (pending and
`next_attempt_at` passed, or `dialing` under a lease that expired: the process that claimed
it died), at most CALLBACK_BATCH at a time including the calls still being placed.

- Outside its department's hours a due callback is moved to the next opening (no attempt).
- Claiming is one atomic UPDATE ... WHERE status is still what was read: with several API
  processes (or a restart) exactly one of them places a given attempt.
- Placing (app/callbacks/dialer.py) makes a room whose dispatch runs the department's
  persona with the callback's ids, waits for the agent, then dials through the department's
  callback trunk and waits for an answer.
- The result is written back only if the callback is still `dialing` (an admin may have
  cancelled it meanwhile): answered (final), or another attempt after CALLBACK_RETRY_SECONDS
  within the hours, or failed once CALLBACK_MAX_ATTEMPTS calls were placed.

All of it is in the database, so callbacks survive restarts. Time is the product's clock
(core/clock.py), read once per tick and passed down.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, or_, select, update
from sqlalchemy.orm import Session, joinedload

from core.callbacks import next_open_time
from core.config import Settings
from core.hours import hours_of
from core.models import Callback, CallbackAttempt, CallEvent, CallRecord, Trunk

AGENT_WAIT_SECONDS = 15  # for the persona to join the callback's room before dialling


@dataclass(frozen=True)
class Claimed:
    """One attempt this process now owns."""
    callback_id: int
    attempt: int
    number: str
    language: str
    department: str
    trunk: str | None  # LiveKit id of the department's callback trunk
    call_id: str | None


# the UPDATEs decide in the database; sessions do not re-evaluate them against loaded rows
# (SQLite hands datetimes back naive)
QUIET = {"synchronize_session": False}


def _due(now: datetime):  # type: ignore[no-untyped-def]
    return or_(and_(Callback.status == "pending", Callback.next_attempt_at <= now),
               and_(Callback.status == "dialing", Callback.lease_until < now))


def claim_due(session: Session, now: datetime, limit: int, settings: Settings) -> list[Claimed]:
    """Claim up to `limit` due callbacks of open departments (committing per callback, so
    another process sees each claim at once); move those of closed departments on."""
    rows = session.scalars(select(Callback).options(joinedload(Callback.department))
                           .where(_due(now)).order_by(Callback.next_attempt_at)
                           .limit(limit)).all()
    lease = now + timedelta(seconds=settings.callback_ring_seconds + AGENT_WAIT_SECONDS
                            + settings.callback_lease_seconds)
    claimed = []
    for row in rows:
        opens = next_open_time(hours_of(row.department.hours), now)
        if opens > now:  # closed now: wait for the opening, without using an attempt
            session.execute(update(Callback).where(Callback.id == row.id,
                                                   Callback.status == "pending")
                            .values(next_attempt_at=opens), execution_options=QUIET)
            session.commit()
            continue
        won = session.execute(update(Callback).where(Callback.id == row.id, _due(now))
                              .values(status="dialing", lease_until=lease,
                                      attempts=Callback.attempts + 1, updated_at=now),
                              execution_options=QUIET)
        if won.rowcount != 1:  # another scheduler got there first
            session.rollback()
            continue
        _close_lost_attempts(session, row.id, now)
        session.add(CallbackAttempt(callback_id=row.id, attempt=row.attempts + 1,
                                    started_at=now))
        trunk = session.get(Trunk, row.department.callback_trunk_id) \
            if row.department.callback_trunk_id else None
        claimed.append(Claimed(row.id, row.attempts + 1, row.number, row.language,
                               row.department.slug, trunk.livekit_id if trunk else None,
                               row.call_id))
        session.commit()
    return claimed


def _close_lost_attempts(session: Session, callback_id: int, now: datetime) -> None:
    """An attempt whose scheduler died before it finished ended as a failure."""
    session.execute(update(CallbackAttempt).where(CallbackAttempt.callback_id == callback_id,
                                                  CallbackAttempt.ended_at.is_(None))
                    .values(ended_at=now, result="failed", error="interrupted"),
                    execution_options=QUIET)


def finish(session: Session, claimed: Claimed, now: datetime, settings: Settings, *,
           result: str, sip_status: int | None = None, error: str | None = None,
           room: str | None = None) -> str | None:
    """Write an attempt's outcome and the callback's next state (None: it was cancelled or
    marked done while the call was placed; the attempt is still written)."""
    session.execute(update(CallbackAttempt).where(
        CallbackAttempt.callback_id == claimed.callback_id,
        CallbackAttempt.attempt == claimed.attempt).values(
        ended_at=now, result=result, sip_status=sip_status, error=error, room_name=room),
        execution_options=QUIET)
    row = session.get(Callback, claimed.callback_id, options=[joinedload(Callback.department)],
                      populate_existing=True)
    if row is None or row.status != "dialing":
        return None
    if result == "answered":
        status = "answered"
    elif row.attempts >= row.max_attempts:
        status = "failed"
    else:
        status = "pending"
        retry = now + timedelta(seconds=settings.callback_retry_seconds)
        row.next_attempt_at = next_open_time(hours_of(row.department.hours), retry)
    row.status, row.last_result, row.lease_until = status, result, None
    if status != "pending":
        row.completed_at = now
    _record(session, row, claimed, result, sip_status, status)
    return status


def _record(session: Session, row: Callback, claimed: Claimed, result: str,
            sip_status: int | None, status: str) -> None:
    """The original call's record shows what became of the callback asked for in it."""
    if not row.call_id or session.get(CallRecord, row.call_id) is None:
        return
    data = {"callback_id": row.id, "attempt": claimed.attempt, "result": result,
            "sip_status": sip_status, "status": status}
    session.add(CallEvent(call_id=row.call_id, kind="callback_attempted", data=data))
    if status in ("answered", "failed"):
        session.add(CallEvent(call_id=row.call_id, kind=f"callback_{status}",
                              data={"callback_id": row.id, "attempts": row.attempts}))
