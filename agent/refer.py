"""Moving the SIP caller elsewhere by REFER (to a human line or another department's number),
with the call's outcome settled even when the caller leaves first.

A carrier that accepts the transfer hangs up on us at once: the caller's leg may end, and the
session close, before LiveKit's answer to the transfer request reaches the agent. So the
request and its success (the event, the call's end reason) run in a task of their own that a
closing session does not cancel, and the call's record waits for it (`settled`)."""

from __future__ import annotations

import asyncio
import contextlib

from livekit import api
from livekit.agents import get_job_context

from agent.state import CallState

SETTLE_SECONDS = 20.0  # the longest a closing call waits for a transfer's answer


async def refer_caller(state: CallState, target: str, *, dialtone: bool, end_reason: str,
                       event: tuple[str, dict[str, object]],
                       headers: dict[str, str] | None = None) -> None:
    """Transfer the caller to `target`; on success record `event` and end with `end_reason`.

    Raises what the transfer request raised (the caller is still with us)."""
    job = get_job_context()
    request = api.TransferSIPParticipantRequest(
        room_name=job.room.name, participant_identity=state.sip_identity,
        transfer_to=target, play_dialtone=dialtone, headers=headers or {})

    async def transfer() -> None:
        await job.api.sip.transfer_sip_participant(request)
        kind, data = event
        state.record(kind, **data)
        state.end_reason = end_reason

    state.transfer = asyncio.create_task(transfer())
    await asyncio.shield(state.transfer)


async def settled(state: CallState) -> None:
    """Wait (bounded) for a transfer under way to succeed or fail."""
    if state.transfer is not None:
        with contextlib.suppress(Exception):
            await asyncio.wait_for(asyncio.shield(state.transfer), SETTLE_SECONDS)
