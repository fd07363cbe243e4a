"""What the API's /metrics adds to the process metrics: the contact center as the database
sees it at scrape time (`cc_...`).

The numbers every API process can tell, whichever took the call: calls in progress and
callers waiting for an agent, per department; calls that ended in the last hour by end
reason; the agent workers and their capacity from their heartbeats (agent/heartbeat.py);
room checks the supervisor is late with. Counted events (re-dispatches, unanswered and lost
calls) are app/supervision/metrics.py's; each worker serves its own calls' metrics
(agent/metrics.py). With several API processes these gauges are the same in each: take
`max` over them, not `sum`.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from datetime import datetime, timedelta

from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.supervision.capacity import current_capacity
from core.config import Settings
from core.models import CallRecord, RoomWatch, utcnow

log = logging.getLogger("app.metrics")
ENDED_WINDOW = timedelta(hours=1)
OVERDUE = timedelta(seconds=10)  # a room check this late: the supervisor falls behind


def _gauge(name: str, doc: str, labels: list[str],
           rows: Iterable[tuple[object, ...]]) -> GaugeMetricFamily:
    family = GaugeMetricFamily(name, doc, labels=labels)
    for *values, count in rows:
        family.add_metric([str(v) if v is not None else "unknown" for v in values], count)
    return family


def database_families(db: Session, settings: Settings, now: datetime) -> Iterator[Metric]:
    yield _gauge("cc_calls_active", "Calls an agent is in now", ["department", "source"],
                 db.execute(select(CallRecord.current_department, CallRecord.source,
                                   func.count()).where(CallRecord.status == "active")
                            .group_by(CallRecord.current_department, CallRecord.source)))
    yield _gauge("cc_calls_waiting", "Callers in a room no agent answered yet",
                 ["department", "source"],
                 db.execute(select(RoomWatch.department, RoomWatch.source, func.count())
                            .where(RoomWatch.state == "waiting")
                            .group_by(RoomWatch.department, RoomWatch.source)))
    yield _gauge("cc_calls_ended_last_hour", "Calls that ended in the last hour, by the "
                 "department they ended in and the end reason", ["department", "reason"],
                 db.execute(select(CallRecord.current_department, CallRecord.end_reason,
                                   func.count())
                            .where(CallRecord.ended_at >= now - ENDED_WINDOW)
                            .group_by(CallRecord.current_department, CallRecord.end_reason)))
    overdue = db.scalar(select(func.count()).select_from(RoomWatch).where(
        RoomWatch.next_check_at < now - OVERDUE)) or 0
    yield GaugeMetricFamily("cc_supervision_overdue_checks", "Rooms whose supervision check "
                            f"is over {OVERDUE.seconds} s late", value=overdue)
    capacity = current_capacity(db, settings)
    for name, doc, value in (
        ("cc_workers", "Agent workers with a recent heartbeat, not draining",
         capacity.workers),
        ("cc_agents_max_calls", "Calls the workers accept at once, together",
         capacity.max_calls),
        ("cc_agents_active_calls", "Calls the workers hold (heartbeats)", capacity.active_calls),
        ("cc_agents_free_calls", "Calls the workers can still take", capacity.free_calls),
        ("cc_agents_free_browser_calls", "Browser calls the workers can still take",
         capacity.free_browser_calls),
        ("cc_agents_load", "Active calls / capacity of all workers (1 with no worker)",
         capacity.active_calls / capacity.max_calls if capacity.max_calls else 1.0),
    ):
        yield GaugeMetricFamily(name, doc, value=value)


class DatabaseCollector(Collector):
    """The database's families, read with the request's session when scraped; a database
    that does not answer gives `cc_database_up 0` (and the process metrics still)."""

    def __init__(self, db: Session, settings: Settings) -> None:
        self.db = db
        self.settings = settings

    def collect(self) -> Iterator[Metric]:
        try:
            families = list(database_families(self.db, self.settings, utcnow()))
        except Exception as exc:
            log.warning("metrics: database not readable: %s", type(exc).__name__)
            self.db.rollback()
            families = []
        yield GaugeMetricFamily("cc_database_up", "1 if the database answered this scrape",
                                value=1 if families else 0)
        yield from families
