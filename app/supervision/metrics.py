"""What the supervisor did, counted in the API process that did it (`cc_...`; add them up
over API processes)."""

from __future__ import annotations

from prometheus_client import Counter

from app.supervision.plan import Plan

REDISPATCHES = Counter("cc_supervision_redispatches_total", "Agent dispatched again to a "
                       "caller: nobody answered yet (waiting) or their agent died (agent_lost)",
                       ["reason"])
UNANSWERED = Counter("cc_calls_unanswered_total", "Calls no agent took: the caller gave up "
                     "(abandoned) or the wait ran out (no_agent_available)",
                     ["department", "reason"])
LOST = Counter("cc_calls_lost_total", "Call records closed because their agent died "
               "(agent_lost)", ["department"])


def count(plan: Plan, department: str | None, lost: int) -> None:
    """What one room check wrote: records closed as lost, a call no agent took."""
    department = department or "unknown"
    if lost:
        LOST.labels(department).inc(lost)
    if plan.unanswered:
        UNANSWERED.labels(department, plan.unanswered).inc()


def redispatched(plan: Plan) -> None:
    REDISPATCHES.labels("agent_lost" if plan.restart_wait else "waiting").inc()
