"""Domain exceptions and the one place that turns them into JSON error responses.

Every error body is `{"error": "<code>", "detail": "<what went wrong>", "field": "<name>"|null}`.
Services raise the exceptions below; routes never build error responses themselves.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy.exc import IntegrityError
from starlette.exceptions import HTTPException as StarletteHTTPException


class ErrorBody(BaseModel):
    """The JSON body of every error response."""

    error: str
    detail: str
    field: str | None = None


class DomainError(Exception):
    status_code = 400
    code = "bad_request"
    headers: dict[str, str] | None = None  # response headers, e.g. Retry-After

    def __init__(self, detail: str, field: str | None = None):
        super().__init__(detail)
        self.detail = detail
        self.field = field


class NotFound(DomainError):
    status_code = 404
    code = "not_found"


class Conflict(DomainError):
    status_code = 409
    code = "conflict"


class Invalid(DomainError):
    status_code = 422
    code = "invalid"


class Unauthorized(DomainError):
    status_code = 401
    code = "unauthorized"


def reject_nulls(changes: dict[str, Any], nullable: set[str] | frozenset[str] = frozenset()
                 ) -> None:
    """A PATCH body may send `null` only for the fields that can be cleared."""
    for name, value in changes.items():
        if value is None and name not in nullable:
            raise Invalid(f"{name}: may not be null", field=name)


def error_response(status: int, code: str, detail: str, field: str | None = None,
                   headers: dict[str, str] | None = None) -> JSONResponse:
    body = ErrorBody(error=code, detail=detail, field=field).model_dump()
    return JSONResponse(body, status_code=status, headers=headers)


async def _domain(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, DomainError)
    headers = {"WWW-Authenticate": "Bearer"} if isinstance(exc, Unauthorized) else exc.headers
    return error_response(exc.status_code, exc.code, exc.detail, exc.field, headers)


def _field_name(loc: tuple[Any, ...]) -> str | None:
    """`("body", "voices", "openai")` -> "voices.openai"; the request part is dropped."""
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "header")]
    return ".".join(parts) or None


async def _validation(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    first = exc.errors()[0] if exc.errors() else {"loc": (), "msg": "invalid request"}
    field = _field_name(tuple(first.get("loc", ())))
    message = str(first.get("msg", "invalid value"))
    detail = f"{field}: {message}" if field else message
    return error_response(422, "invalid", detail, field)


async def _http(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    code = {404: "not_found", 405: "method_not_allowed", 401: "unauthorized"}.get(
        exc.status_code, "http_error")
    return error_response(exc.status_code, code, str(exc.detail), None,
                          getattr(exc, "headers", None))


async def _integrity(_: Request, exc: Exception) -> JSONResponse:
    """Backstop for a race the services' checks cannot see (the session is rolled back)."""
    return error_response(409, "conflict", "the change conflicts with existing data")


def install_error_handlers(application: FastAPI) -> None:
    application.add_exception_handler(DomainError, _domain)
    application.add_exception_handler(RequestValidationError, _validation)
    application.add_exception_handler(StarletteHTTPException, _http)
    application.add_exception_handler(IntegrityError, _integrity)


def responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses=` entries for the error statuses a route can return."""
    text = {401: "Missing or wrong admin API key", 404: "Unknown id",
            409: "Conflicts with existing data", 422: "Invalid input (the field is named)"}
    return {s: {"model": ErrorBody, "description": text.get(s, "Error")} for s in statuses}
