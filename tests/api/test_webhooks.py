"""Webhooks: the subscriptions API (the secret is shown once, URLs are http(s)), then the
delivery of the outbox against a real HTTP receiver that checks signatures with the README's
snippet — in order per call, retried with backoff, failed after the last attempt, every
attempt visible through the API — and the claim that keeps several API processes from
sending a delivery twice. SQLite and PostgreSQL."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from agent.records import CallRecorder
from app.main import create_app
from app.webhooks.delivery import Claimed, claim_due, deliver_due, make_client, record_result
from app.webhooks.signing import SECRET_PATTERN
from core.config import Settings, get_settings
from core.db import session_scope
from core.encryption import SecretBox
from core.models import CallEvent, CallRecord, WebhookDelivery, WebhookSubscription
from core.webhooks import EVENT_TYPES, enqueue
from tests.conftest import TEST_HOST
from tests.support.http import assert_error
from tests.support.webhooks import Receiver

URL = "https://crm.example.com/hooks/cc"


def test_subscriptions_show_the_secret_once(client: TestClient, db: Session,
                                            settings: Settings) -> None:
    created = client.post("/api/v1/webhooks", json={"url": URL, "event_types": ["call.ended"]})
    assert created.status_code == 201, created.text
    body = created.json()
    secret = body.pop("secret")
    assert re.match(SECRET_PATTERN, secret)
    assert body["active"] is True and body["description"] == ""
    sid = body["id"]
    for resp in (client.get(f"/api/v1/webhooks/{sid}"), client.get("/api/v1/webhooks"),
                 client.patch(f"/api/v1/webhooks/{sid}", json={"active": False})):
        assert resp.status_code == 200 and secret not in resp.text and "secret" not in resp.text

    own = "whsec_" + "A" * 32
    mine = client.post("/api/v1/webhooks", json={
        "url": "http://10.0.0.7:8080/x", "secret": own,
        "event_types": ["call.ended", "call.started", "call.ended"]})
    assert mine.status_code == 201 and mine.json()["secret"] == own
    assert mine.json()["event_types"] == ["call.ended", "call.started"]  # once each

    rotated = "whsec_" + "B" * 44
    changed = client.patch(f"/api/v1/webhooks/{sid}", json={"secret": rotated, "url": URL + "2"})
    assert changed.status_code == 200 and rotated not in changed.text
    stored = db.get(WebhookSubscription, sid)
    assert stored is not None and rotated not in stored.secret_encrypted
    assert SecretBox.from_settings(settings).decrypt(stored.secret_encrypted) == rotated

    assert client.get(f"/api/v1/webhooks/{sid}/deliveries").json()["total"] == 0
    assert_error(client.get(f"/api/v1/webhooks/{sid}/deliveries/1"), 404, "not_found",
                 "delivery_id")
    assert client.delete(f"/api/v1/webhooks/{sid}").status_code == 204
    assert_error(client.get(f"/api/v1/webhooks/{sid}"), 404, "not_found", "subscription_id")


@pytest.mark.parametrize(("change", "field"), [
    ({"url": "ftp://files.example.com/x"}, "url"), ({"url": "http://"}, "url"),
    ({"url": "https:///path"}, "url"), ({"url": "crm.example.com/hook"}, "url"),
    ({"url": "http://host:99999/"}, "url"), ({"url": "http://bad host/"}, "url"),
    ({"event_types": []}, "event_types"), ({"event_types": ["call.nope"]}, "event_types.0"),
    ({"secret": "s3cret"}, "secret"), ({"active": 0}, "active")])
def test_invalid_subscriptions_are_refused(client: TestClient, change: dict, field: str) -> None:
    body = {"url": URL, "event_types": ["call.ended"]} | change
    assert_error(client.post("/api/v1/webhooks", json=body), 422, "invalid", field)


# ------------------------------------------------------------------ delivering the outbox

@pytest.fixture
def api(process_db: str) -> Iterator[TestClient]:
    """The API on the process's database (the delivery code opens its own sessions)."""
    key = get_settings().admin_api_key.get_secret_value()
    with TestClient(create_app(), headers={"Authorization": f"Bearer {key}"}) as client:
        yield client


def later(hours: float) -> datetime:
    """A moment after every backoff and lease: time moves on without waiting for it."""
    return datetime.now(UTC) + timedelta(hours=hours)


async def _call(department: str, *events: tuple[str, dict]) -> str:
    recorder = CallRecorder()
    call_id = recorder.open(room_name=f"call-{department}_x", source="sip",
                            department=department, language="en", caller="+15551230000")
    for kind, data in events:
        recorder.event(kind, **data)
    await recorder.close("caller_hangup")
    return call_id


async def _deliver_all(settings: Settings, at: datetime, ticks: int = 10) -> int:
    """Ticks at `at` until one sends nothing; returns how many were sent."""
    sent = 0
    async with make_client(settings) as http:
        for _ in range(ticks):
            done = await deliver_due(settings, http, now=at)
            if not done:
                return sent
            sent += done
    raise AssertionError(f"still sending after {ticks} ticks")


async def test_signed_deliveries_in_order_per_call_retried_then_failed(api: TestClient) -> None:
    receiver = Receiver(TEST_HOST, status=503).up()
    try:
        created = api.post("/api/v1/webhooks", json={"url": receiver.url,
                                                     "event_types": list(EVENT_TYPES)})
        sid, receiver.secret = created.json()["id"], created.json()["secret"]
        handoff = ("handoff", {"from": "reception", "to": "sales", "reason": "buy",
                               "via": "dtmf"})
        a = await _call("reception", ("transcript", {"role": "user", "text": "hi"}), handoff)
        b = await _call("sales")
        settings = Settings(_env_file=None, webhook_backoff_seconds=60, webhook_max_attempts=3,
                            webhook_timeout_seconds=5)

        # the receiver answers 503: only each call's first event is tried, then waits
        assert await _deliver_all(settings, datetime.now(UTC)) == 2
        first = api.get(f"/api/v1/webhooks/{sid}/deliveries", params={"call_id": a}).json()
        assert [(d["event_type"], d["status"], d["attempts"], d["last_status_code"])
                for d in first["items"]] == [("call.ended", "pending", 0, None),
                                             ("call.handed_over", "pending", 0, None),
                                             ("call.started", "pending", 1, 503)]
        retry_at = datetime.fromisoformat(first["items"][-1]["next_attempt_at"])
        assert 55 <= (retry_at - datetime.now(UTC)).total_seconds() <= 60

        receiver.status = 204  # back: everything arrives, in order per call, once each
        assert await _deliver_all(settings, later(1)) == 5
        events = receiver.events()
        assert all(d.verified for d in receiver.got)
        assert len({e["id"] for e in events}) == len(events) == 5
        assert [e["type"] for e in events if e["data"]["call_id"] == a] == \
            ["call.started", "call.handed_over", "call.ended"]
        assert [e["type"] for e in events if e["data"]["call_id"] == b] == \
            ["call.started", "call.ended"]
        assert all(d.headers["webhook-id"] == d.event["id"] for d in receiver.got)
        started = next(d for d in api.get(f"/api/v1/webhooks/{sid}/deliveries",
                                          params={"call_id": a}).json()["items"]
                       if d["event_type"] == "call.started")
        detail = api.get(f"/api/v1/webhooks/{sid}/deliveries/{started['id']}").json()
        assert detail["status"] == "delivered" and detail["payload"]["data"]["call_id"] == a
        assert [t["status_code"] for t in detail["attempt_log"]] == [503, 204]

        receiver.status = 500  # never accepted: failed after WEBHOOK_MAX_ATTEMPTS
        c = await _call("complaints")
        for hours in (1, 2):
            await _deliver_all(settings, later(hours))
        # (every tick is hours ahead: each retry is due at once) call.started failed on its
        # third attempt, and a failed delivery no longer holds the call's later events back
        failed = api.get(f"/api/v1/webhooks/{sid}/deliveries",
                         params={"call_id": c, "status": "failed"}).json()["items"]
        assert [(d["event_type"], d["attempts"]) for d in failed] == \
            [("call.ended", 3), ("call.started", 3)]
        assert [d.event["type"] for d in receiver.got[-6:]] == \
            ["call.started"] * 3 + ["call.ended"] * 3

        api.patch(f"/api/v1/webhooks/{sid}", json={"active": False})  # paused: nothing goes
        receiver.status = 204
        assert await _deliver_all(settings, later(5)) == 0
    finally:
        receiver.down()


def _outbox(calls: int) -> None:
    """`calls` calls that have started, each with one delivery to one subscription."""
    box = SecretBox.from_settings(get_settings())
    with session_scope() as db:
        db.add(WebhookSubscription(url="http://127.0.0.1:9/", event_types=["call.started"],
                                   secret_encrypted=box.encrypt("whsec_" + "A" * 32)))
        for i in range(calls):
            record = CallRecord(room_name=f"r{i}", source="sip", first_department="sales",
                                current_department="sales", language="en")
            db.add(record)
            db.flush()
            event = CallEvent(call_id=record.id, kind="started", at=datetime.now(UTC))
            db.add(event)
            db.flush()
            enqueue(db, event)


def test_several_processes_never_send_one_delivery_twice(process_db: str) -> None:
    _outbox(30)
    settings = Settings(_env_file=None, webhook_timeout_seconds=5)
    now = datetime.now(UTC)
    start = threading.Barrier(4)
    claimed: list[list[Claimed]] = []

    def process() -> None:
        start.wait()
        claimed.append(claim_due(settings, now))

    threads = [threading.Thread(target=process) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    ids = [c.id for batch in claimed for c in batch]
    assert len(claimed) == 4 and len(ids) == len(set(ids)) >= 20  # each once

    # a process that died mid-send: its lease runs out and another one sends it again...
    again = {c.id: c.attempts for c in claim_due(settings, now + timedelta(minutes=10))}
    assert len(again) == 20 and {again[i] for i in ids if i in again} == {2}
    # ...and what the dead one would write no longer counts
    stale = next(c for batch in claimed for c in batch if c.id in again)
    record_result(settings, stale, 204, None, 10)
    with session_scope() as db:
        row = db.get(WebhookDelivery, stale.id)
        assert row is not None and (row.status, row.attempts) == ("sending", 2)
        assert not row.attempt_log
        remaining = db.scalars(select(WebhookDelivery.id).where(
            WebhookDelivery.status == "pending")).all()
    assert len(remaining) == 30 - len(set(ids) | set(again))
