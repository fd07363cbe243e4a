"""The worker's Prometheus metrics (`cc_...`), served by livekit-agents on AGENT_METRICS_PORT.

Calls run in job processes, so the worker runs prometheus-client's multiprocess mode: every
process writes its values to files in one directory per worker (PROMETHEUS_MULTIPROC_DIR,
set before prometheus-client is imported: agent/cli.py) and livekit's /metrics endpoint sums
them. Counters and histograms are written where things happen (a call's job process);
the worker's own load is written by the main process (`publish_worker`), which alone knows
every call it holds.

What a call measures (`CallMetrics`):
- answer latency: the room's creation (the caller arriving) -> the first audio frame of the
  greeting (the agent's state turns "speaking"), for calls answered the first time;
- turn latency: the end of the caller's turn (end of speech, or the text / key press that
  made it) -> the agent speaking again;
- answered, ended (by end reason), handed over (between departments), transferred (to a
  human, by outcome).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from livekit.agents import (
    AgentSession,
    AgentStateChangedEvent,
    ConversationItemAddedEvent,
    UserStateChangedEvent,
)
from prometheus_client import Counter, Gauge, Histogram

if TYPE_CHECKING:
    from agent.state import CallState

LATENCY_BUCKETS = (0.25, 0.5, 0.75, 1.0, 1.5, 2.0, 3.0, 5.0, 8.0, 13.0, 21.0, 34.0, 60.0)

CALLS_ANSWERED = Counter("cc_calls_answered_total", "Calls an agent answered (its first words "
                         "reached the room)", ["department", "source"])
CALLS_ENDED = Counter("cc_calls_ended_total", "Calls an agent ended, by end reason",
                      ["department", "source", "reason"])
HANDOFFS = Counter("cc_calls_handed_over_total", "Callers handed from one department's "
                   "assistant to another's", ["from_department", "to_department", "via"])
TRANSFERS = Counter("cc_calls_transferred_total", "Transfers to a human line, by outcome",
                    ["department", "outcome"])
ANSWER_LATENCY = Histogram("cc_answer_latency_seconds", "Caller arrives (room created) -> "
                           "first audio frame of the greeting", ["source"],
                           buckets=LATENCY_BUCKETS)
TURN_LATENCY = Histogram("cc_turn_latency_seconds", "End of the caller's turn -> the agent "
                         "speaking", ["source"], buckets=LATENCY_BUCKETS)

# Written by the worker's main process only ("max" over processes = its value), labelled
# with the agent name so that no value exists before the first heartbeat: livekit-agents
# empties the multiprocess directory when the worker starts running, and a value the main
# process had created before (an unlabelled metric, at import) would go on writing to a file
# that is gone.
WORKER_ACTIVE = Gauge("cc_worker_active_calls", "Calls this worker holds (running or just "
                      "accepted)", ["agent_name"], multiprocess_mode="max")
WORKER_BROWSER = Gauge("cc_worker_browser_calls", "Browser (test page) calls this worker "
                       "holds", ["agent_name"], multiprocess_mode="max")
WORKER_MAX = Gauge("cc_worker_max_calls", "Calls this worker accepts at once "
                   "(AGENT_MAX_CALLS)", ["agent_name"], multiprocess_mode="max")
WORKER_LOAD = Gauge("cc_worker_load", "Active calls / AGENT_MAX_CALLS: what the worker "
                    "reports to LiveKit and what the autoscaler reads", ["agent_name"],
                    multiprocess_mode="max")
WORKER_DRAINING = Gauge("cc_worker_draining", "1 while the worker drains (takes no new calls)",
                        ["agent_name"], multiprocess_mode="max")

# call events (agent/state.py CallState.record) that move a counter
TRANSFER_OUTCOMES = {"transfer_succeeded": "succeeded", "transfer_failed": "failed"}


def publish_worker(agent_name: str, calls: int, browser: int, max_calls: int,
                   draining: bool) -> None:
    WORKER_ACTIVE.labels(agent_name).set(calls)
    WORKER_BROWSER.labels(agent_name).set(browser)
    WORKER_MAX.labels(agent_name).set(max_calls)
    WORKER_LOAD.labels(agent_name).set(calls / max(1, max_calls))
    WORKER_DRAINING.labels(agent_name).set(int(draining))


class CallMetrics:
    """One call's measurements, labelled with the call's department at the time (it changes
    with handoffs). `arrived_at` is when the caller arrived (wall clock; None: unknown, or the
    call was answered before, so its answer latency is not measured)."""

    def __init__(self, state: CallState, arrived_at: float | None,
                 clock: Callable[[], float] = time.time) -> None:
        self.state = state
        self.arrived_at = arrived_at
        self.clock = clock
        self.answered = False
        self.turn_ended_at: float | None = None
        self.ended = False

    def attach(self, session: AgentSession) -> None:  # type: ignore[type-arg]
        session.on("agent_state_changed", self.on_agent_state)
        session.on("user_state_changed", self.on_user_state)
        session.on("conversation_item_added", self.on_item)

    def on_agent_state(self, ev: AgentStateChangedEvent) -> None:
        if ev.new_state != "speaking":
            return
        now = self.clock()
        if not self.answered:
            self.answered = True
            CALLS_ANSWERED.labels(self.state.department, self.state.source).inc()
            if self.arrived_at is not None:
                ANSWER_LATENCY.labels(self.state.source).observe(
                    max(0.0, now - self.arrived_at))
        elif self.turn_ended_at is not None:
            TURN_LATENCY.labels(self.state.source).observe(max(0.0, now - self.turn_ended_at))
        self.turn_ended_at = None

    def on_user_state(self, ev: UserStateChangedEvent) -> None:
        if ev.new_state == "speaking":
            self.turn_ended_at = None  # the caller goes on: their turn ends later
        elif ev.old_state == "speaking":
            self.turn_ended_at = self.clock()

    def on_item(self, ev: ConversationItemAddedEvent) -> None:
        if ev.item.type == "message" and ev.item.role == "user":
            self.user_turn()  # typed text, or a transcript after the end of speech

    def user_turn(self) -> None:
        """The caller's turn ended now, unless its end (of speech) was already seen."""
        if self.turn_ended_at is None:
            self.turn_ended_at = self.clock()

    def event(self, kind: str, data: dict[str, object]) -> None:
        """A call event (CallState.record)."""
        if kind == "dtmf" and data.get("action"):
            self.user_turn()
        elif kind in ("handoff", "handoff_transferred"):  # in the room / by SIP transfer
            HANDOFFS.labels(str(data.get("from")), str(data.get("to")),
                            str(data.get("via", ""))).inc()
        elif kind in TRANSFER_OUTCOMES and "to_department" not in data:  # not a handoff's
            TRANSFERS.labels(self.state.department, TRANSFER_OUTCOMES[kind]).inc()

    def end(self, reason: str) -> None:
        if not self.ended:
            self.ended = True
            CALLS_ENDED.labels(self.state.department, self.state.source, reason).inc()
