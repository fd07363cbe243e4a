"""Bad input is refused before it reaches the database, always as a JSON error in the one shape:
out-of-range integers (path ids, body ids, paging), oversized texts and bodies, bytes that are
not JSON, Starlette's own 404/405, and an unexpected exception. On SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.limits import MAX_ID, MAX_PROMPT_CHARS
from core.config import Settings
from tests.support import factories
from tests.support.http import assert_error

HUGE = 2**70  # beyond 64 bits
BEYOND_INT32 = MAX_ID + 1


@pytest.mark.parametrize("resource", ["departments", "numbers", "trunks"])
@pytest.mark.parametrize("bad_id", [HUGE, BEYOND_INT32, 0, -1])
def test_path_ids_out_of_range_are_422(client: TestClient, resource: str, bad_id: int) -> None:
    field = {"departments": "department_id", "numbers": "number_id",
             "trunks": "trunk_id"}[resource]
    for method, kwargs in (("get", {}), ("patch", {"json": {}}), ("delete", {})):
        resp = getattr(client, method)(f"/api/v1/{resource}/{bad_id}", **kwargs)
        assert_error(resp, 422, "invalid", field)


def test_largest_id_is_a_plain_404(client: TestClient) -> None:
    assert_error(client.get(f"/api/v1/departments/{MAX_ID}"), 404, "not_found")


@pytest.mark.parametrize("query", [f"offset={HUGE}", f"offset={BEYOND_INT32}", "offset=-1",
                                   "limit=501", f"limit={HUGE}", f"department_id={HUGE}",
                                   f"trunk_id={BEYOND_INT32}"])
def test_paging_and_filter_integers_out_of_range_are_422(client: TestClient, query: str) -> None:
    name = query.split("=")[0]
    assert_error(client.get(f"/api/v1/numbers?{query}"), 422, "invalid", name)


def test_body_ids_out_of_range_are_422(client: TestClient, db: Session) -> None:
    dept = factories.department(db)
    for body, field in (({"department_id": HUGE}, "department_id"),
                        ({"department_id": dept.id, "trunk_id": BEYOND_INT32}, "trunk_id")):
        resp = client.post("/api/v1/numbers", json={"e164": factories.next_e164(), **body})
        assert_error(resp, 422, "invalid", field)


def test_texts_longer_than_their_columns_are_422(client: TestClient, db: Session) -> None:
    trunk = factories.trunk(db)
    assert_error(client.patch(f"/api/v1/trunks/{trunk.id}", json={"name": "n" * 129}), 422,
                 "invalid", "name")
    assert_error(client.post("/api/v1/departments", json={"slug": "a" * 65}), 422, "invalid",
                 "slug")
    assert_error(client.get("/api/v1/calls", params={"number": "+1" * 20}), 422, "invalid",
                 "number")
    assert_error(client.get(f"/api/v1/calls/{'f' * 33}"), 422, "invalid", "call_id")


def test_a_prompt_over_its_bound_is_422_and_a_2mb_body_is_413(client: TestClient,
                                                               db: Session) -> None:
    dept = factories.department(db)
    long_prompt = {"instructions": {"en": "x" * (MAX_PROMPT_CHARS + 1)}}
    assert_error(client.patch(f"/api/v1/departments/{dept.id}", json=long_prompt), 422,
                 "invalid", "instructions.en")
    two_mb = {"instructions": {"en": "x" * 2_000_000}}
    body = assert_error(client.patch(f"/api/v1/departments/{dept.id}", json=two_mb), 413,
                        "too_large")
    assert str(Settings(_env_file=None).api_max_body_bytes) in body["detail"]
    db.expire_all()
    assert len(db.get(type(dept), dept.id).instructions["en"]) < 100  # nothing stored


def test_a_streamed_body_without_content_length_is_cut_at_the_limit(client: TestClient) -> None:
    def chunks() -> Iterator[bytes]:
        yield b'{"slug": "streamed", "welcome": {"en": "'
        for _ in range(40):
            yield b"y" * 65536
        yield b'"}}'

    resp = client.post("/api/v1/departments", content=chunks(),
                       headers={"Content-Type": "application/json"})
    assert "content-length" not in {k.lower() for k in resp.request.headers}
    assert_error(resp, 413, "too_large")


def test_bytes_that_are_not_utf8_json_are_422(client: TestClient) -> None:
    resp = client.post("/api/v1/trunks", content=b"K\xff\xfe?QI\x80",
                       headers={"Content-Type": "application/json"})
    assert_error(resp, 422, "invalid")


def test_starlette_404_and_405_use_the_shape_and_405_allows_every_method(
        client: TestClient) -> None:
    assert_error(client.get("/no/such/path"), 404, "not_found")
    resp = client.put("/api/v1/departments/1")
    assert_error(resp, 405, "method_not_allowed")
    assert {"GET", "PATCH", "DELETE"} <= set(resp.headers["Allow"].split(", "))
    resp = client.options("/api/v1/numbers")
    assert_error(resp, 405, "method_not_allowed")
    assert {"GET", "POST"} <= set(resp.headers["Allow"].split(", "))


def test_an_unexpected_exception_is_a_json_500(app: FastAPI) -> None:
    @app.get("/boom", include_in_schema=False)
    def boom() -> None:
        raise RuntimeError("a bug")

    with TestClient(app, raise_server_exceptions=False) as plain:
        body = assert_error(plain.get("/boom"), 500, "internal")
    assert "a bug" not in body["detail"]  # internals are logged, not sent
