"""A callback call: the API's scheduler created the room with a dispatch that names the
callback, and dials the person into it. Their SIP participant is in the room while it rings,
so the persona waits for the answer (`sip.callStatus` active) before it speaks; then it
greets "calling you back about ..." in the callback's language and goes on from the last
turns of the call the callback was asked for in (its record is this call's parent)."""

from __future__ import annotations

import asyncio

from livekit import rtc
from livekit.agents import llm

from agent import callbacks
from agent.callbacks import CallbackContext
from agent.personas import Persona
from agent.phrases import line
from agent.sip_handoff import carried_context
from agent.state import CallState

ANSWERED = "active"


async def answered(room: rtc.Room, participant: rtc.RemoteParticipant, timeout: float) -> bool:
    """Whether the person picked up (False: the call ended or failed first)."""
    settled = asyncio.Event()

    def check(*_: object) -> None:
        if participant.attributes.get("sip.callStatus") == ANSWERED or \
                participant.identity not in room.remote_participants:
            settled.set()

    room.on("participant_attributes_changed", check)
    room.on("participant_disconnected", check)
    try:
        check()
        await asyncio.wait_for(settled.wait(), timeout)
    except TimeoutError:
        return False
    finally:
        room.off("participant_attributes_changed", check)
        room.off("participant_disconnected", check)
    return participant.identity in room.remote_participants and \
        participant.attributes.get("sip.callStatus") == ANSWERED


def topic(context: CallbackContext) -> str:
    """What the callback is about: its reason, else what the caller last said."""
    last_said = next((t["text"] for t in reversed(context.turns) if t.get("role") == "user"),
                     "")
    reason = "" if context.reason.startswith("DTMF") else context.reason
    return (reason or last_said).strip()


def greeting(persona: Persona, context: CallbackContext, language: str) -> str:
    about = topic(context)
    if about:
        return line("callback_greeting", language, persona=persona.name(language),
                    company=persona.company_name(language), topic=about)
    return line("callback_greeting_plain", language, persona=persona.name(language),
                company=persona.company_name(language))


async def wait_for_answer(room: rtc.Room, participant: rtc.RemoteParticipant,
                          callback_id: object, timeout: float) -> CallbackContext | None:
    """The callback this room calls for, once its person answered (None: no such callback,
    or the call ended unanswered: the scheduler records that attempt)."""
    try:
        context = await asyncio.to_thread(callbacks.load, int(str(callback_id)))
    except ValueError:
        return None
    if context is None or not await answered(room, participant, timeout):
        return None
    return context


def begin(state: CallState, context: CallbackContext) -> tuple[llm.ChatContext, str]:
    """Link this call to the one the callback came from; the carried turns and greeting."""
    state.record("callback_call", callback_id=context.callback_id,
                 from_call_id=context.call_id, reason=context.reason)
    if state.recorder is not None and context.call_id:
        state.recorder.update(parent_call_id=context.call_id)
    return carried_context(context.turns), greeting(state.persona, context, state.language)
