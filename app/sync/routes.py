"""POST /api/v1/sip/sync: reconcile LiveKit with the DB now (or show the plan: dry_run)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel

from app.deps import AdminDep, SessionDep, SettingsDep
from sip.provisioning import sync_database

router = APIRouter(prefix="/api/v1/sip", tags=["sip"], dependencies=[AdminDep])


class SyncOut(BaseModel):
    dry_run: bool
    ok: bool
    writes: int
    actions: list[dict[str, Any]]
    in_sync: list[str]
    errors: dict[str, str]
    error: str | None
    unmanaged_left_alone: int


@router.post("/sync", response_model=SyncOut,
             summary="Reconcile LiveKit trunks and dispatch rules with the database")
async def sync(session: SessionDep, settings: SettingsDep,
               dry_run: Annotated[bool, Query(description="Only show the plan")] = False
               ) -> dict[str, Any]:
    """Creates, updates and deletes only objects marked as ours; a second call with nothing
    changed makes zero writes. LiveKit trouble is reported in `error`/`errors`, not raised."""
    result = await sync_database(session, settings, dry_run=dry_run)
    return result.as_dict()
