"""One sync: read the DB, read LiveKit, diff, apply (unless dry run), record the outcome."""

from __future__ import annotations

import asyncio
import weakref
from dataclasses import dataclass, field
from typing import Any

import aiohttp
from livekit import api
from sqlalchemy.orm import Session

from core.config import Settings
from core.encryption import SecretBox
from sip.provisioning.actual import read_actual
from sip.provisioning.apply import UNREACHABLE, LiveKitUnreachable, Outcome, apply_plan
from sip.provisioning.desired import DesiredState, build_desired
from sip.provisioning.plan import Plan, make_plan
from sip.provisioning.records import record_outcome, record_unreachable


@dataclass
class SyncResult:
    dry_run: bool
    ok: bool = True
    writes: int = 0
    actions: list[dict[str, Any]] = field(default_factory=list)
    in_sync: list[str] = field(default_factory=list)
    errors: dict[str, str] = field(default_factory=dict)
    error: str | None = None  # LiveKit unreachable: nothing (more) was applied
    unmanaged_left_alone: int = 0

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def livekit_client(settings: Settings) -> api.LiveKitAPI:
    return api.LiveKitAPI(
        settings.livekit_url, settings.livekit_api_key,
        settings.livekit_api_secret.get_secret_value(),
        timeout=aiohttp.ClientTimeout(total=settings.livekit_timeout_seconds), failover=False)


def _result(dry_run: bool, plan: Plan, desired: DesiredState,
            outcome: Outcome | None, unmanaged: int) -> SyncResult:
    errors = dict(desired.skipped)
    if outcome:
        errors.update(outcome.errors)
    return SyncResult(dry_run=dry_run, ok=not errors, writes=outcome.writes if outcome else 0,
                      actions=plan.as_dicts(), in_sync=sorted(plan.in_sync), errors=errors,
                      unmanaged_left_alone=unmanaged)


def _reason(exc: BaseException) -> str:
    if isinstance(exc, LiveKitUnreachable):
        return str(exc)
    if isinstance(exc, api.TwirpError):
        return f"LiveKit refused: {exc.code}: {exc.message}"[:500]
    return f"LiveKit unreachable: {type(exc).__name__}: {exc}"[:500]


_locks: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Lock] = \
    weakref.WeakKeyDictionary()


async def sync_database(session: Session, settings: Settings, *,
                        dry_run: bool = False) -> SyncResult:
    """Make LiveKit match the DB. Never raises for LiveKit trouble: it is in the result and,
    unless dry run, on the affected rows (`sync_status`/`sync_error`), committed.

    Syncs in one process run one at a time (two API changes at once would otherwise both
    create the same rule); each reads the DB only once it has its turn."""
    lock = _locks.setdefault(asyncio.get_running_loop(), asyncio.Lock())
    async with lock:
        return await _sync(session, settings, dry_run)


async def _sync(session: Session, settings: Settings, dry_run: bool) -> SyncResult:
    desired = build_desired(session, settings.agent_name, SecretBox.from_settings(settings))
    outcome: Outcome | None = None
    plan = Plan()
    unmanaged = 0
    try:
        async with livekit_client(settings) as client:
            actual = await read_actual(client)
            unmanaged = actual.unmanaged
            plan = make_plan(desired, actual)
            if not dry_run:
                outcome = await apply_plan(client, plan, actual)
    except (LiveKitUnreachable, api.TwirpError, *UNREACHABLE) as exc:
        # unreachable, or listing refused (bad keys, a server without SIP)
        reason = _reason(exc)
        if not dry_run:
            record_unreachable(session, reason)
            session.commit()
        result = _result(dry_run, plan, desired, None, unmanaged)
        result.ok, result.error = False, reason
        return result
    if outcome is not None:
        record_outcome(session, desired, outcome)
        session.commit()
    return _result(dry_run, plan, desired, outcome, unmanaged)
