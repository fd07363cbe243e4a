"""Department handoff by SIP transfer, for departments run as separate deployments, queues or
PBX extensions: the call itself moves to the other department's number.

Sending side: a one-time reference is stored with the context, and livekit-sip REFERs the
caller to `tel:<department number>` with the reference in the X-CC-Handoff header (never the
transcript, no PII). Receiving side: the trunk maps that header to the `cc.handoff`
participant attribute; the agent claims the reference, links the two call records, carries
the recent turns over and greets acknowledging why the caller is there.

Browser callers have no SIP leg: they are always handed over in the room."""

from __future__ import annotations

import asyncio

from livekit.agents import AgentSession, llm

from agent import handoff_refs
from agent.handoff_refs import HandoffContext
from agent.human import TransferFailed, human_transfer_possible
from agent.logs import log
from agent.personas import Persona
from agent.phrases import line
from agent.refer import refer_caller
from agent.state import CallState
from core.config import get_settings
from core.pii import mask_number, redact_numbers
from sip.handoff import HANDOFF_HEADER

RECENT_TURNS = 8

def handoff_mode(state: CallState, slug: str) -> str:
    """How a caller reaches `slug`: the department's own mode, else the deployment's."""
    target = state.directory.get(slug)
    return (target.handoff_mode if target else None) or get_settings().handoff_mode


def recent_turns(session: AgentSession[CallState]) -> list[dict[str, str]]:
    turns = [{"role": item.role, "text": item.text_content}
             for item in session.history.items
             if item.type == "message" and item.role in ("user", "assistant")
             and item.text_content]
    return turns[-RECENT_TURNS:]


async def move_call_to_department(session: AgentSession[CallState], slug: str, reason: str,
                                  via: str) -> bool:
    """Transfer the SIP caller to `slug`'s number when that is the handoff mode.

    True: the call was handed to the other department (it leaves this room). False: hand
    over in the room instead (browser caller, in_room mode, or no number to dial).
    Raises TransferFailed when the REFER fails; the caller stays with this assistant."""
    state = session.userdata
    if handoff_mode(state, slug) != "sip_transfer" or not human_transfer_possible(state):
        return False
    number = await asyncio.to_thread(handoff_refs.department_number, slug)
    if number is None:
        log.warning("handoff mode sip_transfer but %s has no number; handing over in the room",
                    slug)
        state.record("handoff_fallback", to=slug, error="department has no phone number")
        return False
    reference = await asyncio.to_thread(
        handoff_refs.create, from_call_id=state.call_id or "", from_department=state.department,
        to_department=slug, to_number=number, language=state.language, reason=reason,
        turns=recent_turns(session), ttl_seconds=get_settings().handoff_reference_ttl_seconds)
    target = f"tel:{number}"
    state.record("handoff_requested", to=slug, via=via, mode="sip_transfer", target=target)
    moved = {"from": state.department, "to": slug, "target": target, "via": via,
             "reason": reason}
    try:
        await refer_caller(state, target, dialtone=False, end_reason="transferred_to_department",
                           event=("handoff_transferred", moved),
                           headers={HANDOFF_HEADER: reference})
    except Exception as exc:  # the caller stays with us whatever went wrong
        await asyncio.to_thread(handoff_refs.discard, reference)
        log.warning("SIP handoff to %s (%s) failed: %s", slug, mask_number(target),
                    redact_numbers(str(exc)))
        state.record("transfer_failed", target=target, to_department=slug, error=str(exc)[:500])
        raise TransferFailed(str(exc)) from exc
    log.info("call transferred to %s at %s", slug, mask_number(target))
    return True


def carried_context(turns: list[dict[str, str]]) -> llm.ChatContext:
    """A previous call's recent turns, as this call's starting conversation."""
    chat = llm.ChatContext.empty()
    for turn in turns:
        if turn.get("role") in ("user", "assistant") and turn.get("text"):
            chat.add_message(role=turn["role"], content=turn["text"])  # type: ignore[arg-type]
    return chat


def acknowledged_welcome(persona: Persona, previous: Persona | None, ctx: HandoffContext,
                         language: str) -> str:
    """The new persona's welcome, saying who passed the call on and what it is about."""
    last_user = next((t["text"] for t in reversed(ctx.turns) if t.get("role") == "user"), "")
    topic = last_user or ("" if ctx.reason.startswith("DTMF") else ctx.reason)
    about = line("handoff_about", language, topic=topic) if topic else ""
    return line("acknowledge_handoff", language, welcome=persona.welcome_for(language),
        persona=previous.name(language) if previous else ctx.from_department,
        department=previous.department_name(language) if previous else ctx.from_department,
        about=about)
