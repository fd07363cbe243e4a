"""A caller asks for a person (the assistant's tool, DTMF 0, or "call me back").

The department's people are there (its business hours, at the product's clock) and the
caller is on the phone: the call goes to the human line, cold (SIP REFER) or warm (dialled
into the call, briefed, connected: agent/warm_transfer.py), as the department chooses.
Otherwise nobody is transferred anywhere: the caller is told when the department opens and
is called back (the number they call from, or the one they give), with another department
that is open now offered instead.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta

from agent import callbacks
from agent.logs import log
from agent.opening import when
from agent.phrases import line
from agent.refer import refer_caller
from agent.state import CallState
from core import clock
from core.callbacks import next_open_time
from core.hours import HoursStatus
from core.phone import valid_e164
from core.pii import mask_number, redact_numbers

Say = Callable[[str], Awaitable[object]]
SOON = timedelta(minutes=10)  # a callback sooner than this is "shortly"


class TransferFailed(Exception):
    """The human transfer did not happen; the caller is still with the assistant."""


def human_transfer_possible(state: CallState) -> bool:
    return state.source == "sip" and bool(state.sip_identity)


def check_hours(state: CallState, now: datetime) -> HoursStatus:
    """The department's hours at `now`, recorded in the call."""
    status = state.persona.hours_at(now)
    state.record("hours_checked", department=state.department, **status.as_dict())
    return status


async def sip_transfer(state: CallState, reason: str) -> None:
    """Cold-transfer the SIP caller to the department's human line (raises TransferFailed)."""
    target = state.persona.human_transfer_target
    if not target:
        state.record("transfer_failed", target=None, error="no human transfer target")
        raise TransferFailed("no human line is configured for this department")
    try:
        await refer_caller(state, target, dialtone=True, end_reason="transferred_to_human",
                           event=("transfer_succeeded", {"target": target, "reason": reason}))
    except Exception as exc:  # the caller stays with us whatever went wrong
        log.warning("SIP transfer to %s failed: %s", mask_number(target),
                    redact_numbers(str(exc)))
        state.record("transfer_failed", target=target, error=str(exc)[:500])
        raise TransferFailed(str(exc)) from exc
    log.info("caller transferred to %s", mask_number(target))


async def hand_to_human(state: CallState, reason: str, via: str, say: Say) -> None:
    """The caller asked for a person. Raises TransferFailed if a cold transfer failed (the
    caller is still with us); every other outcome is said to the caller here."""
    persona = state.persona
    state.record("transfer_requested", department=state.department, via=via,
                 target=persona.human_transfer_target, reason=reason,
                 mode=persona.transfer_mode)
    now = clock.now()
    status = check_hours(state, now)
    if not status.open:
        await after_hours(state, reason, say, status, now)
        return
    if not human_transfer_possible(state):  # a browser caller has no phone line to move
        await arrange_callback(state, reason, via, say, now)
        return
    if persona.transfer_mode == "warm":
        from agent.warm_transfer import warm_transfer

        if await warm_transfer(state, reason, say) == "failed":  # back with the assistant
            await arrange_callback(state, reason, "transfer_failed", say, clock.now(),
                                   lead=line("warm_failed", state.language) + " ",
                                   tail=line("still_here", state.language))
        return
    if persona.human_transfer_target:
        await say(line("announce_human", state.language))
    await sip_transfer(state, reason)


async def after_hours(state: CallState, reason: str, say: Say, status: HoursStatus,
                      now: datetime) -> None:
    """Nobody is there: say when they are back, arrange the callback for then, and offer a
    department that is open now."""
    persona, language = state.persona, state.language
    department = persona.department_name(language)
    lead = line("human_closed", language, department=department,
                when=when(persona, status.opens_at, now, language)) if status.opens_at \
        else line("human_closed_no_time", language, department=department)
    other = state.directory.open_elsewhere(state.department, now)
    tail = line("offer_open_department", language,
                department=other.department_name(language)) if other else ""
    await arrange_callback(state, reason, "after_hours", say, now, lead=lead + " ", tail=tail)


async def arrange_callback(state: CallState, reason: str, via: str, say: Say, now: datetime, *,
                           number: str | None = None, lead: str = "", tail: str = "") -> bool:
    """Store a callback to `number` (default: the SIP caller's own, if it is a valid one)
    and tell the caller when; without a number, ask for one. True: stored."""
    number = number or (valid_e164(state.caller) if state.source == "sip" else None)
    language = state.language
    if number is None:
        state.record("callback_requested", department=state.department, via=via,
                     reason=reason)
        await say(lead + line("callback_ask_number", language) + tail)
        return False
    if state.recorder is not None:
        await state.recorder.written()  # the callback refers to this call's record
    # when the caller is told: this call's view of the department's hours
    delay = timedelta(seconds=state.providers.settings.callback_delay_seconds)
    earliest = next_open_time(state.persona.hours, now + delay)
    try:
        stored = await asyncio.to_thread(
            callbacks.store, department=state.department, number=number, language=language,
            reason=reason or "", via=via, now=now, call_id=state.call_id, earliest=earliest)
    except Exception as exc:
        log.exception("could not store a callback")
        state.record("error", error=f"callback not stored: {type(exc).__name__}")
        await say(lead + line("tool_failed", language))
        return False
    state.record("callback_created", callback_id=stored.callback_id, via=via, reason=reason,
                 department=state.department, next_attempt_at=stored.next_attempt_at.isoformat())
    at = stored.next_attempt_at
    spoken = line("callback_soon", language) if at - now < SOON else \
        when(state.persona, at, now, language)
    await say(lead + line("callback_scheduled", language, when=spoken, digits=number[-4:]) + tail)
    return True
