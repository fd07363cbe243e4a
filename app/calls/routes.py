"""/api/v1/calls"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query

from app.calls import service
from app.calls.schemas import CallDetailOut, CallOut
from app.deps import AdminDep, SessionDep
from app.errors import responses
from app.limits import length_of, text
from app.pagination import Page, PageDep
from core.models import CallRecord

router = APIRouter(prefix="/api/v1/calls", tags=["calls"], dependencies=[AdminDep])
CallId = Annotated[str, Path(max_length=length_of(CallRecord.id), description="Call record id")]


@router.get("", response_model=Page[CallOut], summary="List call records, newest first")
def list_calls(
    session: SessionDep, page: PageDep,
    status: Annotated[text(length_of(CallRecord.status)) | None,
                      Query(description="e.g. active, ended")] = None,
    department: Annotated[text(length_of(CallRecord.first_department)) | None,
                          Query(description="Department slug (first or last)")] = None,
    number: Annotated[text(length_of(CallRecord.called_number)) | None,
                      Query(description="Called number, E.164")] = None,
    source: Annotated[text(length_of(CallRecord.source)) | None,
                      Query(description="sip or browser")] = None,
) -> Page[CallOut]:
    rows, total = service.list_page(session, page, status=status, department=department,
                                    number=number, source=source)
    return Page(items=[CallOut.model_validate(c) for c in rows], total=total,
                **page.model_dump())


@router.get("/{call_id}", response_model=CallDetailOut, responses=responses(404),
            summary="One call record with its events")
def get_call(call_id: CallId, session: SessionDep) -> CallDetailOut:
    detail = CallDetailOut.model_validate(service.get(session, call_id))
    detail.child_call_ids = service.child_ids(session, call_id)
    return detail
