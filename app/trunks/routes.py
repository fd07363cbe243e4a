"""/api/v1/trunks"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, status

from app.deps import AdminDep, SessionDep, SettingsDep
from app.errors import responses
from app.limits import path_id
from app.pagination import Page, PageDep
from app.sync.trigger import commit_and_sync
from app.trunks import service
from app.trunks.schemas import TrunkCreate, TrunkOut, TrunkUpdate
from core.encryption import SecretBox

router = APIRouter(prefix="/api/v1/trunks", tags=["trunks"], dependencies=[AdminDep])
TrunkId = path_id("Trunk id")


@router.get("", response_model=Page[TrunkOut], summary="List SIP trunks")
def list_trunks(session: SessionDep, page: PageDep,
                direction: Annotated[Literal["inbound", "outbound"] | None, Query()] = None,
                ) -> Page[TrunkOut]:
    rows, total = service.list_page(session, page, direction)
    return Page(items=[service.to_out(t) for t in rows], total=total, **page.model_dump())


@router.post("", response_model=TrunkOut, status_code=status.HTTP_201_CREATED,
             responses=responses(409), summary="Add an inbound or outbound trunk")
def create_trunk(body: TrunkCreate, session: SessionDep, settings: SettingsDep) -> TrunkOut:
    trunk = service.create(session, body, SecretBox.from_settings(settings))
    commit_and_sync(session, settings)
    return service.to_out(service.get(session, trunk.id))


@router.get("/{trunk_id}", response_model=TrunkOut, responses=responses(404),
            summary="Get a trunk (the password is never shown)")
def get_trunk(trunk_id: TrunkId, session: SessionDep) -> TrunkOut:
    return service.to_out(service.get(session, trunk_id))


@router.patch("/{trunk_id}", response_model=TrunkOut, responses=responses(404, 409),
              summary="Change a trunk (only the fields sent)")
def update_trunk(trunk_id: TrunkId, body: TrunkUpdate, session: SessionDep,
                 settings: SettingsDep) -> TrunkOut:
    trunk = service.update(session, service.get(session, trunk_id), body,
                           SecretBox.from_settings(settings))
    commit_and_sync(session, settings)
    return service.to_out(trunk)


@router.delete("/{trunk_id}", status_code=status.HTTP_204_NO_CONTENT, responses=responses(404),
               summary="Delete a trunk (its numbers move to the managed default trunk)")
def delete_trunk(trunk_id: TrunkId, session: SessionDep, settings: SettingsDep) -> None:
    service.delete(session, service.get(session, trunk_id))
    commit_and_sync(session, settings)
