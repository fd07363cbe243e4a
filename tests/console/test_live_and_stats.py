"""The live view's picture (calls, waiting callers, counters, workers; numbers masked) and the
chart's calls per hour."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from core.config import Settings
from core.models import CallEvent, RoomWatch, Worker
from tests.support import factories
from tests.support.http import assert_error


def test_live_snapshot_shows_calls_waiting_callers_counters_and_workers(
        client: TestClient, db: Session, settings: Settings) -> None:
    now = datetime.now(UTC)
    sales = factories.department(db, slug="billing", persona_name={"en": "Sarah", "ar": "سارة"})
    active = factories.call(db, status="active", caller="+15551239876", language="ar",
                            current_department=sales.slug, started_at=now - timedelta(
                                seconds=90))
    ended = factories.call(db, status="ended", outcome="resolved", started_at=now)
    db.add_all([CallEvent(call_id=ended.id, kind="handoff", data={"to": "sales"}),
                CallEvent(call_id=ended.id, kind="transfer_succeeded", data={}),
                RoomWatch(room_name="call-sales_x", source="sip", state="waiting",
                          caller="+15550004321", department="sales"),
                Worker(id="W1", agent_name=settings.agent_name, host="node-a", max_calls=4,
                       active_calls=1),
                Worker(id="W2", agent_name="someone-else", host="node-b", max_calls=4)])
    db.commit()

    resp = client.get("/console/api/live",
                      params={"day_start": (now - timedelta(hours=1)).isoformat()})
    assert resp.status_code == 200, resp.text
    assert "5551239876" not in resp.text and "5550004321" not in resp.text
    live = resp.json()
    by_state = {c["state"]: c for c in live["calls"]}
    assert by_state["active"] | {"duration_seconds": 0} == by_state["active"] | {
        "id": active.id, "department": "billing", "persona": "سارة", "language": "ar",
        "source": "sip", "caller": "***9876", "duration_seconds": 0}
    assert by_state["active"]["duration_seconds"] >= 90
    assert by_state["waiting"]["caller"] == "***4321"
    assert by_state["waiting"]["department"] == "sales"
    counters = live["counters"]
    assert counters["calls_now"] == 1 and counters["waiting"] == 1
    assert counters["answered_today"] == 2  # the one that started an hour ago is before today
    assert counters["handed_over_today"] == 1 and counters["transferred_today"] == 1
    assert counters["workers"] == 1 and counters["load"] == 0.25
    assert [w["id"] for w in live["workers"]] == ["W1"]


def test_live_needs_a_signed_in_admin(client: TestClient) -> None:
    for path in ("/console/api/live", "/console/api/live/stream",
                 "/console/api/stats/hourly"):
        assert_error(client.get(path, headers={"Authorization": ""}), 401, "unauthorized")


def test_calls_per_hour_by_department_and_outcome(client: TestClient, db: Session) -> None:
    start = datetime(2026, 3, 1, 8, 0, tzinfo=UTC)
    for minutes, dept, outcome in ((5, "sales", "resolved"), (50, "sales", "resolved"),
                                   (70, "sales", "abandoned"), (130, "reception", None)):
        factories.call(db, started_at=start + timedelta(minutes=minutes),
                       first_department=dept, outcome=outcome,
                       status="active" if outcome is None else "ended")
    factories.call(db, started_at=start - timedelta(minutes=1), first_department="sales")
    resp = client.get("/console/api/stats/hourly", params={
        "started_from": "2026-03-01T08:00:00Z", "started_to": "2026-03-01T11:00:00Z"})
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert len(body["hours"]) == 3 and body["hours"][0].startswith("2026-03-01T08:00:00")
    assert body["series"] == [
        {"department": "reception", "outcome": "active", "counts": [0, 0, 1]},
        {"department": "sales", "outcome": "abandoned", "counts": [0, 1, 0]},
        {"department": "sales", "outcome": "resolved", "counts": [2, 0, 0]},
    ]
    only = client.get("/console/api/stats/hourly", params={
        "started_from": "2026-03-01T08:00:00Z", "started_to": "2026-03-01T11:00:00Z",
        "department": "reception"}).json()
    assert [s["department"] for s in only["series"]] == ["reception"]


def test_chart_range_is_bounded(client: TestClient) -> None:
    backwards = client.get("/console/api/stats/hourly", params={
        "started_from": "2026-03-02T00:00:00Z", "started_to": "2026-03-01T00:00:00Z"})
    assert backwards.json() == {"hours": [], "series": []}
    long = client.get("/console/api/stats/hourly", params={
        "started_from": "2000-01-01T00:00:00Z", "started_to": "2026-03-01T00:00:00Z"}).json()
    assert len(long["hours"]) == 31 * 24  # the last 31 days of the range
    assert long["hours"][0].startswith("2026-01-29T00:00:00")
    early = client.get("/console/api/stats/hourly", params={
        "started_to": "0001-01-01T05:00:00Z"})
    assert early.status_code == 200 and len(early.json()["hours"]) == 5
