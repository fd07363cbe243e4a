"""/api/v1/numbers"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, status

from app.deps import AdminDep, SessionDep, SettingsDep
from app.errors import responses
from app.limits import MAX_ID, length_of, path_id, text
from app.numbers import service
from app.numbers.schemas import NumberCreate, NumberOut, NumberUpdate
from app.pagination import Page, PageDep
from app.sync.trigger import commit_and_sync
from core.models import Department

router = APIRouter(prefix="/api/v1/numbers", tags=["numbers"], dependencies=[AdminDep])
NumberId = path_id("Phone number id")


@router.get("", response_model=Page[NumberOut], summary="List phone numbers")
def list_numbers(
    session: SessionDep, page: PageDep,
    department_id: Annotated[int | None, Query(ge=1, le=MAX_ID,
                                               description="Only this department's")] = None,
    department: Annotated[text(length_of(Department.slug)) | None,
                          Query(description="Only this department slug's")] = None,
    trunk_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
    sync_status: Annotated[Literal["pending", "synced"] | None, Query()] = None,
) -> Page[NumberOut]:
    rows, total = service.list_page(session, page, department_id=department_id,
                                    department=department, trunk_id=trunk_id,
                                    sync_status=sync_status)
    return Page(items=[service.to_out(n) for n in rows], total=total, **page.model_dump())


@router.post("", response_model=NumberOut, status_code=status.HTTP_201_CREATED,
             responses=responses(409), summary="Add a number (then synced to LiveKit)")
def create_number(body: NumberCreate, session: SessionDep, settings: SettingsDep) -> NumberOut:
    num = service.create(session, body)
    commit_and_sync(session, settings)
    return service.to_out(service.get(session, num.id))


@router.get("/{number_id}", response_model=NumberOut, responses=responses(404),
            summary="Get a number with its sync status")
def get_number(number_id: NumberId, session: SessionDep) -> NumberOut:
    return service.to_out(service.get(session, number_id))


@router.patch("/{number_id}", response_model=NumberOut, responses=responses(404, 409),
              summary="Change a number's department, trunk or digits")
def update_number(number_id: NumberId, body: NumberUpdate, session: SessionDep,
                  settings: SettingsDep) -> NumberOut:
    num = service.update(session, service.get(session, number_id), body)
    commit_and_sync(session, settings)
    return service.to_out(num)


@router.delete("/{number_id}", status_code=status.HTTP_204_NO_CONTENT, responses=responses(404),
               summary="Remove a number (its dispatch rule is deleted)")
def delete_number(number_id: NumberId, session: SessionDep, settings: SettingsDep) -> None:
    service.delete(session, service.get(session, number_id))
    commit_and_sync(session, settings)
