"""Per-call state shared by every persona of one call (`RunContext[CallState].userdata`)."""

from __future__ import annotations

import asyncio
from collections import deque
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

from agent.personas import Persona, PersonaDirectory

if TYPE_CHECKING:
    from livekit.agents import AgentSession

    from agent.metrics import CallMetrics
    from agent.providers import Providers
    from agent.recording import CallRecording
    from agent.records import CallRecorder


@dataclass
class CallState:
    room_name: str
    department: str
    language: str
    directory: PersonaDirectory
    providers: Providers
    source: Literal["sip", "browser"] = "browser"
    sip_identity: str | None = None
    caller: str | None = None
    called_number: str | None = None
    customer_id: str | None = None
    customer_name: str | None = None
    recorder: CallRecorder | None = None
    recording: CallRecording | None = None  # when the call's department records
    session: AgentSession[CallState] | None = None  # set by the worker once it exists
    metrics: CallMetrics | None = None
    visited: list[str] = field(default_factory=list)
    end_reason: str | None = None
    # a SIP transfer under way (agent/refer.py): the record waits for its answer
    transfer: asyncio.Task[None] | None = None
    greeted: bool = False  # the call's first greeting (with how to reach us) was said
    # the caller waits for a colleague (warm transfer): keys and speech are not acted on
    on_hold: bool = False
    # the caller talks to a colleague now (warm transfer connected): the assistant is gone,
    # the record stays open until one of them hangs up
    bridged: bool = False
    # the conversation's last turns, {"role", "text"} (briefings, callbacks' context)
    recent: deque[dict[str, str]] = field(default_factory=lambda: deque(maxlen=8))

    @property
    def call_id(self) -> str | None:
        return self.recorder.call_id if self.recorder else None

    @property
    def persona(self) -> Persona:
        return self.directory.resolve(self.department)

    def record(self, kind: str, **data: object) -> None:
        """Add a call event without blocking the audio loop (no-op without a recorder), and
        count it in the call's metrics."""
        if self.recorder is not None:
            self.recorder.event(kind, **data)
        if self.metrics is not None:
            self.metrics.event(kind, data)
