"""Auto-sync with LiveKit unreachable (a closed port): the change is saved and returned 2xx,
marked pending with the reason, and the request returns promptly."""

from __future__ import annotations

import time

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from core.config import Settings
from core.models import PhoneNumber
from tests.support import factories


def test_number_saved_as_pending_when_livekit_is_unreachable(
        client: TestClient, db: Session, settings: Settings) -> None:
    settings.sip_auto_sync = True
    dept = factories.department(db)
    started = time.monotonic()
    resp = client.post("/api/v1/numbers", json={"e164": factories.next_e164(),
                                                "department_id": dept.id})
    assert time.monotonic() - started < 2 * settings.livekit_timeout_seconds + 2
    assert resp.status_code == 201, resp.text
    body = resp.json()
    assert body["sync_status"] == "pending" and "LiveKit unreachable" in body["sync_error"]
    db.expire_all()
    assert db.get(PhoneNumber, body["id"]).sync_error == body["sync_error"]

    result = client.post("/api/v1/sip/sync?dry_run=true").json()
    assert result["ok"] is False and "unreachable" in result["error"]
