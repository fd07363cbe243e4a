"""/api/v1/knowledge"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, status

from app.deps import AdminDep, SessionDep
from app.errors import responses
from app.knowledge import service
from app.knowledge.schemas import EntryCreate, EntryOut, EntryUpdate
from app.limits import MAX_ID, path_id
from app.pagination import Page, PageDep

router = APIRouter(prefix="/api/v1/knowledge", tags=["knowledge"], dependencies=[AdminDep],
                   responses=responses(401, 422))
EntryId = path_id("Knowledge entry id")


@router.get("", response_model=Page[EntryOut], summary="List knowledge entries")
def list_entries(
    session: SessionDep, page: PageDep,
    department_id: Annotated[int | None, Query(ge=1, le=MAX_ID,
                                               description="Only this department's")] = None,
    global_only: Annotated[bool, Query(alias="global",
                                       description="Only entries for every department")] = False,
) -> Page[EntryOut]:
    rows, total = service.list_page(session, page, department_id=department_id,
                                    global_only=global_only)
    return Page(items=[service.to_out(r) for r in rows], total=total, **page.model_dump())


@router.post("", response_model=EntryOut, status_code=status.HTTP_201_CREATED,
             responses=responses(409),
             summary="Add a fact the assistants answer from (used from the next call on)")
def create_entry(body: EntryCreate, session: SessionDep) -> EntryOut:
    row = service.create(session, body)
    return service.to_out(service.get(session, row.id))


@router.get("/{entry_id}", response_model=EntryOut, responses=responses(404),
            summary="Get a knowledge entry")
def get_entry(entry_id: EntryId, session: SessionDep) -> EntryOut:
    return service.to_out(service.get(session, entry_id))


@router.patch("/{entry_id}", response_model=EntryOut, responses=responses(404, 409),
              summary="Change a knowledge entry (only the fields sent)")
def update_entry(entry_id: EntryId, body: EntryUpdate, session: SessionDep) -> EntryOut:
    return service.to_out(service.update(session, service.get(session, entry_id), body))


@router.delete("/{entry_id}", status_code=status.HTTP_204_NO_CONTENT, responses=responses(404),
               summary="Remove a knowledge entry")
def delete_entry(entry_id: EntryId, session: SessionDep) -> None:
    service.delete(session, service.get(session, entry_id))
