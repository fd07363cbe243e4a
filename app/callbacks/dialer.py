"""Placing one callback attempt: a room whose dispatch runs the department's persona with the
callback's ids (the persona greets "calling you back about ..." and goes on from the
original call's last turns: agent/callback_call.py), then CreateSIPParticipant through the
department's callback trunk, waiting for the answer. A refused or unanswered call maps to
busy / declined / no_answer / failed (core/outbound.py); its room is deleted."""

from __future__ import annotations

import asyncio
import json
import logging
import secrets
import time

from livekit import api

from app.callbacks.claims import AGENT_WAIT_SECONDS, Claimed, finish
from core import clock
from core.config import Settings
from core.db import session_scope
from core.outbound import call_request, dial_outcome
from core.pii import redact_numbers
from sip.provisioning.sync import livekit_client

log = logging.getLogger(__name__)
ROOM_EMPTY_TIMEOUT = 60  # a callback room nobody joins goes away on its own


class NotPlaced(Exception):
    """The call was not placed (no trunk, no agent): a failed attempt."""


async def _wait_for_agent(lk: api.LiveKitAPI, room: str) -> None:
    deadline = time.monotonic() + AGENT_WAIT_SECONDS
    while time.monotonic() < deadline:
        people = await lk.room.list_participants(api.ListParticipantsRequest(room=room))
        if any(p.kind == api.ParticipantInfo.Kind.AGENT for p in people.participants):
            return
        await asyncio.sleep(0.2)
    raise NotPlaced(f"no agent joined the room within {AGENT_WAIT_SECONDS} s")


async def _dial(lk: api.LiveKitAPI, settings: Settings, claimed: Claimed, room: str) -> None:
    if not claimed.trunk:
        raise NotPlaced(f"department {claimed.department} has no synced callback trunk "
                        "(callback_trunk_id)")
    metadata = json.dumps({"source": "callback", "callback_id": claimed.callback_id,
                           "department": claimed.department, "language": claimed.language})
    await lk.room.create_room(api.CreateRoomRequest(
        name=room, empty_timeout=ROOM_EMPTY_TIMEOUT,
        agents=[api.RoomAgentDispatch(agent_name=settings.agent_name, metadata=metadata)]))
    await _wait_for_agent(lk, room)
    await lk.sip.create_sip_participant(call_request(
        trunk_id=claimed.trunk, to=claimed.number, room=room,
        identity=f"callee-{claimed.callback_id}-{claimed.attempt}", name="callback",
        ring_seconds=settings.callback_ring_seconds,
        attributes={"cc.callback_id": str(claimed.callback_id)}))


async def place(settings: Settings, claimed: Claimed) -> None:
    """One attempt, start to end; never raises (the outcome is written back)."""
    room = f"callback-{claimed.department}_{secrets.token_hex(6)}"
    result, status, error = "answered", None, None
    async with livekit_client(settings) as lk:
        try:
            await _dial(lk, settings, claimed, room)
        except Exception as exc:
            result, status = ("failed", None) if isinstance(exc, NotPlaced) else \
                dial_outcome(exc)
            error = redact_numbers(str(exc))[:500]
            try:
                await lk.room.delete_room(api.DeleteRoomRequest(room=room))
            except Exception:  # never created, or gone
                pass

    def write() -> str | None:
        with session_scope() as session:
            return finish(session, claimed, clock.now(), settings, result=result,
                          sip_status=status, error=error, room=room)

    outcome = await asyncio.to_thread(write)
    log.info("callback %d attempt %d: %s%s -> %s", claimed.callback_id, claimed.attempt,
             result, f" (SIP {status})" if status else "", outcome or "left as it was")
