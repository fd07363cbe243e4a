"""What the agent workers can take now, from their heartbeats (agent/heartbeat.py)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.errors import DomainError
from core.config import Settings
from core.models import RoomWatch, Worker, utcnow

MISSED_BEATS = 3  # a worker silent this many beats is gone


@dataclass(frozen=True)
class Capacity:
    workers: int
    max_calls: int
    active_calls: int
    browser_calls: int
    max_browser_calls: int

    @property
    def free_calls(self) -> int:
        return max(0, self.max_calls - self.active_calls)

    @property
    def free_browser_calls(self) -> int:
        return max(0, min(self.free_calls, self.max_browser_calls - self.browser_calls))


def live_workers(db: Session, settings: Settings) -> list[Worker]:
    """Workers of this deployment's agent name that beat recently and are not draining."""
    since = utcnow() - timedelta(seconds=settings.worker_heartbeat_seconds * MISSED_BEATS)
    return list(db.scalars(select(Worker).where(Worker.agent_name == settings.agent_name,
                                                Worker.seen_at >= since,
                                                Worker.draining.is_(False))
                           .order_by(Worker.started_at)))


def current_capacity(db: Session, settings: Settings) -> Capacity:
    """What the live workers (live_workers) can take, together."""
    rows = live_workers(db, settings)
    max_calls = sum(w.max_calls for w in rows)
    return Capacity(workers=len(rows), max_calls=max_calls,
                    active_calls=sum(w.active_calls for w in rows),
                    browser_calls=sum(w.browser_calls for w in rows),
                    max_browser_calls=sum(int(w.max_calls * settings.browser_calls_share)
                                          for w in rows))


class BrowserLinesBusy(DomainError):
    """503 with Retry-After: browser calls have their share of the agents already."""

    status_code = 503
    code = "busy"

    def __init__(self, retry_after: int = 15) -> None:
        super().__init__("all assistants for browser calls are busy; try again shortly")
        self.headers = {"Retry-After": str(retry_after)}


def admit_browser_call(db: Session, settings: Settings) -> None:
    """A browser call may start while its share of the agents is not used up (calls in
    progress and browser callers still waiting for an agent). With no worker registered the
    call is let in: the supervisor dispatches it when a worker comes (or ends it)."""
    capacity = current_capacity(db, settings)
    if capacity.workers == 0:
        return
    waiting = db.scalar(select(func.count()).select_from(RoomWatch).where(
        RoomWatch.source == "browser", RoomWatch.state == "waiting")) or 0
    if capacity.free_browser_calls - waiting <= 0:
        raise BrowserLinesBusy()
