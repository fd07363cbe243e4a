"""Commit an admin change, then bring LiveKit in line with it.

The change is committed first and stays committed whatever LiveKit does; a failed sync leaves
the affected rows `pending` with `sync_error`, and the next sync repairs them.
"""

from __future__ import annotations

import logging
from functools import partial

import anyio.from_thread
from sqlalchemy.orm import Session

from core.config import Settings
from sip.provisioning import sync_database

log = logging.getLogger(__name__)


def commit_and_sync(session: Session, settings: Settings) -> None:
    """For sync (threadpool) routes: commit, then run the sync on the event loop."""
    session.commit()
    if not settings.sip_auto_sync:
        return
    try:
        result = anyio.from_thread.run(partial(sync_database, session, settings))
    except Exception:  # a bug in sync must not turn a saved change into a 500
        log.exception("SIP sync after an admin change failed")
        session.rollback()
        return
    if not result.ok:
        log.warning("SIP sync incomplete: %s %s", result.error or "", result.errors)
