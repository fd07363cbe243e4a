"""Smoke test (d): sipp places a real SIP call through livekit-sip into a LiveKit room."""

from __future__ import annotations

import asyncio
from pathlib import Path

from livekit import api as lkapi
from livekit import rtc

from livekit_stack import LocalStack
from tests.live.rtc_helpers import direct_line, wait_for
from tests.live.rtp_capture import open_ear
from tests.live.sipp_runner import Call, dtmf, pause, place_call


def _sip_participants(room: rtc.Room) -> list[rtc.RemoteParticipant]:
    return [p for p in room.remote_participants.values()
            if p.kind == rtc.ParticipantKind.PARTICIPANT_KIND_SIP]


async def test_sipp_call_reaches_room_as_sip_participant(
    live_stack: LocalStack, lk: lkapi.LiveKitAPI, artifacts_dir: Path
) -> None:
    async with direct_line(live_stack, lk, "sipcall") as line:
        digits: list[str] = []
        line.room.on("sip_dtmf_received", lambda event: digits.append(event.digit))
        ear_transport, ear, ear_port = await open_ear(live_stack.cfg.host)
        try:
            script = Call(line.number, steps=[pause(1500), dtmf("2"), pause(2500)])
            call = asyncio.create_task(place_call(live_stack, script,
                                                  artifacts_dir / f"sipp-{line.room_name}",
                                                  ear_port=ear_port))
            await wait_for(lambda: bool(_sip_participants(line.room)) or call.done(),
                           "a SIP participant in the room", timeout=30)
            sip_participants = _sip_participants(line.room)
            assert sip_participants, f"no SIP participant joined; sipp: {call.result()}"
            (caller,) = sip_participants
            assert caller.identity == "sip_+15551230000"
            assert caller.attributes.get("sip.trunkPhoneNumber") == line.number
            assert caller.attributes.get("sip.phoneNumber") == "+15551230000"

            result = await call
            assert result.returncode == 0, \
                f"sipp failed: {result.stdout[-2000:]}\n{result.error_log}"
            # RFC 2833 DTMF from the phone reaches the room as an event.
            assert digits == ["2"]
            # The caller heard the room: the answerer's tone came back as non-silent PCMU.
            assert ear.payload_types >= {0}
            assert ear.heard_seconds() >= 1.0, f"{ear.packets} packets, {ear.loud_packets} loud"
        finally:
            ear_transport.close()
