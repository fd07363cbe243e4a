"""What a call came to, written when it ends: its outcome, the departments it went through and
why, the caller's request, language and durations, and one or two sentences for a supervisor.

The rules read the call's own events (transcript turns included), so every call gets the
same, explainable summary offline. With OPENAI_API_KEY a model rewrites the sentences
(agent/summary_llm.py); the outcome and the details always come from the rules, so lists
filtered by outcome do not depend on a model.

Outcomes, first match wins:
- failed: the session ended on an error, or the caller's last request was a transfer that
  failed and they said nothing more;
- transferred_to_human: a SIP transfer to a department's human line succeeded;
- handed_over: the call moved to another department's number (SIP handoff), or the caller
  was handed to another department's assistant and said nothing more there;
- callback_requested: a person was asked for where no transfer is possible (browser);
- abandoned: the caller never asked anything (no words, no key), or hung up before the
  assistant answered their last words;
- resolved: the assistant answered the caller's last words.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

OUTCOMES = ("resolved", "handed_over", "transferred_to_human", "callback_requested",
            "abandoned", "failed")
REQUEST_CHARS = 200
CALLER_ACTIONS = ("transcript:user", "dtmf")


@dataclass(frozen=True)
class Happened:
    """One call event as the recorder queued it."""

    at: datetime
    kind: str
    data: Mapping[str, Any] = field(default_factory=dict)

    @property
    def tag(self) -> str:
        """'transcript:user', 'transcript:assistant', or the kind."""
        return f"{self.kind}:{self.data.get('role')}" if self.kind == "transcript" else self.kind


@dataclass(frozen=True)
class CallFacts:
    started_at: datetime
    ended_at: datetime
    end_reason: str
    first_department: str
    language: str
    source: str


@dataclass(frozen=True)
class Summary:
    outcome: str
    text: str
    source: str  # rules | llm
    details: dict[str, Any]


def _last(events: Sequence[Happened], tags: Sequence[str]) -> int:
    return max((i for i, e in enumerate(events) if e.tag in tags), default=-1)


def outcome_of(events: Sequence[Happened], end_reason: str) -> str:
    kinds = {e.kind for e in events}
    if end_reason == "error" or "error" in kinds:
        return "failed"
    if end_reason == "transferred_to_human" or "transfer_succeeded" in kinds:
        return "transferred_to_human"
    if end_reason == "transferred_to_department":
        return "handed_over"
    if "callback_requested" in kinds:
        return "callback_requested"
    last_ask = _last(events, CALLER_ACTIONS)
    if last_ask < 0:
        return "abandoned"
    after = {e.kind for e in events[last_ask + 1:]}
    if "transfer_failed" in after:
        return "failed"
    if "handoff" in after:
        return "handed_over"
    if _last(events, ("transcript:assistant",)) < last_ask:
        return "abandoned"
    return "resolved"


def departments_of(first: str, events: Sequence[Happened]) -> list[str]:
    visited = [first]
    for e in events:
        to = e.data.get("to") if e.kind in ("handoff", "handoff_transferred") else None
        if to and to != visited[-1]:
            visited.append(str(to))
    return visited


def reasons_of(events: Sequence[Happened]) -> list[str]:
    kinds = ("handoff", "transfer_requested", "callback_requested", "handoff_received")
    reasons: list[str] = []
    for e in events:
        reason = str(e.data.get("reason") or "").strip() if e.kind in kinds else ""
        if reason and reason not in reasons:
            reasons.append(reason)
    return reasons


def request_of(events: Sequence[Happened]) -> str | None:
    """The caller's first words (or first menu key), cut to a sentence or two."""
    for e in events:
        if e.tag == "transcript:user" and str(e.data.get("text", "")).strip():
            text = " ".join(str(e.data["text"]).split())
            return text if len(text) <= REQUEST_CHARS else text[:REQUEST_CHARS - 1] + "…"
        if e.kind == "dtmf" and e.data.get("action"):
            return f"pressed {e.data.get('digit')} ({e.data['action']})"
    return None


def durations_of(call: CallFacts, events: Sequence[Happened]) -> dict[str, Any]:
    """Whole call, until the first greeting, and time spent with each department."""
    total = max(0.0, (call.ended_at - call.started_at).total_seconds())
    greeting = next((e.at for e in events if e.kind == "greeting"), None)
    per: dict[str, float] = {}
    current, since = call.first_department, call.started_at
    for e in events:
        if e.kind == "handoff" and e.data.get("to"):
            per[current] = per.get(current, 0.0) + (e.at - since).total_seconds()
            current, since = str(e.data["to"]), e.at
    per[current] = per.get(current, 0.0) + (call.ended_at - since).total_seconds()
    return {"total_seconds": round(total, 1),
            "answer_seconds": round((greeting - call.started_at).total_seconds(), 1)
            if greeting else None,
            "per_department_seconds": {k: round(max(v, 0.0), 1) for k, v in per.items()}}


def _duration_text(seconds: float) -> str:
    minutes, rest = divmod(int(round(seconds)), 60)
    return f"{minutes} min {rest} s" if minutes else f"{rest} s"


def _request_sentence(request: str | None) -> str:
    if request is None:
        return "The caller asked nothing."
    if request.startswith("pressed "):
        return f"The caller {request}."
    return f'The caller said: "{request}".'


def _outcome_sentence(outcome: str, departments: list[str], reasons: list[str]) -> str:
    why = f" ({reasons[-1]})" if reasons else ""
    path = " → ".join(departments)
    return {
        "resolved": f"Answered by the assistant ({path})",
        "handed_over": f"Handed over: {path}{why}",
        "transferred_to_human": f"Transferred to a person at {departments[-1]}{why}",
        "callback_requested": f"A call back was requested from {departments[-1]}{why}",
        "abandoned": f"The caller left without an answer ({path})",
        "failed": f"The call failed ({path}){why}",
    }[outcome]


def rules_summary(call: CallFacts, events: Sequence[Happened]) -> Summary:
    outcome = outcome_of(events, call.end_reason)
    departments = departments_of(call.first_department, events)
    reasons = reasons_of(events)
    request = request_of(events)
    durations = durations_of(call, events)
    text = (f"{_request_sentence(request)} {_outcome_sentence(outcome, departments, reasons)}; "
            f"{call.language}, {_duration_text(durations['total_seconds'])}.")
    return Summary(outcome=outcome, text=text, source="rules", details={
        "departments": departments, "reasons": reasons, "request": request,
        "language": call.language, "end_reason": call.end_reason, "durations": durations})


def transcript_of(events: Sequence[Happened]) -> list[tuple[str, str]]:
    """(role, text) of every turn, in order."""
    return [(str(e.data.get("role")), str(e.data.get("text", ""))) for e in events
            if e.kind == "transcript" and e.data.get("text")]
