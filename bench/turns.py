"""Turn timing from the worker log written by bench.worker: per room, when the agent got
the user's turn (text or DTMF), when it started speaking (first audio frame pushed), and
the providers' own time for that reply (LLM ttft, TTS ttfb from livekit-agents metrics)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from bench.harness import worker_events


def events_by_room(worker_log: Path) -> dict[str, list[dict]]:
    rooms: dict[str, list[dict]] = defaultdict(list)
    for ev in worker_events(worker_log):
        if ev.get("room"):
            rooms[ev["room"]].append(ev)
    for evs in rooms.values():
        evs.sort(key=lambda e: e["at"])
    return rooms


@dataclass
class Turn:
    start_at: float  # end of the user's turn as the agent (or the client) saw it
    speaking_at: float | None = None
    llm_ttft: float = 0.0
    tts_ttfb: float = 0.0
    was_speaking: bool = False  # the agent was still talking when the turn ended

    @property
    def to_speaking(self) -> float | None:
        return None if self.speaking_at is None else self.speaking_at - self.start_at

    @property
    def overhead(self) -> float | None:
        """Time to the first audio frame that is not the providers' own time."""
        total = self.to_speaking
        return None if total is None else total - self.llm_ttft - self.tts_ttfb


def turn_after(events: list[dict], start_at: float, *, uses_llm: bool,
               window: float = 15.0) -> Turn:
    turn = Turn(start_at)
    state = None
    for ev in events:
        if ev["at"] < start_at:
            if ev.get("bench") == "state":
                state = ev.get("new")
            continue
        if ev["at"] > start_at + window:
            break
        kind = ev.get("bench")
        if kind == "state" and ev.get("new") == "speaking" and turn.speaking_at is None:
            turn.speaking_at = ev["at"]
        elif kind == "metrics" and ev.get("metric_type") == "llm_metrics" and uses_llm \
                and not turn.llm_ttft:
            turn.llm_ttft = max(0.0, float(ev.get("ttft") or 0.0))
        elif kind == "metrics" and ev.get("metric_type") == "tts_metrics" \
                and not turn.tts_ttfb:
            turn.tts_ttfb = max(0.0, float(ev.get("ttfb") or 0.0))
    turn.was_speaking = state == "speaking"
    return turn


def dtmf_turns(events: list[dict]) -> list[Turn]:
    """One Turn per DTMF key the agent logged (agent/dtmf.py: "DTMF key pressed -> ...")."""
    return [turn_after(events, ev["at"], uses_llm=False) for ev in events
            if str(ev.get("message", "")).startswith("DTMF ")]
