"""/api/v1/calls"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Header, Path, Query
from fastapi.responses import StreamingResponse

from app.calls import recording, service
from app.calls.schemas import CallDetailOut, CallFilters, CallOut
from app.deps import AdminDep, SessionDep, SettingsDep
from app.errors import responses
from app.limits import length_of
from app.pagination import Page, PageDep
from core.models import CallRecord
from core.recordings import MEDIA_TYPE

router = APIRouter(prefix="/api/v1/calls", tags=["calls"], dependencies=[AdminDep])
CallId = Annotated[str, Path(max_length=length_of(CallRecord.id), description="Call record id")]
AUDIO: dict[str, Any] = {MEDIA_TYPE: {"schema": {"type": "string", "format": "binary"}}}


@router.get("", response_model=Page[CallOut], summary="List call records, newest first")
def list_calls(session: SessionDep, page: PageDep,
               filters: Annotated[CallFilters, Query()]) -> Page[CallOut]:
    rows, total = service.list_page(session, page, filters)
    return Page(items=[CallOut.model_validate(c) for c in rows], total=total,
                **page.model_dump())


@router.get("/{call_id}", response_model=CallDetailOut, responses=responses(404),
            summary="One call record with its events")
def get_call(call_id: CallId, session: SessionDep) -> CallDetailOut:
    detail = CallDetailOut.model_validate(service.get(session, call_id))
    detail.child_call_ids = service.child_ids(session, call_id)
    return detail


@router.get(
    "/{call_id}/recording", response_class=StreamingResponse,
    summary="The call's recording (Ogg/Opus, left channel the caller, right the agent)",
    responses={200: {"description": "The whole file", "content": AUDIO},
               206: {"description": "The byte range asked for (Content-Range)",
                     "content": AUDIO},
               **responses(404, 416, s404="Unknown call, or the call has no recording")})
def get_recording(call_id: CallId, session: SessionDep, settings: SettingsDep,
                  range_: Annotated[str | None, Header(
                      alias="Range", max_length=200,
                      description="One byte range, e.g. bytes=0-1023 or bytes=-4096")] = None,
                  ) -> StreamingResponse:
    return recording.stream(service.get(session, call_id), settings, range_)
