"""Retention of call records: with CALL_RETENTION_DAYS set, ended calls older than that are
deleted with their events (transcripts are events) and their handoff references, and so are
finished callbacks (they hold a number) that ended that long ago; a callback still to be
placed stays, whatever its age.

The API process purges periodically (`purge_periodically`, every
CALL_RETENTION_SWEEP_SECONDS, at most MAX_BATCHES_PER_SWEEP batches of BATCH_SIZE records,
each in its own short transaction); `contact-center calls purge` purges everything due at
once. Calls still active are never touched. 0 (the default) keeps everything.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from core.callbacks import FINAL
from core.config import Settings
from core.db import session_scope
from core.models import Callback, CallEvent, CallRecord, Handoff

log = logging.getLogger(__name__)

BATCH_SIZE = 500
MAX_BATCHES_PER_SWEEP = 20  # bounded work per periodic run: at most 10 000 records

SessionOpener = Callable[[], AbstractContextManager[Session]]


def purge_batch(session: Session, *, ended_before: datetime, limit: int) -> int:
    """Delete up to `limit` calls that ended before `ended_before`, oldest first, and up to
    `limit` callbacks finished before it; returns how many rows of both went."""
    ids = list(session.scalars(
        select(CallRecord.id)
        .where(CallRecord.status == "ended", CallRecord.ended_at < ended_before)
        .order_by(CallRecord.ended_at).limit(limit)))
    if ids:
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
    return len(ids) + len(callbacks)


def purge_expired(days: int, *, now: datetime | None = None,
                  open_session: SessionOpener = session_scope, batch_size: int = BATCH_SIZE,
                  max_batches: int | None = None) -> int:
    """Delete the calls that ended more than `days` ago (as of `now`); returns how many.
    Each batch is its own transaction; `max_batches` bounds the work of one run."""
    if days <= 0:
        return 0
    ended_before = (now or datetime.now(UTC)) - timedelta(days=days)
    total = batches = 0
    while max_batches is None or batches < max_batches:
        with open_session() as session:
            deleted = purge_batch(session, ended_before=ended_before, limit=batch_size)
        total, batches = total + deleted, batches + 1
        if deleted < batch_size:
            break
    return total


async def purge_periodically(settings: Settings) -> None:
    """The API's background sweep (a failed run is logged; the next one tries again)."""
    while True:
        try:
            deleted = await asyncio.to_thread(purge_expired, settings.call_retention_days,
                                              max_batches=MAX_BATCHES_PER_SWEEP)
            if deleted:
                log.info("retention: deleted %d call records and finished callbacks "
                         "older than %d days", deleted, settings.call_retention_days)
        except Exception:
            log.exception("retention sweep failed")
        await asyncio.sleep(settings.call_retention_sweep_seconds)
