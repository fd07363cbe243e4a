"""/api/v1/callbacks on SQLite and PostgreSQL: create (phonenumbers-validated, within the
department's hours), list and filter, cancel, mark done, and the call record's events."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from core import clock
from tests.support import factories
from tests.support.http import assert_error


def _create(client: TestClient, dept_id: int, **kw: object) -> dict:  # type: ignore[type-arg]
    body = {"number": "+44 20 7946 0101", "department_id": dept_id, "language": "en",
            "reason": "a refund"} | kw
    resp = client.post("/api/v1/callbacks", json=body)
    assert resp.status_code == 201, resp.text
    return resp.json()


def test_a_callback_is_stored_pending_and_waits_for_opening_hours(
        client: TestClient, db: Session) -> None:
    open_dept = factories.department(db)
    row = _create(client, open_dept.id)
    assert (row["number"], row["status"], row["attempts"], row["attempt_log"]) == \
        ("+442079460101", "pending", 0, [])
    delay = datetime.fromisoformat(row["next_attempt_at"]) - clock.now()
    assert timedelta(seconds=30) < delay <= timedelta(seconds=60)  # CALLBACK_DELAY_SECONDS

    # closed all week except Sunday mornings: the first call waits for Sunday 09:00 UTC
    closed = factories.department(db, hours={"time_zone": "UTC",
                                             "weekly": {"sun": [["09:00", "12:00"]]}})
    earliest = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)  # a Tuesday
    later = _create(client, closed.id, earliest_at=earliest.isoformat(), max_attempts=5)
    assert datetime.fromisoformat(later["next_attempt_at"]) == \
        datetime(2026, 12, 6, 9, 0, tzinfo=UTC)
    assert datetime.fromisoformat(later["earliest_at"]) == earliest
    assert later["max_attempts"] == 5


def test_list_filter_cancel_done(client: TestClient, db: Session) -> None:
    dept, other = factories.department(db), factories.department(db)
    call = factories.call(db, events=0)
    first = _create(client, dept.id)
    second = _create(client, other.id)
    page = client.get("/api/v1/callbacks", params={"department_id": dept.id}).json()
    assert [c["id"] for c in page["items"]] == [first["id"]] and page["total"] == 1

    cancelled = client.post(f"/api/v1/callbacks/{first['id']}/cancel").json()
    assert cancelled["status"] == "cancelled" and cancelled["completed_at"]
    assert_error(client.post(f"/api/v1/callbacks/{first['id']}/cancel"), 409, "conflict")
    assert_error(client.post(f"/api/v1/callbacks/{first['id']}/done"), 409, "conflict")
    assert client.post(f"/api/v1/callbacks/{second['id']}/done").json()["status"] == "done"
    statuses = {c["id"]: c["status"] for c in client.get(
        "/api/v1/callbacks", params={"status": "done"}).json()["items"]}
    assert statuses.get(second["id"]) == "done" and first["id"] not in statuses

    # a callback from a call: its end shows in that call's record
    from core.callbacks import create
    from core.config import get_settings
    row = create(db, get_settings(), department=dept, number="+442079460101", language="en",
                 reason="r", via="assistant", now=clock.now(), call_id=call.id)
    db.commit()
    assert client.get("/api/v1/callbacks", params={"call_id": call.id}).json()["total"] == 1
    client.post(f"/api/v1/callbacks/{row.id}/done")
    kinds = [e["kind"] for e in client.get(f"/api/v1/calls/{call.id}").json()["events"]]
    assert kinds == ["callback_done"]


def test_bad_callbacks_are_refused(client: TestClient, db: Session) -> None:
    dept = factories.department(db)
    body = {"number": "+44 20 7946 0101", "department_id": dept.id, "language": "en"}
    assert_error(client.post("/api/v1/callbacks", json={**body, "number": "12345"}), 422,
                 "invalid", field="number")
    assert_error(client.post("/api/v1/callbacks", json={**body, "number": "+1 999 000 0000"}),
                 422, "invalid", field="number")
    assert_error(client.post("/api/v1/callbacks", json={**body, "language": "fr"}), 422,
                 "invalid", field="language")
    assert_error(client.post("/api/v1/callbacks", json={**body, "department_id": 999999}),
                 409, "unknown_reference", field="department_id")
    assert_error(client.get("/api/v1/callbacks/999999"), 404, "not_found")
    assert_error(client.get("/api/v1/callbacks", params={"status": "lost"}), 422, "invalid",
                 field="status")
