"""Reconcile LiveKit from the DB when the API starts.

The DB is the source of truth; LiveKit's SIP state lives in Redis, which may have been
restarted empty (the local stack keeps nothing; a production Redis can be lost too). Without
this, numbers the DB shows as `synced` would have no dispatch rule and their calls would be
dropped until the next admin change. Attempts are bounded; failures leave rows `pending`."""

from __future__ import annotations

import asyncio
import logging

from core.config import get_settings
from core.db import session_scope
from sip.provisioning import sync_database

log = logging.getLogger(__name__)

ATTEMPTS = 10
PAUSE_SECONDS = 3.0


async def reconcile_on_startup() -> None:
    settings = get_settings()
    if not settings.sip_auto_sync:
        return
    for attempt in range(1, ATTEMPTS + 1):
        try:
            with session_scope() as session:
                result = await sync_database(session, settings)
        except Exception as exc:  # never stops the API from serving; try again
            log.warning("start-up SIP sync attempt %d/%d failed: %s: %s", attempt, ATTEMPTS,
                        type(exc).__name__, exc)
        else:
            if result.ok:
                log.info("start-up SIP sync: %d writes, %d objects in sync", result.writes,
                         len(result.in_sync))
                return
            log.warning("start-up SIP sync attempt %d/%d incomplete: %s", attempt, ATTEMPTS,
                        result.error or result.errors)
        await asyncio.sleep(PAUSE_SECONDS)
    log.error("start-up SIP sync gave up; numbers stay pending until the next sync")
