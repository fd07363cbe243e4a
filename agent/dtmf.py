"""DTMF menu over SIP: a key press hands the caller to a department or to a human.

The menu comes from settings (DTMF_MENU, default 1 reception, 2 sales, 3 complaints, 0 human).
Digits can be PINs or account numbers: logs say that a key was pressed and what it did,
never which key; the call record keeps the digit only when it is a menu key.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping

from livekit import rtc
from livekit.agents import AgentSession

from agent.human import TransferFailed, hand_to_human
from agent.logs import log
from agent.phrases import line
from agent.sip_handoff import move_call_to_department
from agent.state import CallState
from agent.tools import announcement, handoff_agent


def attach(room: rtc.Room, session: AgentSession[CallState], state: CallState,
           menu: Mapping[str, str]) -> None:
    tasks: set[asyncio.Task[None]] = set()

    @room.on("sip_dtmf_received")
    def _on_dtmf(ev: rtc.SipDTMF) -> None:
        task = asyncio.create_task(handle_digit(session, state, menu, ev.digit))
        tasks.add(task)
        task.add_done_callback(tasks.discard)


async def handle_digit(session: AgentSession[CallState], state: CallState,
                       menu: Mapping[str, str], digit: str) -> None:
    action = menu.get(digit)
    if state.on_hold:  # waiting for a colleague (warm transfer): keys do nothing now
        state.record("dtmf", action=None, department=state.department, on_hold=True)
        return
    if action is None:  # not a menu key: keep no trace of which
        state.record("dtmf", action=None, department=state.department)
        log.info("DTMF key pressed -> no menu action")
        return
    state.record("dtmf", digit=digit, action=action, department=state.department)
    log.info("DTMF key pressed -> %s", action)
    session.interrupt()
    if action == "human":
        await _to_human(session, state)
    elif action == state.department:
        label = state.persona.department_name(state.language)
        session.say(line("already_here", state.language, department=label))
    elif state.directory.get(action) is not None:
        await session.say(announcement(state, action))
        try:
            if await move_call_to_department(session, action, f"DTMF {digit}", via="dtmf"):
                return  # the call itself went to the other department
        except TransferFailed:
            session.say(line("transfer_failed", state.language))
            return
        session.update_agent(handoff_agent(session, action, f"DTMF {digit}", via="dtmf"))
    else:
        log.warning("DTMF menu entry points to unknown department %r", action)


async def _to_human(session: AgentSession[CallState], state: CallState) -> None:
    async def say(text: str) -> None:
        await session.say(text)

    try:
        await hand_to_human(state, "DTMF", "dtmf", say)
    except TransferFailed:
        session.say(line("transfer_failed", state.language))
