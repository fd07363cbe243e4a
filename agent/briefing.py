"""What the colleague hears before a warm-transferred caller is connected: who, why, what
was already said. Built from the call's state (no model needed, also offline), in the
department's own language (the language its people work in)."""

from __future__ import annotations

from agent.personas import LANGUAGE_NAMES
from agent.phrases import line
from agent.state import CallState

SAID_TURNS = 2  # the caller's last words, at most this many turns
SAID_CHARS = 240


def briefing_text(state: CallState, reason: str) -> str:
    persona = state.persona
    language = persona.default_language
    digits = "".join(c for c in state.caller or "" if c.isdigit())
    who = state.customer_name or (line("briefing_number", language, digits=digits[-4:])
                                  if len(digits) >= 4 else line("briefing_unknown", language))
    turns = [t["text"] for t in state.recent if t.get("role") == "user"][-SAID_TURNS:]
    said = line("briefing_said", language, turns=" ... ".join(turns)[:SAID_CHARS]) \
        if turns else ""
    if reason.startswith("DTMF"):
        reason = line("briefing_pressed", language)
    return line("briefing", language,
                department=persona.department_name(language), who=who,
                speaks=LANGUAGE_NAMES.get(state.language, {}).get(language, state.language),
                reason=reason or "-", said=said)
