"""Retention: ended calls older than CALL_RETENTION_DAYS go with their events, transcripts,
handoff references and recordings; active calls and younger ones stay. Recordings older than
RECORDING_RETENTION_DAYS go (their records stay), with any orphaned file that old. Explicit
timestamps (`now`), on SQLite and PostgreSQL; then the CLI and the API's periodic sweep on a
database file."""

from __future__ import annotations

import time
from contextlib import nullcontext
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from app.calls.retention import purge_expired, purge_recordings
from app.main import create_app
from cli.main import cli
from core import recordings
from core.config import Settings
from core.db import make_engine, session_scope
from core.migrate import upgrade
from core.models import Callback, CallEvent, CallRecord, Handoff
from tests.support import factories
from tests.support.environment import environment

NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)


def _ended(db: Session, days_ago: float, **kw: object) -> CallRecord:
    ended = NOW - timedelta(days=days_ago)
    return factories.call(db, events=3, started_at=ended - timedelta(minutes=5),
                          ended_at=ended, **kw)


def _count(db: Session, model: type, *where: object) -> int:
    return int(db.scalar(select(func.count()).select_from(model).where(*where)) or 0)


def _purge(db: Session, days: int, **kw: object) -> int:
    return purge_expired(days, now=NOW, open_session=lambda: nullcontext(db), **kw)


def test_only_ended_calls_past_the_period_are_deleted_with_their_data(db: Session) -> None:
    old = _ended(db, 31)
    db.add(Handoff(id="ref-" + old.id, from_call_id=old.id, from_department="reception",
                   to_department="sales", to_number="+12025550101", language="en",
                   expires_at=NOW))
    child = _ended(db, 31, parent_call_id=old.id)
    young = _ended(db, 29)
    active = factories.call(db, status="active", started_at=NOW - timedelta(days=90))
    db.commit()

    assert _purge(db, 30) == 2  # old and its child (both ended 31 days ago)
    db.expire_all()
    assert db.get(CallRecord, old.id) is None and db.get(CallRecord, child.id) is None
    assert _count(db, CallEvent, CallEvent.call_id.in_([old.id, child.id])) == 0
    assert _count(db, Handoff, Handoff.from_call_id == old.id) == 0
    assert db.get(CallRecord, young.id) is not None
    assert _count(db, CallEvent, CallEvent.call_id == young.id) == 3
    assert db.get(CallRecord, active.id) is not None


def test_work_per_run_is_bounded_and_zero_days_keeps_everything(db: Session) -> None:
    calls = [_ended(db, 40 + i) for i in range(5)]
    assert _purge(db, 0) == 0
    assert _purge(db, 30, batch_size=2, max_batches=2) == 4  # oldest first
    db.expire_all()
    assert [db.get(CallRecord, c.id) is not None for c in calls] == [True] + [False] * 4
    assert _purge(db, 30, batch_size=2, max_batches=2) == 1


@pytest.fixture
def database_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    """A migrated SQLite file as the process's DATABASE_URL, with one call due for purging
    and one not."""
    url = f"sqlite:///{tmp_path / 'retention.db'}"
    upgrade("head", url)
    engine = make_engine(url)
    with Session(engine) as db:
        ids = [_ended(db, 400).id, _ended(db, 1).id]
    engine.dispose()
    with environment(monkeypatch, DATABASE_URL=url, CALL_RETENTION_DAYS="30",
                     SIP_AUTO_SYNC="false"):
        yield ids


def _remaining(ids: list[str]) -> list[str]:
    with session_scope() as db:
        return [i for i in ids if db.get(CallRecord, i) is not None]


def test_calls_purge_command(database_file: list[str]) -> None:
    result = CliRunner().invoke(cli, ["calls", "purge"])
    assert result.exit_code == 0, result.output
    assert "deleted 1 call records and finished callbacks that ended more than 30 days ago" \
        in result.output
    assert _remaining(database_file) == database_file[1:]


def test_the_served_api_sweeps_in_the_background(database_file: list[str]) -> None:
    with TestClient(create_app(background=True)):  # runs the lifespan: the sweep starts
        deadline = time.monotonic() + 20
        while _remaining(database_file) != database_file[1:]:
            assert time.monotonic() < deadline, "the retention sweep did not run"
            time.sleep(0.1)


def _with_recording(db: Session, record: CallRecord, root: Path) -> Path:
    relative = recordings.relative_path(record.id, record.started_at)
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"OggS")
    record.recording_file = relative
    db.commit()
    return path


def test_recordings_older_than_their_period_are_deleted_and_the_records_stay(
        db: Session, tmp_path: Path) -> None:
    settings = Settings(_env_file=None, recordings_dir=str(tmp_path))
    old = _ended(db, 10)
    young = _ended(db, 5)
    old_file, young_file = _with_recording(db, old, tmp_path), _with_recording(db, young, tmp_path)
    orphan = tmp_path / (NOW - timedelta(days=12)).strftime("%Y-%m-%d") / ("f" * 32 + ".ogg")
    orphan.parent.mkdir()
    orphan.write_bytes(b"OggS")  # a worker died before its record pointed at it

    assert purge_recordings(7, now=NOW, open_session=lambda: nullcontext(db),
                            settings=settings) == 1
    db.expire_all()
    assert not old_file.exists() and not orphan.parent.exists() and young_file.exists()
    kept = db.get(CallRecord, old.id)
    assert kept is not None and not kept.has_recording and kept.recording_bytes is None
    assert db.get(CallRecord, young.id).has_recording  # type: ignore[union-attr]
    assert purge_recordings(0, now=NOW, open_session=lambda: nullcontext(db),
                            settings=settings) == 0


def test_a_purged_call_takes_its_recording_with_it(db: Session, tmp_path: Path) -> None:
    settings = Settings(_env_file=None, recordings_dir=str(tmp_path))
    old = _ended(db, 40)
    path = _with_recording(db, old, tmp_path)
    assert purge_expired(30, now=NOW, open_session=lambda: nullcontext(db),
                         settings=settings) == 1
    assert not path.exists()


def test_finished_callbacks_go_too_and_pending_ones_stay(db: Session) -> None:
    dept = factories.department(db)
    old = _ended(db, 31)
    kept = dict(department_id=dept.id, number="+442079460101", language="en",
                earliest_at=NOW - timedelta(days=40), next_attempt_at=NOW - timedelta(days=40))
    done = Callback(status="done", completed_at=NOW - timedelta(days=31), call_id=old.id, **kept)
    recent = Callback(status="failed", completed_at=NOW - timedelta(days=1), **kept)
    waiting = Callback(status="pending", **kept)
    db.add_all([done, recent, waiting])
    db.commit()

    assert _purge(db, 30) == 2  # the old call and its finished callback
    db.expire_all()
    assert db.get(Callback, done.id) is None
    assert db.get(Callback, recent.id) is not None and db.get(Callback, waiting.id) is not None
