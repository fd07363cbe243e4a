"""GET /api/v1/calls/{id}/recording: the file streamed whole or by one byte range (206, 416 in
the error shape, ranges this server does not take are ignored), admin only, 404 when there is
none (or its file is gone, or the stored path is not one the agent writes)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from core import recordings
from core.config import Settings
from core.models import CallRecord
from tests.support import factories
from tests.support.http import assert_error

DATA = bytes(range(256)) * 4  # 1024 bytes


@pytest.fixture
def settings(settings: Settings, tmp_path: Path) -> Settings:
    return settings.model_copy(update={"recordings_dir": str(tmp_path)})


@pytest.fixture
def recorded(db: Session, settings: Settings) -> CallRecord:
    started = datetime(2026, 11, 26, 9, 30, tzinfo=UTC)
    record = factories.call(db, started_at=started)
    relative = recordings.relative_path(record.id, started)
    path = recordings.absolute(settings, relative)
    assert path is not None
    path.parent.mkdir(parents=True)
    path.write_bytes(DATA)
    record.recording_file, record.recording_bytes, record.recording_seconds = relative, 1024, 2.0
    db.commit()
    return record


def test_whole_file_and_byte_ranges(client: TestClient, recorded: CallRecord) -> None:
    url = f"/api/v1/calls/{recorded.id}/recording"
    whole = client.get(url)
    assert (whole.status_code, whole.content) == (200, DATA)
    assert whole.headers["content-type"] == "audio/ogg"
    assert whole.headers["accept-ranges"] == "bytes"
    assert whole.headers["content-length"] == "1024"
    assert client.get(f"/api/v1/calls/{recorded.id}").json()["has_recording"] is True
    cases = {"bytes=0-9": (0, 10), "bytes=1000-": (1000, 1024), "bytes=-24": (1000, 1024),
             "bytes=1020-5000": (1020, 1024), "bytes=-5000": (0, 1024)}
    for header, (start, end) in cases.items():
        part = client.get(url, headers={"Range": header})
        assert part.status_code == 206, header
        assert part.content == DATA[start:end], header
        assert part.headers["content-range"] == f"bytes {start}-{end - 1}/1024"
        assert part.headers["content-length"] == str(end - start)
    for ignored in ("bytes=5-2", "items=0-1", "bytes=0-1,5-6", "bytes=-", "nonsense"):
        full = client.get(url, headers={"Range": ignored})
        assert (full.status_code, full.content) == (200, DATA), ignored
    for beyond in ("bytes=1024-", "bytes=-0"):
        refused = client.get(url, headers={"Range": beyond})
        assert_error(refused, 416, "range_not_satisfiable", "Range")
        assert refused.headers["content-range"] == "bytes */1024"


def test_no_recording_missing_file_or_foreign_path_is_404(
        client: TestClient, db: Session, recorded: CallRecord, settings: Settings) -> None:
    plain = factories.call(db)
    assert_error(client.get(f"/api/v1/calls/{plain.id}/recording"), 404, "not_found",
                 "call_id")
    assert_error(client.get("/api/v1/calls/nope/recording"), 404, "not_found", "call_id")
    secret = Path(settings.recordings_dir).parent / "secret.ogg"
    secret.write_bytes(b"not yours")
    for stored in ("../secret.ogg", "/etc/passwd", f"2026-11-26/{recorded.id}.wav"):
        recorded.recording_file = stored
        db.commit()
        assert_error(client.get(f"/api/v1/calls/{recorded.id}/recording"), 404, "not_found",
                     "call_id")
    recorded.recording_file = recordings.relative_path(recorded.id, recorded.started_at)
    db.commit()
    assert client.get(f"/api/v1/calls/{recorded.id}/recording").status_code == 200
    (Path(settings.recordings_dir) / recorded.recording_file).unlink()
    assert client.get(f"/api/v1/calls/{recorded.id}/recording").status_code == 404


def test_admin_only(client: TestClient, recorded: CallRecord) -> None:
    url = f"/api/v1/calls/{recorded.id}/recording"
    assert_error(client.get(url, headers={"Authorization": "Bearer wrong"}), 401,
                 "unauthorized", "Authorization")
