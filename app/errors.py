"""Domain exceptions and the one place that turns every error into a JSON response.

Every error body is `{"error": "<code>", "detail": "<what went wrong>", "field": "<name>"|null}`:
domain errors raised by services, request validation, Starlette's own 404/405, a body that
cannot be decoded or is too large, and (as a last resort) an unexpected exception (500).
Routes never build error responses themselves.
"""

from __future__ import annotations

import logging
import re
from functools import lru_cache
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy.exc import DataError, IntegrityError
from starlette.exceptions import HTTPException as StarletteHTTPException

log = logging.getLogger(__name__)


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
    """The resource in the path, or one a body field refers to, does not exist."""

    status_code = 404
    code = "not_found"


class Conflict(DomainError):
    """A valid request that the current state of the data does not allow."""

    status_code = 409
    code = "conflict"


class UnknownReference(Conflict):
    """A body names a record (department_id, trunk_id) that does not exist: the request is
    well formed, the data it points at is not there. Not a 404: the resource addressed by
    the URL exists (or is being created)."""

    code = "unknown_reference"


class Invalid(DomainError):
    status_code = 422
    code = "invalid"


class Unauthorized(DomainError):
    status_code = 401
    code = "unauthorized"


class Forbidden(DomainError):
    status_code = 403
    code = "forbidden"


class RangeNotSatisfiable(DomainError):
    """A byte range that starts beyond the end of the file (`Content-Range: bytes */size`)."""

    status_code = 416
    code = "range_not_satisfiable"

    def __init__(self, size: int) -> None:
        super().__init__(f"the range starts beyond the end of the file ({size} bytes)",
                         field="Range")
        self.headers = {"Content-Range": f"bytes */{size}"}


class BodyTooLarge(StarletteHTTPException):
    """Raised while a streamed body is read (FastAPI passes HTTPExceptions through)."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, f"the request body is larger than {limit} bytes")


HTTP_CODES = {400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found",
              405: "method_not_allowed", 413: "too_large", 415: "unsupported_media_type"}


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


def _field_name(loc: tuple[Any, ...], body: Any = None) -> str | None:
    """`("body", "voices", "openai")` -> "voices.openai"; the request part is dropped, and so
    is the tag pydantic puts in the path of a tagged union (`("body", "inbound", "address")`
    for a body whose `direction` is "inbound" names `address`)."""
    parts = list(loc)
    if parts[:1] == ["body"] and len(parts) > 1 and isinstance(body, dict) \
            and parts[1] not in body and parts[1] in body.values():
        del parts[1]
    names = [str(p) for p in parts if p not in ("body", "query", "path", "header")]
    return ".".join(names) or None


async def _validation(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    first = exc.errors()[0] if exc.errors() else {"loc": (), "msg": "invalid request"}
    field = _field_name(tuple(first.get("loc", ())), exc.body)
    if str(first.get("type", "")).startswith("union_tag_"):  # the tag itself is wrong
        field = str(first.get("ctx", {}).get("discriminator", "")).strip("'") or field
    message = str(first.get("msg", "invalid value"))
    detail = f"{field}: {message}" if field else message
    return error_response(422, "invalid", detail, field)


@lru_cache(maxsize=256)
def _path_pattern(template: str) -> re.Pattern[str]:
    """'/api/v1/numbers/{number_id}' -> a pattern matching its concrete paths."""
    return re.compile(re.sub(r"\\\{[^/]+?\\\}", "[^/]+", re.escape(template)))


def allowed_methods(request: Request, fallback: str) -> str:
    """Every method the document lists for this path (Starlette's own 405 names only the
    methods of the first route that matched the path); `fallback` for undocumented paths."""
    paths = request.app.openapi().get("paths", {})
    for template, operations in paths.items():
        if _path_pattern(template).fullmatch(request.url.path):
            return ", ".join(sorted(method.upper() for method in operations))
    return fallback


async def _http(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    if exc.status_code == 400 and isinstance(exc.__cause__, ValueError):
        # FastAPI's "error parsing the body": bytes that are not UTF-8 JSON. A body that is
        # not valid JSON is a 422 already (json_invalid); both are invalid input.
        return error_response(422, "invalid", "the request body is not valid JSON")
    headers = dict(exc.headers or {})
    if exc.status_code == 405:
        headers["Allow"] = allowed_methods(request, headers.get("Allow", ""))
    code = HTTP_CODES.get(exc.status_code, "http_error")
    return error_response(exc.status_code, code, str(exc.detail), None, headers or None)


async def _integrity(_: Request, exc: Exception) -> JSONResponse:
    """Backstop for a race the services' checks cannot see (the session is rolled back)."""
    return error_response(409, "conflict", "the change conflicts with existing data")


async def _data(_: Request, exc: Exception) -> JSONResponse:
    """Backstop: a value the database cannot store (the schemas' bounds should catch it)."""
    log.warning("database refused a value: %s", type(exc.__cause__ or exc).__name__)
    return error_response(422, "invalid", "a value does not fit what the database can store")


async def _internal(_: Request, exc: Exception) -> JSONResponse:
    """Anything unexpected: still the one JSON shape (the exception is logged by the server)."""
    return error_response(500, "internal", "internal server error")


def install_error_handlers(application: FastAPI) -> None:
    application.add_exception_handler(DomainError, _domain)
    application.add_exception_handler(RequestValidationError, _validation)
    application.add_exception_handler(StarletteHTTPException, _http)
    application.add_exception_handler(IntegrityError, _integrity)
    application.add_exception_handler(DataError, _data)
    application.add_exception_handler(Exception, _internal)


ERROR_TEXT = {
    401: "Missing or wrong admin API key",
    403: "Not allowed",
    404: "Unknown id (in the path, or one that a body field refers to)",
    409: "Conflicts with existing data or the resource's current state",
    413: "Request body larger than API_MAX_BODY_BYTES",
    416: "The byte range starts beyond the end of the file (Content-Range says its size)",
    422: "Invalid input (the field is named)",
    429: "Rate limited; see Retry-After",
}


def responses(*statuses: int, **text: str) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses=` entries for the error statuses a route can return
    (`responses(404, s404="Unknown department")` overrides a description)."""
    return {s: {"model": ErrorBody, "description": text.get(f"s{s}", ERROR_TEXT.get(s, "Error"))}
            for s in statuses}
