"""Request dependencies: settings, the DB session (commit on success, roll back on error) and
the admin check: the API key, or the console's session cookie (with its CSRF token for
changes, app/console/session.py)."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session

from app.console.session import COOKIE, CSRF_HEADER, SAFE_METHODS, csrf_matches, read_session
from app.errors import Forbidden, Unauthorized
from core.config import Settings, get_settings
from core.db import session_scope

SettingsDep = Annotated[Settings, Depends(get_settings)]


def get_session() -> Iterator[Session]:
    """One session per request: committed on success, rolled back on any error."""
    with session_scope() as session:
        yield session


# function scope: the commit runs when the endpoint returns, before the response starts, so a
# 2xx means the change is stored and a failed commit is an error response, not a lost write
# (FastAPI's default runs this after the response has been sent)
SessionDep = Annotated[Session, Depends(get_session, scope="function")]

_bearer = HTTPBearer(auto_error=False, description="The admin API key (ADMIN_API_KEY)")


def require_admin(
    request: Request,
    settings: SettingsDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> None:
    """The Bearer admin key; without one, a console session cookie, whose CSRF token must
    come back in X-CSRF-Token on every request that changes something."""
    if credentials is None and COOKIE in request.cookies:
        session = read_session(settings, request.cookies[COOKIE])
        if session is None:
            raise Unauthorized("the console session has expired: sign in again", field=COOKIE)
        if request.method not in SAFE_METHODS and not csrf_matches(
                session, request.headers.get(CSRF_HEADER)):
            raise Forbidden("missing or wrong CSRF token", field=CSRF_HEADER)
        return
    require_admin_key(settings, credentials)


def require_admin_key(settings: Settings,
                      credentials: HTTPAuthorizationCredentials | None) -> None:
    """'Authorization: Bearer <ADMIN_API_KEY>', compared in constant time."""
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise Unauthorized("missing admin API key: send 'Authorization: Bearer <key>'",
                           field="Authorization")
    expected = settings.admin_api_key.get_secret_value().encode()
    if not secrets.compare_digest(credentials.credentials.encode(), expected):
        raise Unauthorized("wrong admin API key", field="Authorization")


AdminDep = Depends(require_admin)
