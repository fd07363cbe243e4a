"""Delivering the webhook outbox, in the API process (every one that runs, WEBHOOK_DELIVERY).

Each tick takes at most BATCH due deliveries. A delivery is due when it is pending and its
next_attempt_at has come (or its sender's lease ran out: that process died mid-send), and no
earlier delivery of the same call to the same subscription is still pending or sending: a
call's events arrive in order. It is claimed with one conditional UPDATE (status and lease in
the WHERE), so of several API processes exactly one sends it, on SQLite and PostgreSQL
alike; the result is written only if the lease is still ours. A 2xx is delivered; anything
else (status, timeout, refused connection) is retried after WEBHOOK_BACKOFF_SECONDS, doubling
per attempt up to WEBHOOK_BACKOFF_MAX_SECONDS, until WEBHOOK_MAX_ATTEMPTS: then failed.
Every attempt is kept (`webhook_attempts`).

Delivery is at least once: a process that dies after the receiver answered and before the
result was written sends again when the lease expires (same webhook-id: receivers
de-duplicate on it). Redirects are not followed; the receiver's body is never read.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

import httpx
from sqlalchemy import and_, exists, or_, select, update
from sqlalchemy.orm import Session, aliased

from app.webhooks.signing import headers
from core.config import Settings
from core.db import session_scope
from core.encryption import SecretBox, SecretUnreadable
from core.models import WebhookAttempt, WebhookDelivery, WebhookEvent, WebhookSubscription

log = logging.getLogger(__name__)

BATCH = 20
LEASE_MARGIN_SECONDS = 30  # a lease lasts the request timeout plus this
ERROR_CHARS = 500

D = WebhookDelivery


@dataclass(frozen=True)
class Claimed:
    id: int
    lease_until: datetime
    attempts: int
    url: str
    secret: str
    event_id: str
    body: bytes


def backoff(settings: Settings, attempts: int) -> float:
    """Seconds before the next attempt, after `attempts` failed ones."""
    return min(settings.webhook_backoff_seconds * 2 ** (attempts - 1),
               settings.webhook_backoff_max_seconds)


def _claimable(now: datetime):  # type: ignore[no-untyped-def]
    return or_(and_(D.status == "pending", D.next_attempt_at <= now),
               and_(D.status == "sending", D.lease_until < now))


def due_ids(session: Session, now: datetime, limit: int = BATCH) -> list[int]:
    earlier = aliased(WebhookDelivery)
    blocked = exists().where(earlier.subscription_id == D.subscription_id,
                             earlier.call_id == D.call_id, earlier.id < D.id,
                             earlier.status.in_(("pending", "sending")))
    return list(session.scalars(
        select(D.id).join(WebhookSubscription, WebhookSubscription.id == D.subscription_id)
        .where(_claimable(now), ~blocked, WebhookSubscription.active.is_(True))
        .order_by(D.id).limit(limit)))


def claim(session: Session, delivery_id: int, now: datetime, lease_until: datetime) -> bool:
    """Take the delivery for this process (False: another one has it, or it is not due)."""
    taken = session.execute(update(D).where(D.id == delivery_id, _claimable(now))
                            .values(status="sending", lease_until=lease_until,
                                    attempts=D.attempts + 1))
    return taken.rowcount == 1  # type: ignore[attr-defined]


def _load(session: Session, delivery_id: int, lease_until: datetime,
          box: SecretBox) -> Claimed:
    delivery, event, subscription = session.execute(
        select(D, WebhookEvent, WebhookSubscription)
        .join(WebhookEvent, WebhookEvent.id == D.event_id)
        .join(WebhookSubscription, WebhookSubscription.id == D.subscription_id)
        .where(D.id == delivery_id)).one()
    body = json.dumps(event.payload, ensure_ascii=False, separators=(",", ":")).encode()
    return Claimed(delivery.id, lease_until, delivery.attempts, subscription.url,
                   box.decrypt(subscription.secret_encrypted), event.id, body)


def claim_due(settings: Settings, now: datetime | None = None) -> list[Claimed]:
    """Claim up to BATCH due deliveries (blocking: run it in a thread)."""
    now = now or datetime.now(UTC)
    lease_until = now + timedelta(seconds=settings.webhook_timeout_seconds
                                  + LEASE_MARGIN_SECONDS)
    box = SecretBox.from_settings(settings)
    claimed = []
    with session_scope() as session:
        candidates = due_ids(session, now)
    for delivery_id in candidates:
        with session_scope() as session:  # one short transaction per claim
            if not claim(session, delivery_id, now, lease_until):
                continue
            try:
                claimed.append(_load(session, delivery_id, lease_until, box))
            except SecretUnreadable as exc:  # DATA_ENCRYPTION_KEY changed: cannot sign
                session.execute(update(D).where(D.id == delivery_id)
                                .values(status="failed", lease_until=None, last_error=str(exc)))
    return claimed


def record_result(settings: Settings, claimed: Claimed, status_code: int | None,
                  error: str | None, duration_ms: int) -> None:
    """Write what the attempt came to, if the lease is still ours (blocking)."""
    now = datetime.now(UTC)
    ok = status_code is not None and 200 <= status_code < 300
    if ok:
        values: dict[str, object] = {"status": "delivered", "delivered_at": now}
    elif claimed.attempts >= settings.webhook_max_attempts:
        values = {"status": "failed"}
    else:
        values = {"status": "pending", "next_attempt_at": now + timedelta(
            seconds=backoff(settings, claimed.attempts))}
    with session_scope() as session:
        mine = session.execute(
            update(D).where(D.id == claimed.id, D.status == "sending",
                            D.lease_until == claimed.lease_until)
            .values(lease_until=None, last_status_code=status_code, last_error=error,
                    **values))
        if mine.rowcount == 1:  # type: ignore[attr-defined]
            session.add(WebhookAttempt(delivery_id=claimed.id, at=now, status_code=status_code,
                                       error=error, duration_ms=duration_ms))


async def send(client: httpx.AsyncClient, claimed: Claimed) -> tuple[int | None, str | None]:
    """POST the signed body; (status, error)."""
    signed = headers(claimed.secret, claimed.event_id, int(time.time()), claimed.body)
    try:
        async with client.stream("POST", claimed.url, content=claimed.body,
                                 headers=signed) as response:
            status = response.status_code
    except httpx.HTTPError as exc:
        return None, f"{type(exc).__name__}: {exc}"[:ERROR_CHARS]
    return status, None if 200 <= status < 300 else f"HTTP {status}"


async def _attempt(settings: Settings, client: httpx.AsyncClient, claimed: Claimed) -> None:
    started = time.monotonic()
    status, error = await send(client, claimed)
    duration_ms = int((time.monotonic() - started) * 1000)
    if error:
        log.info("webhook delivery %d to %s: attempt %d failed (%s)", claimed.id,
                 urlsplit(claimed.url).hostname, claimed.attempts, error)
    await asyncio.to_thread(record_result, settings, claimed, status, error, duration_ms)


async def deliver_due(settings: Settings, client: httpx.AsyncClient,
                      now: datetime | None = None) -> int:
    """One tick: claim and send what is due (as of `now`); returns how many were sent."""
    claimed = await asyncio.to_thread(claim_due, settings, now)
    await asyncio.gather(*(_attempt(settings, client, c) for c in claimed))
    return len(claimed)


def make_client(settings: Settings) -> httpx.AsyncClient:
    return httpx.AsyncClient(timeout=settings.webhook_timeout_seconds, follow_redirects=False,
                             trust_env=False)


async def deliver_periodically(settings: Settings) -> None:
    """The API's delivery loop: again at once after a busy tick, else after
    WEBHOOK_POLL_SECONDS (a failing tick is logged; the next one tries again)."""
    async with make_client(settings) as client:
        while True:
            try:
                sent = await deliver_due(settings, client)
            except Exception:
                log.exception("webhook delivery tick failed")
                sent = 0
            if not sent:
                await asyncio.sleep(settings.webhook_poll_seconds)
