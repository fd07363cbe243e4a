"""The product's agent worker with benchmark instrumentation: `python -m bench.worker`.

Same `agent.worker.build_server` (AgentServer options, load function, prewarm) and the same
`agent.worker.entrypoint` as `contact-center agent start`; the only addition is that every
AgentSession of a job also logs, as JSON lines in the worker log, livekit-agents' own
`metrics_collected` events (LLM ttft, TTS ttfb), its agent state changes (the change to
"speaking" happens when the first audio frame of a reply is pushed to the room) and the
user's turns, each with a wall-clock `ts`. The product worker does not log these, and the
benchmarks need them to subtract the providers' own time from the turn overhead.
"""

from __future__ import annotations

import logging
import sys
import time
from typing import Any, Generic, TypeVar

from livekit.agents import JobContext, get_job_context

import agent.worker as product

log = logging.getLogger("contact_center.bench")
_product_entrypoint = product.entrypoint
T = TypeVar("T")


def _observe_sessions() -> None:
    """In the job's process: make agent.worker build sessions that report their events."""
    if getattr(product, "_bench_observed", False):
        return
    base = product.AgentSession

    class ObservedSession(base, Generic[T]):  # type: ignore[valid-type,misc]
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            room = get_job_context().room.name
            self.on("metrics_collected", lambda ev: _on_metrics(room, ev))
            self.on("agent_state_changed", lambda ev: _on_state(room, ev))
            self.on("conversation_item_added", lambda ev: _on_item(room, ev))

    product.AgentSession = ObservedSession  # type: ignore[misc]
    product._bench_observed = True  # type: ignore[attr-defined]


def _on_metrics(room: str, ev: Any) -> None:
    m = ev.metrics
    fields = {"bench": "metrics", "room": room, "metric_type": getattr(m, "type", type(m).__name__),
              "ts": time.time(), "metric_ts": getattr(m, "timestamp", None),
              "speech_id": getattr(m, "speech_id", None)}
    for name in ("ttft", "ttfb", "duration", "audio_duration", "end_of_utterance_delay",
                 "transcription_delay"):
        if hasattr(m, name):
            fields[name] = getattr(m, name)
    log.info("bench metrics", extra=fields)


def _on_state(room: str, ev: Any) -> None:
    log.info("bench agent state", extra={"bench": "state", "room": room, "old": ev.old_state,
                                         "new": ev.new_state, "ts": time.time()})


def _on_item(room: str, ev: Any) -> None:
    item = ev.item
    if getattr(item, "type", None) == "message" and item.role == "user":
        log.info("bench user turn", extra={"bench": "user", "room": room, "ts": time.time(),
                                           "created_at": getattr(item, "created_at", None)})


async def entrypoint(ctx: JobContext) -> None:
    _observe_sessions()
    await _product_entrypoint(ctx)


def main() -> None:
    from livekit.agents import cli as lk_cli

    from core.config import get_settings

    settings = get_settings()
    product.entrypoint = entrypoint  # build_server registers this module's (picklable) wrapper
    server = product.build_server(settings)
    print(f"bench worker {settings.agent_name!r} -> {settings.livekit_url}", flush=True)
    sys.argv = ["bench-worker", "start", "--log-level", settings.log_level.upper()]
    lk_cli.run_app(server)


if __name__ == "__main__":
    main()
