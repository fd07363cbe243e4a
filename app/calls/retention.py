"""Retention of call records and recordings.

With CALL_RETENTION_DAYS set, ended calls older than that are deleted with their events
(transcripts are events), their handoff references, their webhook events and their recording,
and so are finished callbacks (they hold a number) that ended that long ago; a callback still
to be placed stays, whatever its age.
With RECORDING_RETENTION_DAYS set, recordings of calls that started longer ago than that are
deleted (the call record stays, `has_recording` false), and so is any file in a day
directory that old which no record points at (a worker that died before saving its record).

The API process purges periodically (`purge_periodically`, every
CALL_RETENTION_SWEEP_SECONDS, at most MAX_BATCHES_PER_SWEEP batches of BATCH_SIZE records,
each in its own short transaction); `contact-center calls purge` purges every call due at
once. Calls still active are never touched. 0 (the default) keeps everything.
"""

from __future__ import annotations

import asyncio
import logging
import shutil
from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from core import recordings
from core.callbacks import FINAL
from core.config import Settings, get_settings
from core.db import session_scope
from core.models import Callback, CallEvent, CallRecord, Handoff, WebhookEvent

log = logging.getLogger(__name__)

BATCH_SIZE = 500
MAX_BATCHES_PER_SWEEP = 20  # bounded work per periodic run: at most 10 000 records

SessionOpener = Callable[[], AbstractContextManager[Session]]


def purge_batch(session: Session, *, ended_before: datetime, limit: int) -> tuple[int, list[str]]:
    """Delete up to `limit` calls that ended before `ended_before`, oldest first, and up to
    `limit` callbacks finished before it; returns how many rows of both went, and the calls'
    recordings' files (to delete once the transaction is committed)."""
    rows = session.execute(
        select(CallRecord.id, CallRecord.recording_file)
        .where(CallRecord.status == "ended", CallRecord.ended_at < ended_before)
        .order_by(CallRecord.ended_at).limit(limit)).all()
    ids = [row.id for row in rows]
    if ids:
        session.execute(delete(WebhookEvent).where(WebhookEvent.call_id.in_(ids)))
        session.execute(delete(CallEvent).where(CallEvent.call_id.in_(ids)))
        session.execute(delete(Handoff).where(Handoff.from_call_id.in_(ids)))
        session.execute(update(CallRecord).where(CallRecord.parent_call_id.in_(ids))
                        .values(parent_call_id=None))
        session.execute(update(Callback).where(Callback.call_id.in_(ids)).values(call_id=None))
        session.execute(delete(CallRecord).where(CallRecord.id.in_(ids)))
    callbacks = list(session.scalars(
        select(Callback.id).where(Callback.status.in_(FINAL),
                                  Callback.completed_at < ended_before)
        .order_by(Callback.completed_at).limit(limit)))
    if callbacks:  # their attempts go with them (ON DELETE CASCADE)
        session.execute(delete(Callback).where(Callback.id.in_(callbacks)))
    return len(ids) + len(callbacks), [row.recording_file for row in rows if row.recording_file]


def _batches(purge: Callable[[Session], tuple[int, list[str]]], open_session: SessionOpener,
             batch_size: int, max_batches: int | None, settings: Settings) -> int:
    """Run `purge` in its own transaction per batch until it finds fewer than a batch (or
    `max_batches` ran); files are deleted after each commit."""
    total = batches = 0
    while max_batches is None or batches < max_batches:
        with open_session() as session:
            done, files = purge(session)
        _unlink(settings, files)
        total, batches = total + done, batches + 1
        if done < batch_size:
            break
    return total


def purge_expired(days: int, *, now: datetime | None = None,
                  open_session: SessionOpener = session_scope, batch_size: int = BATCH_SIZE,
                  max_batches: int | None = None, settings: Settings | None = None) -> int:
    """Delete the calls that ended more than `days` ago (as of `now`); returns how many.
    Each batch is its own transaction; `max_batches` bounds the work of one run."""
    if days <= 0:
        return 0
    ended_before = (now or datetime.now(UTC)) - timedelta(days=days)
    return _batches(lambda s: purge_batch(s, ended_before=ended_before, limit=batch_size),
                    open_session, batch_size, max_batches, settings or get_settings())


def forget_recordings(session: Session, *, started_before: datetime,
                      limit: int) -> tuple[int, list[str]]:
    """Clear up to `limit` records' recordings of calls started before `started_before`;
    returns how many, and the files to delete."""
    rows = session.execute(
        select(CallRecord.id, CallRecord.recording_file)
        .where(CallRecord.recording_file.is_not(None), CallRecord.started_at < started_before)
        .order_by(CallRecord.started_at).limit(limit)).all()
    if rows:
        session.execute(update(CallRecord).where(CallRecord.id.in_([r.id for r in rows]))
                        .values(recording_file=None, recording_bytes=None,
                                recording_seconds=None))
    return len(rows), [row.recording_file for row in rows]


def purge_recordings(days: int, *, now: datetime | None = None,
                     open_session: SessionOpener = session_scope, batch_size: int = BATCH_SIZE,
                     max_batches: int | None = None, settings: Settings | None = None) -> int:
    """Delete recordings of calls that started more than `days` ago, and the day directories
    (with any file left in them) older than that; returns how many records lost theirs."""
    if days <= 0:
        return 0
    settings = settings or get_settings()
    started_before = (now or datetime.now(UTC)) - timedelta(days=days)
    forgotten = _batches(lambda s: forget_recordings(s, started_before=started_before,
                                                     limit=batch_size),
                         open_session, batch_size, max_batches, settings)
    _remove_old_days(recordings.root(settings), started_before)
    return forgotten


def _unlink(settings: Settings, files: list[str]) -> None:
    for relative in files:
        path = recordings.absolute(settings, relative)
        if path is not None:
            path.unlink(missing_ok=True)


def _remove_old_days(root: Path, started_before: datetime) -> None:
    """Day directories wholly before the cutoff's day: every call in them started earlier."""
    if not root.is_dir():
        return
    for directory in root.iterdir():
        day = recordings.day_of(directory)
        if directory.is_dir() and day is not None and day < started_before.date():
            shutil.rmtree(directory, ignore_errors=True)


async def purge_periodically(settings: Settings) -> None:
    """The API's background sweep (a failed run is logged; the next one tries again)."""
    while True:
        for what, days, purge in (("call records", settings.call_retention_days, purge_expired),
                                  ("recordings", settings.recording_retention_days,
                                   purge_recordings)):
            try:
                deleted = await asyncio.to_thread(purge, days, settings=settings,
                                                  max_batches=MAX_BATCHES_PER_SWEEP)
                if deleted:
                    log.info("retention: deleted %d %s older than %d days", deleted, what, days)
            except Exception:
                log.exception("retention sweep of %s failed", what)
        await asyncio.sleep(settings.call_retention_sweep_seconds)
