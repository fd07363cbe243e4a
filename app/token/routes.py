"""Token endpoints. Thin: limits and auth here, token building in `service`.

Errors are app.errors domain exceptions, turned into `{"error", "detail", "field"}` by the
application's handlers (a 429 carries its Retry-After header)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from app.deps import SessionDep, SettingsDep, require_admin_key
from app.errors import ErrorBody
from app.seed import LANGUAGES
from app.supervision.capacity import admit_browser_call
from app.token import service
from app.token.ratelimit import RateLimiter, SharedRateLimiter
from app.token.schemas import (
    LegacyTokenRequest,
    LegacyTokenResponse,
    TokenOptions,
    TokenRequest,
    TokenResponse,
)

router = APIRouter(tags=["browser calls"])

_bearer = HTTPBearer(auto_error=False,
                     description="The admin API key, only when TOKEN_REQUIRES_AUTH=true")


def client_address(request: Request) -> str:
    """The peer address (behind a proxy run uvicorn with --proxy-headers/--forwarded-allow-ips
    so this is the browser's address, not the proxy's)."""
    return request.client.host if request.client else "unknown"


def rate_limit(request: Request, settings: SettingsDep) -> None:
    limiter: RateLimiter | SharedRateLimiter | None = getattr(
        request.app.state, "token_rate_limiter", None)
    if limiter is None or limiter.capacity != settings.token_rate_limit_per_minute:
        limiter = SharedRateLimiter(settings.redis_url, settings.token_rate_limit_per_minute) \
            if settings.redis_url else RateLimiter(settings.token_rate_limit_per_minute)
        request.app.state.token_rate_limiter = limiter
    retry_after = limiter.hit(client_address(request))
    if retry_after is not None:
        raise service.RateLimited(retry_after)


def require_auth_if_configured(
    settings: SettingsDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> None:
    """Public by default (the test page); TOKEN_REQUIRES_AUTH=true demands the admin key."""
    if settings.token_requires_auth:
        require_admin_key(settings, credentials)


ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"model": ErrorBody, "description": "Key missing or wrong (TOKEN_REQUIRES_AUTH=true)"},
    403: {"model": ErrorBody, "description": "A room that public tokens may not join"},
    404: {"model": ErrorBody, "description": "Unknown department"},
    422: {"model": ErrorBody, "description": "Invalid field (`field` names it)"},
    429: {"model": ErrorBody, "description": "Rate limited per client address; see Retry-After"},
    503: {"model": ErrorBody, "description": "Browser calls have their share of the agents "
                                             "already; see Retry-After"},
}
GUARDS = [Depends(rate_limit), Depends(require_auth_if_configured)]
TOKEN_PATHS = ("/api/v1/token", "/api/token")


def document_auth(requires_auth: bool):  # type: ignore[no-untyped-def]
    """An OpenAPI fix: the token endpoints need the key only when TOKEN_REQUIRES_AUTH=true;
    otherwise the key is optional (`{}` alternative) and a 401 cannot happen."""
    def fix(schema: dict[str, Any]) -> None:
        for path in TOKEN_PATHS:
            operation = schema["paths"][path]["post"]
            if not requires_auth:
                operation["security"] = [{}, *operation.get("security", [])]
                operation["responses"].pop("401", None)
    return fix


@router.post("/api/v1/token", status_code=201, response_model=TokenResponse, responses=ERRORS,
             dependencies=GUARDS, summary="Token for a browser call to a department")
def create_token(body: TokenRequest, settings: SettingsDep, session: SessionDep) -> TokenResponse:
    """LiveKit's standard token-endpoint shape. The token joins only `room_name` and its room
    configuration dispatches the contact-center agent with the department and language."""
    department = service.find_department(session, body.department)
    admit_browser_call(session, settings)
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
    admit_browser_call(session, settings)
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
