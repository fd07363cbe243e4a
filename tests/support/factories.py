"""Row factories: a valid row with unique values by default, any field overridable."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from core.models import CallEvent, CallRecord, Department, PhoneNumber, Trunk

_seq = itertools.count(1)


def next_e164() -> str:
    """A valid, unique US number (+1 202 555 xxxx passes phonenumbers' checks)."""
    return f"+1202555{next(_seq) % 10000:04d}"


def _save(session: Session, row: Any) -> Any:
    """Committed (in the test's outer transaction), as rows that exist before a request are."""
    session.add(row)
    session.commit()
    return row


def department(session: Session, **kw: Any) -> Department:
    n = next(_seq)
    slug = kw.pop("slug", f"dept{n}")
    values: dict[str, Any] = {
        "slug": slug, "display_name": {"en": slug.title()}, "persona_name": {"en": "Alex"},
        "default_language": "en", "instructions": {"en": "Help the caller."},
        "welcome": {"en": "Hello!"}, "voices": {"espeak": {"en": "en-us"}},
    }
    return _save(session, Department(**(values | kw)))


def trunk(session: Session, direction: str = "inbound", **kw: Any) -> Trunk:
    values: dict[str, Any] = {"name": f"trunk-{next(_seq)}", "direction": direction}
    if direction == "inbound":
        values["allowed_addresses"] = ["192.0.2.0/24"]
    else:
        values |= {"address": "sip.carrier.example", "transport": "udp"}
    return _save(session, Trunk(**(values | kw)))


def number(session: Session, dept: Department | None = None, **kw: Any) -> PhoneNumber:
    dept = dept or department(session)
    values: dict[str, Any] = {"e164": next_e164(), "department_id": dept.id}
    return _save(session, PhoneNumber(**(values | kw)))


def call(session: Session, events: int = 2, **kw: Any) -> CallRecord:
    started = kw.pop("started_at", datetime.now(UTC) - timedelta(minutes=next(_seq)))
    values: dict[str, Any] = {
        "room_name": f"call-reception_{next(_seq)}", "source": "sip", "caller": "+12025550000",
        "called_number": "+12025550001", "first_department": "reception",
        "current_department": "reception", "language": "en", "status": "ended",
        "started_at": started,
    }
    record = _save(session, CallRecord(**(values | kw)))
    for i in range(events):
        session.add(CallEvent(call_id=record.id, kind="transcript",
                              data={"role": "user", "text": f"line {i}"}))
    session.commit()
    return record
