"""/api/v1/callbacks"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, status

from app.callbacks import service
from app.callbacks.schemas import CallbackCreate, CallbackDetailOut, CallbackOut, Status
from app.deps import AdminDep, SessionDep, SettingsDep
from app.errors import responses
from app.limits import MAX_ID, length_of, path_id, text
from app.pagination import Page, PageDep
from core import clock
from core.models import CallRecord

router = APIRouter(prefix="/api/v1/callbacks", tags=["callbacks"], dependencies=[AdminDep])
CallbackId = path_id("Callback id")


@router.get("", response_model=Page[CallbackOut],
            summary="List callbacks, the next due first")
def list_callbacks(
    session: SessionDep, page: PageDep,
    status_: Annotated[Status | None, Query(alias="status")] = None,
    department_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
    call_id: Annotated[text(length_of(CallRecord.id)) | None,
                       Query(description="Callbacks asked for in this call")] = None,
) -> Page[CallbackOut]:
    rows, total = service.list_page(session, page, status=status_,
                                    department_id=department_id, call_id=call_id)
    return Page(items=[CallbackOut.model_validate(r) for r in rows], total=total,
                **page.model_dump())


@router.post("", response_model=CallbackDetailOut, status_code=status.HTTP_201_CREATED,
             responses=responses(409), summary="Add someone to call back")
def create_callback(body: CallbackCreate, session: SessionDep,
                    settings: SettingsDep) -> CallbackDetailOut:
    row = service.create(session, settings, body, clock.now())
    return CallbackDetailOut.model_validate(service.get(session, row.id))


@router.get("/{callback_id}", response_model=CallbackDetailOut, responses=responses(404),
            summary="One callback with its attempts")
def get_callback(callback_id: CallbackId, session: SessionDep) -> CallbackDetailOut:
    return CallbackDetailOut.model_validate(service.get(session, callback_id))


@router.post("/{callback_id}/cancel", response_model=CallbackDetailOut,
             responses=responses(404, 409), summary="Cancel a callback (no more calls)")
def cancel_callback(callback_id: CallbackId, session: SessionDep) -> CallbackDetailOut:
    row = service.cancel(session, service.get(session, callback_id), clock.now())
    return CallbackDetailOut.model_validate(row)


@router.post("/{callback_id}/done", response_model=CallbackDetailOut,
             responses=responses(404, 409), summary="Mark a callback done (someone handled it)")
def mark_callback_done(callback_id: CallbackId, session: SessionDep) -> CallbackDetailOut:
    row = service.mark_done(session, service.get(session, callback_id), clock.now())
    return CallbackDetailOut.model_validate(row)
