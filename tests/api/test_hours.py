"""/api/v1/departments/{id}/hours, and a department's transfer settings, on SQLite and
PostgreSQL."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.support import factories
from tests.support.http import assert_error

OFFICE = {"time_zone": "Asia/Riyadh",
          "weekly": {"sun": [["09:00", "17:00"]], "sat": [["22:00", "02:00"]]},
          "closed_dates": ["2026-12-25", "2026-12-24", "2026-12-25"]}


def test_hours_are_set_read_and_cleared(client: TestClient, db: Session) -> None:
    dept = factories.department(db)
    url = f"/api/v1/departments/{dept.id}/hours"
    fresh = client.get(url).json()
    assert fresh["always_open"] and fresh["open_now"] and fresh["weekly"] == {}

    put = client.put(url, json=OFFICE)
    assert put.status_code == 200, put.text
    body = put.json()
    assert body["weekly"] == OFFICE["weekly"] and body["time_zone"] == "Asia/Riyadh"
    assert body["closed_dates"] == ["2026-12-24", "2026-12-25"]  # sorted, once each
    assert not body["always_open"]
    assert (body["closes_at"] is None) == (not body["open_now"])  # one of them is said
    assert client.get(url).json()["weekly"] == OFFICE["weekly"]
    assert client.get(f"/api/v1/departments/{dept.id}").json()["always_open"] is False

    cleared = client.delete(url).json()
    assert cleared["always_open"] and cleared["open_now"]


def test_bad_hours_are_422_naming_the_field(client: TestClient, db: Session) -> None:
    url = f"/api/v1/departments/{factories.department(db).id}/hours"
    for body, field in [
        ({**OFFICE, "time_zone": "Mars/Olympus"}, "time_zone"),
        ({**OFFICE, "weekly": {"sun": [["9:00", "17:00"]]}}, "weekly.sun.0.0"),
        ({**OFFICE, "weekly": {"sun": [["24:00", "02:00"]]}}, "weekly.sun.0.0"),
        ({**OFFICE, "closed_dates": [0]}, "closed_dates.0"),
        ({**OFFICE, "weekly": {"someday": []}}, "weekly.someday"),
        ({**OFFICE, "closed_dates": ["2026-02-30"]}, "closed_dates.0"),
    ]:
        assert_error(client.put(url, json=body), 422, "invalid", field=field)
    assert_error(client.get("/api/v1/departments/999999/hours"), 404, "not_found")


def test_transfer_settings_need_outbound_trunks_and_warm_needs_both(
        client: TestClient, db: Session) -> None:
    dept = factories.department(db)
    url = f"/api/v1/departments/{dept.id}"
    inbound, outbound = factories.trunk(db), factories.trunk(db, "outbound")
    assert_error(client.patch(url, json={"human_trunk_id": inbound.id}), 409, "conflict",
                 field="human_trunk_id")
    assert_error(client.patch(url, json={"callback_trunk_id": 999999}), 409,
                 "unknown_reference", field="callback_trunk_id")
    assert_error(client.patch(url, json={"transfer_mode": "warm"}), 409, "conflict",
                 field="human_transfer_target")
    warm = client.patch(url, json={"transfer_mode": "warm", "human_trunk_id": outbound.id,
                                   "callback_trunk_id": outbound.id,
                                   "human_transfer_target": "+12025550150"})
    assert warm.status_code == 200, warm.text
    assert (warm.json()["transfer_mode"], warm.json()["human_trunk_id"]) == ("warm", outbound.id)
    assert_error(client.patch(url, json={"human_trunk_id": None}), 409, "conflict",
                 field="human_trunk_id")
    assert client.patch(url, json={"transfer_mode": "cold", "human_trunk_id": None}).json()[
        "transfer_mode"] == "cold"
