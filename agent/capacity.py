"""How many calls one worker takes: AGENT_MAX_CALLS, counted here, not guessed by livekit.

livekit-agents' own availability check estimates a job's cost as threshold/num_idle_processes
until a job runs, so on a cold worker a burst of calls beyond the idle-process pool (2 on a
2-core machine) was answered "not available", and livekit-server does not retry: those
callers rang until they gave up (bench/README.md, density). The worker therefore reports an
infinite threshold and this request hook admits a call while running + just-accepted calls
stay under the cap. Calls beyond it are rejected, so the server can offer them to another
worker."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable

from livekit.agents import AgentServer, JobRequest

from agent.logs import log

# an accepted job shows up in active_jobs once its process runs it; until then it is counted
# here, for at most this long (a job that never starts must not hold a slot forever)
PENDING_SECONDS = 30.0


class CallAdmission:
    def __init__(self, server: AgentServer, max_calls: int) -> None:
        self.server = server
        self.max_calls = max(1, max_calls)
        self._pending: dict[str, float] = {}  # job id -> accepted at (monotonic)

    def in_use(self) -> int:
        running = {info.job.id for info in self.server.active_jobs}
        now = time.monotonic()
        self._pending = {job_id: at for job_id, at in self._pending.items()
                         if job_id not in running and now - at < PENDING_SECONDS}
        return len(running) + len(self._pending)

    async def __call__(self, request: JobRequest) -> None:
        if self.in_use() >= self.max_calls:
            log.warning("at capacity (%d calls): job %s offered back to the server",
                        self.max_calls, request.job.id)
            await request.reject(terminate=False)
            return
        self._pending[request.job.id] = time.monotonic()
        await request.accept()


def admission(server: AgentServer, max_calls: int) -> Callable[[JobRequest], Awaitable[None]]:
    return CallAdmission(server, max_calls)
