"""Set, read and clear a department's hours; the status is computed at the product's clock."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from app.hours.schemas import HoursIn, HoursOut
from core.hours import hours_of, status_of
from core.models import Department


def to_out(dept: Department, now: datetime) -> HoursOut:
    stored = dept.hours or {}
    status = status_of(hours_of(dept.hours), now)
    return HoursOut(department_id=dept.id, always_open=not dept.hours,
                    time_zone=stored.get("time_zone"), weekly=stored.get("weekly") or {},
                    closed_dates=stored.get("closed_dates") or [], open_now=status.open,
                    closes_at=status.closes_at, opens_at=status.opens_at, checked_at=now)


def put(session: Session, dept: Department, data: HoursIn) -> Department:
    dept.hours = data.stored()
    session.flush()
    return dept


def clear(session: Session, dept: Department) -> Department:
    dept.hours = None
    session.flush()
    return dept
