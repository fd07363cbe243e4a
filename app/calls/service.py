"""Reading call records."""

from __future__ import annotations

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, selectinload

from app.calls.schemas import CallFilters
from app.errors import NotFound
from app.pagination import PageParams, paginate
from core.models import CallRecord


def list_page(session: Session, page: PageParams,
              filters: CallFilters | None = None) -> tuple[list[CallRecord], int]:
    f = filters or CallFilters()
    stmt = select(CallRecord)
    equal = {CallRecord.status: f.status, CallRecord.called_number: f.number,
             CallRecord.source: f.source, CallRecord.outcome: f.outcome}
    for column, value in equal.items():
        if value is not None:
            stmt = stmt.where(column == value)
    if f.department is not None:  # where the call started or where it is/ended
        stmt = stmt.where(or_(CallRecord.first_department == f.department,
                              CallRecord.current_department == f.department))
    if f.started_from is not None:
        stmt = stmt.where(CallRecord.started_at >= f.started_from)
    if f.started_to is not None:
        stmt = stmt.where(CallRecord.started_at < f.started_to)
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
