"""/api/v1/numbers on SQLite and PostgreSQL."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.models import PhoneNumber
from tests.support import factories
from tests.support.http import assert_error


def _count(db: Session) -> int:
    return db.scalar(select(func.count()).select_from(PhoneNumber)) or 0


def test_create_normalizes_to_e164_and_starts_pending(client: TestClient, db: Session) -> None:
    dept = factories.department(db)
    resp = client.post("/api/v1/numbers",
                       json={"e164": "+1 (202) 555-0142", "department_id": dept.id})
    assert resp.status_code == 201, resp.text
    num = resp.json()
    assert num["e164"] == "+12025550142" and num["department"] == dept.slug
    assert num["sync_status"] == "pending" and num["livekit_rule_id"] is None
    assert client.get(f"/api/v1/numbers/{num['id']}").json() == num


def test_invalid_numbers_are_422_naming_e164(client: TestClient, db: Session) -> None:
    dept = factories.department(db)
    for bad in ("12025550142", "+1555010", "+15550100001", "call me", ""):
        body = assert_error(client.post("/api/v1/numbers",
                                        json={"e164": bad, "department_id": dept.id}),
                            422, "invalid", "e164")
        assert "e164" in body["detail"]


def test_duplicate_number_is_409_and_nothing_written(client: TestClient, db: Session) -> None:
    existing = factories.number(db)
    before = _count(db)
    assert_error(client.post("/api/v1/numbers", json={"e164": existing.e164,
                                                      "department_id": existing.department_id}),
                 409, "conflict", "e164")
    other = factories.number(db)
    assert_error(client.patch(f"/api/v1/numbers/{other.id}", json={"e164": existing.e164}),
                 409, "conflict", "e164")
    assert _count(db) == before + 1
    db.expire_all()
    assert db.get(PhoneNumber, other.id).e164 != existing.e164


def test_references_must_exist_and_trunk_must_be_inbound(client: TestClient,
                                                          db: Session) -> None:
    dept = factories.department(db)
    outbound = factories.trunk(db, direction="outbound")
    e164 = factories.next_e164()
    # ids in the body that do not exist are 409s naming the field (the request is valid; the
    # record it points at is not there)
    assert_error(client.post("/api/v1/numbers", json={"e164": e164, "department_id": 999999}),
                 409, "unknown_reference", "department_id")
    assert_error(client.post("/api/v1/numbers", json={"e164": e164, "department_id": dept.id,
                                                      "trunk_id": 999999}),
                 409, "unknown_reference", "trunk_id")
    # a valid request that the trunk's direction refuses
    assert_error(client.post("/api/v1/numbers", json={"e164": e164, "department_id": dept.id,
                                                      "trunk_id": outbound.id}),
                 409, "conflict", "trunk_id")
    assert_error(client.post("/api/v1/numbers", json={"e164": e164}), 422, "invalid",
                 "department_id")


def test_move_to_another_department_and_trunk(client: TestClient, db: Session) -> None:
    num = factories.number(db, sync_status="synced")
    target = factories.department(db)
    trunk = factories.trunk(db)
    moved = client.patch(f"/api/v1/numbers/{num.id}",
                         json={"department_id": target.id, "trunk_id": trunk.id}).json()
    assert (moved["department"], moved["trunk_id"]) == (target.slug, trunk.id)
    assert moved["sync_status"] == "pending"
    back = client.patch(f"/api/v1/numbers/{num.id}", json={"trunk_id": None}).json()
    assert back["trunk_id"] is None
    assert_error(client.patch(f"/api/v1/numbers/{num.id}", json={"department_id": None}),
                 422, "invalid", "department_id")


def test_filters_and_pagination(client: TestClient, db: Session) -> None:
    a, b = factories.department(db), factories.department(db)
    trunk = factories.trunk(db)
    mine = [factories.number(db, a) for _ in range(3)]
    factories.number(db, b, trunk_id=trunk.id)
    page = client.get(f"/api/v1/numbers?department_id={a.id}&limit=2").json()
    assert page["total"] == 3 and [n["e164"] for n in page["items"]] == [
        n.e164 for n in mine[:2]]
    rest = client.get(f"/api/v1/numbers?department={a.slug}&limit=2&offset=2").json()
    assert [n["e164"] for n in rest["items"]] == [mine[2].e164]
    by_trunk = client.get(f"/api/v1/numbers?trunk_id={trunk.id}").json()
    assert by_trunk["total"] == 1 and by_trunk["items"][0]["department"] == b.slug
    assert client.get("/api/v1/numbers?sync_status=synced").json()["total"] == 0
    assert_error(client.get("/api/v1/numbers?sync_status=weird"), 422, "invalid",
                 "sync_status")


def test_delete_and_404(client: TestClient, db: Session) -> None:
    num = factories.number(db)
    assert client.delete(f"/api/v1/numbers/{num.id}").status_code == 204
    for method in ("get", "delete"):
        assert_error(getattr(client, method)(f"/api/v1/numbers/{num.id}"), 404, "not_found",
                     "number_id")
    assert_error(client.patch(f"/api/v1/numbers/{num.id}", json={}), 404, "not_found")
