"""The callback list: create, read, filter, cancel, mark done. An admin's change never
races the scheduler into a wrong state: the scheduler only finishes a callback that is still
`dialing` (app/callbacks/scheduler.py)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from app.callbacks.schemas import CallbackCreate
from app.departments import service as departments
from app.errors import Conflict, NotFound
from app.pagination import PageParams, paginate
from core import callbacks
from core.config import Settings
from core.models import Callback, CallEvent, CallRecord


def get(session: Session, callback_id: int) -> Callback:
    row = session.get(Callback, callback_id, options=[selectinload(Callback.attempt_log)])
    if row is None:
        raise NotFound(f"no callback with id {callback_id}", field="callback_id")
    return row


def list_page(session: Session, page: PageParams, *, status: str | None = None,
              department_id: int | None = None,
              call_id: str | None = None) -> tuple[list[Callback], int]:
    stmt = select(Callback)
    if status is not None:
        stmt = stmt.where(Callback.status == status)
    if department_id is not None:
        stmt = stmt.where(Callback.department_id == department_id)
    if call_id is not None:
        stmt = stmt.where(Callback.call_id == call_id)
    return paginate(session, stmt.order_by(Callback.next_attempt_at, Callback.id), page)


def create(session: Session, settings: Settings, data: CallbackCreate,
           now: datetime) -> Callback:
    dept = departments.require(session, data.department_id)
    return callbacks.create(session, settings, department=dept, number=data.number,
                            language=data.language, reason=data.reason, via="api", now=now,
                            earliest=data.earliest_at, max_attempts=data.max_attempts)


def _finish(session: Session, row: Callback, status: str, now: datetime) -> Callback:
    if row.status in ("cancelled", "done") or (status == "cancelled" and row.status in
                                              callbacks.FINAL):
        raise Conflict(f"callback {row.id} is {row.status} already", field="callback_id")
    row.status, row.completed_at, row.lease_until = status, now, None
    if row.call_id and session.get(CallRecord, row.call_id) is not None:
        session.add(CallEvent(call_id=row.call_id, kind=f"callback_{status}", at=now,
                              data={"callback_id": row.id, "by": "admin"}))
    session.flush()
    return row


def cancel(session: Session, row: Callback, now: datetime) -> Callback:
    """No more calls for it (409 if it is finished already)."""
    return _finish(session, row, "cancelled", now)


def mark_done(session: Session, row: Callback, now: datetime) -> Callback:
    """Someone handled it (409 if it was cancelled or marked done already)."""
    return _finish(session, row, "done", now)
