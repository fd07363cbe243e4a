"""Issuing browser-call tokens. No HTTP here: failures are app.errors domain exceptions."""

from __future__ import annotations

import json
import re
import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from livekit import api
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.errors import DomainError, Forbidden, NotFound
from app.seed import LANGUAGES
from app.token.schemas import DepartmentOption
from core.config import Settings
from core.models import Department

_ROOM_SAFE = re.compile(r"[^A-Za-z0-9_-]")


class DepartmentNotFound(NotFound):
    def __init__(self, slug: str) -> None:
        super().__init__(f"No department with slug {slug!r}", field="department")


class RateLimited(DomainError):
    """429 with a Retry-After header."""

    status_code = 429
    code = "rate_limited"

    def __init__(self, retry_after: int) -> None:
        super().__init__(f"Too many token requests from this address; retry in {retry_after} s")
        self.retry_after = retry_after
        self.headers = {"Retry-After": str(retry_after)}


@dataclass(frozen=True)
class IssuedToken:
    server_url: str
    participant_token: str
    room_name: str
    identity: str
    dispatch_metadata: dict[str, Any]


def find_department(session: Session, slug: str) -> Department:
    department = session.scalars(select(Department).where(Department.slug == slug)).first()
    if department is None:
        raise DepartmentNotFound(slug)
    return department


def list_departments(session: Session) -> list[DepartmentOption]:
    rows = session.scalars(select(Department).order_by(Department.id)).all()
    return [DepartmentOption(slug=d.slug, display_name=dict(d.display_name or {}),
                             persona_name=dict(d.persona_name or {}),
                             default_language=d.default_language) for d in rows]


PUBLIC_ROOM_PREFIX = "web-"


def check_room_name(settings: Settings, room_name: str | None) -> None:
    """Public tokens (TOKEN_REQUIRES_AUTH=false) may only name `web-` rooms, so nobody can
    ask for a token into a phone call's room (`call-...`) and listen in: 403 (a valid name
    that this caller may not join)."""
    if room_name and not settings.token_requires_auth \
            and not room_name.startswith(PUBLIC_ROOM_PREFIX):
        raise Forbidden(f"room_name must start with {PUBLIC_ROOM_PREFIX!r} (other rooms need "
                      "TOKEN_REQUIRES_AUTH=true and the admin key)", field="room_name")


def new_room_name(department: str) -> str:
    """`web-<department>-<random>`, within LiveKit-safe characters and 64 characters."""
    suffix = secrets.token_hex(5)
    slug = _ROOM_SAFE.sub("-", department)[: 64 - len("web--") - len(suffix)]
    return f"web-{slug}-{suffix}"


def issue_token(settings: Settings, department: Department, *, language: str | None,
                participant_name: str, room_name: str | None = None,
                customer_id: str | None = None,
                customer_name: str | None = None) -> IssuedToken:
    """A token that joins only `room_name` (no admin grants) and whose room configuration
    dispatches the named agent with the department and language, as SIP dispatch rules do."""
    check_room_name(settings, room_name)
    lang = language or department.default_language
    if lang not in LANGUAGES:  # a department row with an unsupported default language
        lang = LANGUAGES[0]
    room = room_name or new_room_name(department.slug)
    identity = f"web-{secrets.token_hex(6)}"
    metadata: dict[str, Any] = {
        "department": department.slug,
        "language": lang,
        "source": "browser",
        "participant_identity": identity,
        "participant_name": participant_name,
        "customer_id": customer_id,
        "customer_name": customer_name,
    }
    dispatch = api.RoomAgentDispatch(agent_name=settings.agent_name,
                                     metadata=json.dumps(metadata, ensure_ascii=False))
    token = (
        api.AccessToken(settings.livekit_api_key, settings.livekit_api_secret.get_secret_value())
        .with_identity(identity)
        .with_name(participant_name)
        .with_metadata(json.dumps(metadata, ensure_ascii=False))
        .with_ttl(timedelta(seconds=settings.token_ttl_seconds))
        .with_grants(api.VideoGrants(room_join=True, room=room, can_publish=True,
                                     can_subscribe=True, can_publish_data=True))
        .with_room_config(api.RoomConfiguration(agents=[dispatch]))
        .to_jwt()
    )
    return IssuedToken(server_url=settings.livekit_public_url or settings.livekit_url,
                       participant_token=token, room_name=room, identity=identity,
                       dispatch_metadata=metadata)
