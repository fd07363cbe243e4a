"""The OpenAPI document says what the API really returns, so generated clients work:

- every error response is `ErrorBody` (FastAPI's own `HTTPValidationError` is never sent: the
  handlers in app.errors answer 422 in the one shape);
- 401 on every operation that needs the admin key, 413 and 422 on every operation that takes
  a body, 422 on every operation with parameters;
- the browser-call token endpoints' auth is optional or required as TOKEN_REQUIRES_AUTH says.

Route-specific errors (404, 409, 429, ...) are declared on the routes themselves.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import FastAPI

from app.errors import ERROR_TEXT, ErrorBody

ERROR_REF = {"$ref": "#/components/schemas/ErrorBody"}
FASTAPI_VALIDATION_SCHEMAS = ("HTTPValidationError", "ValidationError")


def _error(status: int) -> dict[str, Any]:
    return {"description": ERROR_TEXT[status],
            "content": {"application/json": {"schema": ERROR_REF}}}


def _needs_key(operation: dict[str, Any]) -> bool:
    """Some way of calling the operation needs credentials (no `{}` alternative)."""
    requirements = operation.get("security") or []
    return bool(requirements) and all(requirements)


def document_errors(schema: dict[str, Any]) -> None:
    for item in schema.get("paths", {}).values():
        for operation in item.values():
            responses = operation.setdefault("responses", {})
            statuses = []
            if _needs_key(operation):
                statuses.append(401)
            if "requestBody" in operation:
                statuses += [413, 422]
            if operation.get("parameters"):
                statuses.append(422)
            for status in statuses:
                responses.setdefault(str(status), _error(status))
            if "422" in responses:  # replaces FastAPI's HTTPValidationError
                responses["422"] = _error(422)
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    for name in FASTAPI_VALIDATION_SCHEMAS:
        components.pop(name, None)
    components["ErrorBody"] = ErrorBody.model_json_schema(
        ref_template="#/components/schemas/{model}")


def install(application: FastAPI, *fixes: Callable[[dict[str, Any]], None]) -> None:
    """Build the document once, then apply `document_errors` and `fixes` to it."""
    build = application.openapi

    def openapi() -> dict[str, Any]:
        if application.openapi_schema is None:
            schema = build()
            for fix in fixes:
                fix(schema)
            document_errors(schema)
        return application.openapi_schema  # type: ignore[return-value]

    application.openapi = openapi  # type: ignore[method-assign]
