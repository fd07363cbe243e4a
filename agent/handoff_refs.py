"""One-time handoff references for department handoffs by SIP transfer (blocking DB calls:
run them with asyncio.to_thread).

The reference is an opaque random token: it alone travels in the SIP header; the context
(reason, recent turns, language, the call it came from) stays in the DB. A reference is
honoured once, before it expires; anything else is ignored by the receiving agent."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, select, update

from core.db import session_scope
from core.models import Department, Handoff, PhoneNumber


@dataclass(frozen=True)
class HandoffContext:
    from_call_id: str
    from_department: str
    to_department: str
    language: str
    reason: str
    turns: list[dict[str, str]]


def department_number(slug: str) -> str | None:
    """The number callers dial for `slug` (its first), where a transfer sends them."""
    with session_scope() as db:
        return db.scalar(select(PhoneNumber.e164).join(PhoneNumber.department)
                         .where(Department.slug == slug).order_by(PhoneNumber.id))


def create(*, from_call_id: str, from_department: str, to_department: str, to_number: str,
           language: str, reason: str, turns: list[dict[str, str]], ttl_seconds: int) -> str:
    reference = secrets.token_urlsafe(24)
    now = datetime.now(UTC)
    with session_scope() as db:
        db.add(Handoff(id=reference, from_call_id=from_call_id, from_department=from_department,
                       to_department=to_department, to_number=to_number, language=language,
                       reason=reason, turns=turns, created_at=now,
                       expires_at=now + timedelta(seconds=ttl_seconds)))
    return reference


def discard(reference: str) -> None:
    """Forget a reference whose transfer failed, so it can never be used."""
    with session_scope() as db:
        db.execute(delete(Handoff).where(Handoff.id == reference))


def consume(reference: str, call_id: str) -> HandoffContext | None:
    """Claim `reference` for `call_id`: its context if it is known, unused and not expired,
    else None. Atomic: of two calls presenting the same reference only one gets it."""
    if not reference or len(reference) > 64:
        return None
    now = datetime.now(UTC)
    with session_scope() as db:
        claimed = db.execute(
            update(Handoff)
            .where(Handoff.id == reference, Handoff.used_at.is_(None), Handoff.expires_at > now)
            .values(used_at=now, used_by_call_id=call_id))
        if claimed.rowcount != 1:
            return None
        row = db.get(Handoff, reference)
        assert row is not None
        return HandoffContext(row.from_call_id, row.from_department, row.to_department,
                              row.language, row.reason, list(row.turns or []))
