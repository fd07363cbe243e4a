"""Reading call records."""

from __future__ import annotations

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, selectinload

from app.errors import NotFound
from app.pagination import PageParams, paginate
from core.models import CallRecord


def list_page(session: Session, page: PageParams, *, status: str | None = None,
              department: str | None = None, number: str | None = None,
              source: str | None = None) -> tuple[list[CallRecord], int]:
    stmt = select(CallRecord)
    if status is not None:
        stmt = stmt.where(CallRecord.status == status)
    if department is not None:  # where the call started or where it is/ended
        stmt = stmt.where(or_(CallRecord.first_department == department,
                              CallRecord.current_department == department))
    if number is not None:
        stmt = stmt.where(CallRecord.called_number == number)
    if source is not None:
        stmt = stmt.where(CallRecord.source == source)
    return paginate(session, stmt.order_by(CallRecord.started_at.desc(), CallRecord.id), page)


def get(session: Session, call_id: str) -> CallRecord:
    call = session.get(CallRecord, call_id, options=[selectinload(CallRecord.events)])
    if call is None:
        raise NotFound(f"no call with id {call_id}", field="call_id")
    return call


def child_ids(session: Session, call_id: str) -> list[str]:
    """Calls this call was handed on to (SIP-transfer handoffs), oldest first."""
    return list(session.scalars(select(CallRecord.id).where(CallRecord.parent_call_id == call_id)
                                .order_by(CallRecord.started_at)))
