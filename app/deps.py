"""Request dependencies: settings, the DB session (commit on success, roll back on error) and
the admin API key check."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session

from app.errors import Unauthorized
from core.config import Settings, get_settings
from core.db import session_scope

SettingsDep = Annotated[Settings, Depends(get_settings)]


def get_session() -> Iterator[Session]:
    """One session per request: committed on success, rolled back on any error."""
    with session_scope() as session:
        yield session


SessionDep = Annotated[Session, Depends(get_session)]

_bearer = HTTPBearer(auto_error=False, description="The admin API key (ADMIN_API_KEY)")


def require_admin(
    settings: SettingsDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> None:
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise Unauthorized("missing admin API key: send 'Authorization: Bearer <key>'",
                           field="Authorization")
    expected = settings.admin_api_key.get_secret_value().encode()
    if not secrets.compare_digest(credentials.credentials.encode(), expected):
        raise Unauthorized("wrong admin API key", field="Authorization")


AdminDep = Depends(require_admin)
