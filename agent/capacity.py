"""How many calls one worker takes: AGENT_MAX_CALLS, counted here, not guessed by livekit.

livekit-agents' own availability check estimates a job's cost as threshold/num_idle_processes
until a job runs, so on a cold worker a burst of calls beyond the idle-process pool (2 on a
2-core machine) was answered "not available", and livekit-server does not retry: those
callers rang until they gave up (bench/README.md, density). The worker therefore reports an
infinite threshold and this request hook admits a call while running + just-accepted calls
stay under the cap. Calls beyond it are rejected, so the server can offer them to another
worker."""

from __future__ import annotations

import json
import time

from livekit.agents import AgentServer, JobRequest

from agent.logs import log

# an accepted job shows up in active_jobs once its process runs it; until then it is counted
# here, for at most this long (a job that never starts must not hold a slot forever)
PENDING_SECONDS = 30.0


def is_browser_job(metadata: str | None) -> bool:
    """A browser (test page) call: the token endpoint dispatches with source "browser"."""
    try:
        data = json.loads(metadata or "{}")
    except ValueError:
        return False
    return isinstance(data, dict) and data.get("source") == "browser"


class CallAdmission:
    """Admits calls up to `max_calls`, browser calls up to `browser_share` of them (so the
    public test page can never take every line from the phones)."""

    def __init__(self, server: AgentServer, max_calls: int, browser_share: float = 1.0) -> None:
        self.server = server
        self.max_calls = max(1, max_calls)
        self.max_browser = int(self.max_calls * max(0.0, min(1.0, browser_share)))
        # job id -> (accepted at (monotonic), browser call)
        self._pending: dict[str, tuple[float, bool]] = {}

    def in_use(self) -> tuple[int, int]:
        """(calls, browser calls) running or just accepted."""
        running = {info.job.id: is_browser_job(info.job.metadata)
                   for info in self.server.active_jobs}
        now = time.monotonic()
        self._pending = {job_id: entry for job_id, entry in self._pending.items()
                         if job_id not in running and now - entry[0] < PENDING_SECONDS}
        browser = sum(running.values()) + sum(b for _, b in self._pending.values())
        return len(running) + len(self._pending), browser

    async def __call__(self, request: JobRequest) -> None:
        calls, browser = self.in_use()
        from_browser = is_browser_job(request.job.metadata)
        if calls >= self.max_calls or (from_browser and browser >= self.max_browser):
            log.warning("at capacity (%d calls, %d of %d browser): job %s offered back to the "
                        "server", calls, browser, self.max_browser, request.job.id)
            await request.reject(terminate=False)
            return
        self._pending[request.job.id] = (time.monotonic(), from_browser)
        await request.accept()


def admission(server: AgentServer, max_calls: int, browser_share: float = 1.0
              ) -> CallAdmission:
    return CallAdmission(server, max_calls, browser_share)
