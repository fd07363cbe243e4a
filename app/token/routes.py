"""Token endpoints. Thin: validation and limits here, token building in `service`.

Errors use the API-wide body `{"error", "detail", "field"}`. This router maps its own
exceptions (and request validation errors) through `TokenRoute`, so the shape holds whatever
global handlers the application installs."""

from __future__ import annotations

import secrets
from collections.abc import Callable, Coroutine, Iterator
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from sqlalchemy.orm import Session

from app.config import Settings, get_settings
from app.db import get_sessionmaker
from app.seed import LANGUAGES
from app.token import service
from app.token.ratelimit import RateLimiter
from app.token.schemas import (
    ErrorBody,
    LegacyTokenRequest,
    LegacyTokenResponse,
    TokenOptions,
    TokenRequest,
    TokenResponse,
)


def error_response(status_code: int, error: str, detail: str, field: str | None = None,
                   headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse({"error": error, "detail": detail, "field": field},
                        status_code=status_code, headers=headers)


def validation_error_response(exc: RequestValidationError) -> JSONResponse:
    """Same body as app.errors' handler: the first error, its field named."""
    errors = exc.errors()
    first = errors[0] if errors else {}
    parts = [str(p) for p in first.get("loc", ()) if p not in ("body", "query", "path", "header")]
    field = ".".join(parts) or None
    message = str(first.get("msg", "invalid value"))
    return error_response(422, "invalid", f"{field}: {message}" if field else message, field)


class TokenRoute(APIRoute):
    """Maps `TokenError` and request validation failures to the API error body."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def route(request: Request) -> Response:
            try:
                return await handler(request)
            except RequestValidationError as exc:
                return validation_error_response(exc)
            except service.TokenError as exc:
                return error_response(exc.status_code, exc.code, exc.detail, exc.field,
                                      exc.headers)

        return route


router = APIRouter(tags=["browser calls"], route_class=TokenRoute)

SettingsDep = Annotated[Settings, Depends(get_settings)]


def db_session() -> Iterator[Session]:
    with get_sessionmaker()() as session:
        yield session


SessionDep = Annotated[Session, Depends(db_session)]


def client_address(request: Request) -> str:
    """The peer address (behind a proxy run uvicorn with --proxy-headers/--forwarded-allow-ips
    so this is the browser's address, not the proxy's)."""
    return request.client.host if request.client else "unknown"


def rate_limit(request: Request, settings: SettingsDep) -> None:
    limiter: RateLimiter | None = getattr(request.app.state, "token_rate_limiter", None)
    if limiter is None or limiter.capacity != settings.token_rate_limit_per_minute:
        limiter = RateLimiter(settings.token_rate_limit_per_minute)
        request.app.state.token_rate_limiter = limiter
    retry_after = limiter.hit(client_address(request))
    if retry_after is not None:
        raise service.RateLimited(retry_after)


def require_auth_if_configured(request: Request, settings: SettingsDep) -> None:
    if not settings.token_requires_auth:
        return
    scheme, _, supplied = request.headers.get("authorization", "").partition(" ")
    expected = settings.admin_api_key.get_secret_value()
    if scheme.lower() != "bearer" or not supplied:
        raise service.Unauthorized("This server requires 'Authorization: Bearer <admin key>' "
                                   "for tokens (TOKEN_REQUIRES_AUTH=true)")
    if not secrets.compare_digest(supplied.strip().encode(), expected.encode()):
        raise service.Unauthorized("Invalid API key")


ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"model": ErrorBody, "description": "Key missing or wrong (TOKEN_REQUIRES_AUTH=true)"},
    404: {"model": ErrorBody, "description": "Unknown department"},
    422: {"model": ErrorBody, "description": "Invalid field (`field` names it)"},
    429: {"model": ErrorBody, "description": "Rate limited per client address; see Retry-After"},
}
GUARDS = [Depends(rate_limit), Depends(require_auth_if_configured)]


@router.post("/api/v1/token", status_code=201, response_model=TokenResponse, responses=ERRORS,
             dependencies=GUARDS, summary="Token for a browser call to a department")
def create_token(body: TokenRequest, settings: SettingsDep, session: SessionDep) -> TokenResponse:
    """LiveKit's standard token-endpoint shape. The token joins only `room_name` and its room
    configuration dispatches the contact-center agent with the department and language."""
    department = service.find_department(session, body.department)
    issued = service.issue_token(settings, department, language=body.language,
                                 participant_name=body.participant_name,
                                 room_name=body.room_name)
    return TokenResponse(server_url=issued.server_url,
                         participant_token=issued.participant_token,
                         room_name=issued.room_name)


@router.post("/api/token", response_model=LegacyTokenResponse, responses=ERRORS,
             dependencies=GUARDS, summary="Token, in the existing front end's request shape")
def create_token_legacy(body: LegacyTokenRequest, settings: SettingsDep,
                        session: SessionDep) -> LegacyTokenResponse:
    """Compatibility with the front end built from the seed guide: same validation and
    dispatch as `/api/v1/token`; customer id and name travel in the agent metadata."""
    department = service.find_department(session, body.department)
    issued = service.issue_token(settings, department, language=body.language,
                                 participant_name=body.customer_name,
                                 customer_id=body.customer_id, customer_name=body.customer_name)
    return LegacyTokenResponse(server_url=issued.server_url,
                               participant_token=issued.participant_token,
                               room_name=issued.room_name, token=issued.participant_token,
                               url=issued.server_url)


@router.get("/api/v1/token/departments", response_model=TokenOptions,
            summary="Departments and languages a browser call can choose (public)")
def token_options(settings: SettingsDep, session: SessionDep) -> TokenOptions:
    return TokenOptions(departments=service.list_departments(session),
                        languages=list(LANGUAGES), requires_auth=settings.token_requires_auth)
