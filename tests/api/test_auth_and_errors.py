"""Admin key, the error body shape, and the OpenAPI description."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests.support.http import assert_error

ENDPOINTS = ["/api/v1/departments", "/api/v1/numbers", "/api/v1/trunks", "/api/v1/calls"]


@pytest.mark.parametrize("path", ENDPOINTS)
def test_missing_or_wrong_key_is_401(client: TestClient, path: str) -> None:
    no_key = client.get(path, headers={"Authorization": ""})
    assert_error(no_key, 401, "unauthorized", "Authorization")
    assert no_key.headers["WWW-Authenticate"] == "Bearer"
    wrong = client.get(path, headers={"Authorization": "Bearer nope"})
    assert_error(wrong, 401, "unauthorized", "Authorization")
    assert client.get(path).status_code == 200


def test_sync_endpoint_needs_the_key(client: TestClient) -> None:
    assert_error(client.post("/api/v1/sip/sync", headers={"Authorization": ""}), 401,
                 "unauthorized")


def test_fastapi_validation_errors_use_the_same_shape(client: TestClient) -> None:
    body = assert_error(client.get("/api/v1/numbers?limit=0"), 422, "invalid", "limit")
    assert "limit" in body["detail"]
    assert_error(client.post("/api/v1/departments", json={}), 422, "invalid", "slug")
    assert_error(client.post("/api/v1/departments", content=b"{not json",
                             headers={"Content-Type": "application/json"}), 422, "invalid")
    assert_error(client.get("/api/v1/departments/abc"), 422, "invalid", "department_id")


def test_unknown_path_is_json_404(client: TestClient) -> None:
    assert_error(client.get("/api/v1/nothing-here"), 404, "not_found")


def test_openapi_has_tags_errors_and_bearer_auth(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    tags = {tag for item in spec["paths"].values() for op in item.values()
            for tag in op.get("tags", [])}
    assert {"departments", "numbers", "trunks", "calls", "sip"} <= tags
    create_number = spec["paths"]["/api/v1/numbers"]["post"]
    assert {"401", "409", "422"} <= set(create_number["responses"])
    error_schema = create_number["responses"]["409"]["content"]["application/json"]["schema"]
    assert error_schema["$ref"].endswith("/ErrorBody")
    assert "HTTPBearer" in spec["components"]["securitySchemes"]
