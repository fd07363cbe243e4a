"""The worker's heartbeat: it tells the database it is there and how full it is.

Written by the worker's main process every WORKER_HEARTBEAT_SECONDS once it has registered
with LiveKit (and at once when it starts draining); removed when it stops. Each beat also
sets the worker's load gauges on its /metrics (agent/metrics.py). The API reads it:
/ready counts workers and free capacity (`make run` waits for one), the token endpoint
refuses browser calls beyond their share. A worker killed without a word stops beating;
its row is ignored after three missed beats.
"""

from __future__ import annotations

import asyncio
import socket
from typing import Any

from sqlalchemy import delete

from agent.capacity import CallAdmission
from agent.logs import log
from agent.metrics import publish_worker
from core.config import Settings
from core.db import session_scope
from core.models import Worker, utcnow


class Heartbeat:
    def __init__(self, server: Any, admission: CallAdmission, settings: Settings) -> None:
        self.server = server
        self.admission = admission
        self.settings = settings
        self.worker_id: str | None = None
        self._task: asyncio.Task[None] | None = None
        self._started_at = utcnow()

    def attach(self) -> None:
        self.server.on("worker_registered", self._registered)

    def _registered(self, worker_id: str, _info: Any = None) -> None:
        self.worker_id = worker_id  # a reconnect registers again, under a new id
        if self._task is None:
            self._task = asyncio.get_event_loop().create_task(self._beat(), name="heartbeat")

    async def _beat(self) -> None:
        while True:
            self.publish()
            try:
                await asyncio.to_thread(self.write)
            except Exception as exc:  # the database is down: try again next beat
                log.warning("worker heartbeat not written: %s", type(exc).__name__)
            await asyncio.sleep(self.settings.worker_heartbeat_seconds)

    def publish(self) -> None:
        """The worker's load on its /metrics (also while the database is down)."""
        calls, browser = self.admission.in_use()
        publish_worker(self.settings.agent_name, calls, browser, self.admission.max_calls,
                       bool(self.server.draining))

    def write(self) -> None:
        if self.worker_id is None:
            return
        calls, browser = self.admission.in_use()
        with session_scope() as db:
            db.merge(Worker(id=self.worker_id, agent_name=self.settings.agent_name,
                            host=socket.gethostname(), max_calls=self.admission.max_calls,
                            active_calls=calls, browser_calls=browser,
                            draining=bool(self.server.draining), started_at=self._started_at,
                            seen_at=utcnow()))

    def remove(self) -> None:
        """The worker stopped: it takes no calls any more (called after it drained)."""
        if self._task is not None:
            self._task.cancel()
        if self.worker_id is None:
            return
        try:
            with session_scope() as db:
                db.execute(delete(Worker).where(Worker.id == self.worker_id))
        except Exception as exc:
            log.warning("worker heartbeat not removed: %s", type(exc).__name__)
