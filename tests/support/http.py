"""Assertions on API responses."""

from __future__ import annotations

from typing import Any


def assert_error(resp: Any, status: int, code: str, field: str | None = None) -> dict:
    """The response is an error in the one documented shape, naming the field."""
    assert resp.status_code == status, resp.text
    body = resp.json()
    assert set(body) == {"error", "detail", "field"}, body
    assert body["error"] == code, body
    assert body["detail"], body
    if field is not None:
        assert body["field"] == field, body
    return body
