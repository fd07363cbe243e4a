"""The callback scheduler's loop in the API process (app/main.py starts it when
CALLBACK_SCHEDULER is true): every CALLBACK_POLL_SECONDS it claims what is due, at most
CALLBACK_BATCH callbacks in flight, and places each as an outbound call (the rules:
app/callbacks/claims.py; the call: app/callbacks/dialer.py)."""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime

from app.callbacks.claims import Claimed, claim_due
from app.callbacks.dialer import place
from core import clock
from core.config import Settings
from core.db import session_scope

log = logging.getLogger(__name__)


async def tick(settings: Settings, now: datetime, inflight: set[asyncio.Task[None]]) -> int:
    """Claim what is due (up to the free places of the batch) and start placing it."""
    free = settings.callback_batch - len(inflight)
    if free <= 0:
        return 0

    def claim() -> list[Claimed]:
        with session_scope() as session:
            return claim_due(session, now, free, settings)

    claimed = await asyncio.to_thread(claim)
    for item in claimed:
        task = asyncio.create_task(place(settings, item), name=f"callback-{item.callback_id}")
        inflight.add(task)
        task.add_done_callback(inflight.discard)
    return len(claimed)


async def run_periodically(settings: Settings) -> None:
    """The API's background loop (a failed tick is logged; the next one tries again)."""
    inflight: set[asyncio.Task[None]] = set()
    try:
        while True:
            try:
                placed = await tick(settings, clock.now(), inflight)
                if placed:
                    log.info("callbacks: placing %d", placed)
            except Exception:
                log.exception("callback scheduler tick failed")
            await asyncio.sleep(settings.callback_poll_seconds)
    finally:
        for task in inflight:
            task.cancel()
