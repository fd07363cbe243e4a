"""/api/v1/calls: read-only call records with their events."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.support import factories
from tests.support.http import assert_error


def test_list_newest_first_with_filters(client: TestClient, db: Session) -> None:
    now = datetime.now(UTC)
    old = factories.call(db, first_department="reception", current_department="sales",
                         started_at=now - timedelta(hours=1))
    new = factories.call(db, status="active", first_department="complaints",
                         current_department="complaints", started_at=now)
    page = client.get("/api/v1/calls").json()
    assert [c["id"] for c in page["items"]] == [new.id, old.id] and page["total"] == 2
    assert [c["id"] for c in client.get("/api/v1/calls?status=active").json()["items"]] == [
        new.id]
    sales = client.get("/api/v1/calls?department=sales").json()
    assert [c["id"] for c in sales["items"]] == [old.id]  # moved there during the call
    assert client.get("/api/v1/calls?limit=1&offset=1").json()["total"] == 2
    assert client.get("/api/v1/calls?source=browser").json()["total"] == 0


def test_detail_has_events_in_order(client: TestClient, db: Session) -> None:
    record = factories.call(db, events=3)
    detail = client.get(f"/api/v1/calls/{record.id}").json()
    assert detail["room_name"] == record.room_name
    assert [e["data"]["text"] for e in detail["events"]] == ["line 0", "line 1", "line 2"]
    assert detail["started_at"].endswith(("Z", "+00:00"))


def test_unknown_call_is_404(client: TestClient) -> None:
    assert_error(client.get("/api/v1/calls/nope"), 404, "not_found", "call_id")


def test_filters_by_outcome_and_start(client: TestClient, db: Session) -> None:
    day = datetime(2026, 11, 26, tzinfo=UTC)
    early = factories.call(db, outcome="resolved", summary="Answered.",
                           started_at=day + timedelta(hours=8))
    late = factories.call(db, outcome="handed_over", started_at=day + timedelta(hours=20))
    factories.call(db, status="active", started_at=day + timedelta(days=3))

    def ids(**params: str) -> list[str]:
        resp = client.get("/api/v1/calls", params=params)
        assert resp.status_code == 200, resp.text
        return [c["id"] for c in resp.json()["items"]]

    assert ids(outcome="resolved") == [early.id]
    item = client.get("/api/v1/calls", params={"outcome": "resolved"}).json()["items"][0]
    assert (item["outcome"], item["summary"], item["has_recording"]) == \
        ("resolved", "Answered.", False)
    window = {"started_from": "2026-11-26T00:00:00Z", "started_to": "2026-11-27T00:00:00Z"}
    assert ids(**window) == [late.id, early.id]
    # 12:00 in Riyadh is 09:00 UTC: the early call (08:00 UTC) is before it
    assert ids(started_from="2026-11-26T12:00:00+03:00", started_to=window["started_to"]) \
        == [late.id]
    assert ids(outcome="handed_over", **window) == [late.id]
    for bad in ({"outcome": "won"}, {"started_from": "yesterday"},
                {"started_to": "2026-11-26"}, {"started_from": "1764115200"}):
        field = next(iter(bad))
        assert_error(client.get("/api/v1/calls", params=bad), 422, "invalid", field)
