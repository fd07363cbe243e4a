"""Smoke test (d): sipp places a real SIP call through livekit-sip into a LiveKit room."""

from __future__ import annotations

import asyncio
import uuid
from pathlib import Path

from livekit import api as lkapi
from livekit import rtc

from sip.stack import LocalStack
from tests.live.rtc_helpers import join, publish_tone, wait_for
from tests.live.rtp_capture import open_ear
from tests.live.sipp_runner import Call, dtmf, pause, place_call


async def test_sipp_call_reaches_room_as_sip_participant(
    live_stack: LocalStack, lk: lkapi.LiveKitAPI, artifacts_dir: Path
) -> None:
    number = "+15550100" + uuid.uuid4().hex[:3].translate(str.maketrans("abcdef", "123456"))
    room_name = f"sipcall-{uuid.uuid4().hex[:8]}"
    trunk = await lk.sip.create_inbound_trunk(lkapi.CreateSIPInboundTrunkRequest(
        trunk=lkapi.SIPInboundTrunkInfo(name="smoke-sip", numbers=[number])))
    rule = await lk.sip.create_dispatch_rule(lkapi.CreateSIPDispatchRuleRequest(
        dispatch_rule=lkapi.SIPDispatchRuleInfo(
            name="smoke-sip-direct", trunk_ids=[trunk.sip_trunk_id],
            rule=lkapi.SIPDispatchRule(dispatch_rule_direct=lkapi.SIPDispatchRuleDirect(
                room_name=room_name)))))

    # livekit-sip answers (200 OK) only once someone in the room publishes audio.
    answerer = await join(live_stack, room_name, "answerer")
    stop = asyncio.Event()
    tone = asyncio.create_task(publish_tone(answerer, stop))
    seen: dict[str, rtc.RemoteParticipant] = {}
    digits: list[str] = []
    answerer.on("sip_dtmf_received", lambda event: digits.append(event.digit))

    @answerer.on("participant_connected")
    def _joined(p: rtc.RemoteParticipant) -> None:
        seen[p.identity] = p

    ear_transport, ear, ear_port = await open_ear(live_stack.cfg.host)
    try:
        script = Call(number, steps=[pause(1500), dtmf("2"), pause(2500)])
        call = asyncio.create_task(place_call(live_stack, script,
                                              artifacts_dir / f"sipp-{room_name}",
                                              ear_port=ear_port))
        await wait_for(lambda: any(p.kind == rtc.ParticipantKind.PARTICIPANT_KIND_SIP
                                   for p in seen.values()) or call.done(),
                       "a SIP participant in the room", timeout=30)
        sip_participants = [p for p in seen.values()
                            if p.kind == rtc.ParticipantKind.PARTICIPANT_KIND_SIP]
        assert sip_participants, f"no SIP participant joined; sipp: {call.result()}"
        (caller,) = sip_participants
        assert caller.identity == "sip_+15551230000"
        assert caller.attributes.get("sip.trunkPhoneNumber") == number
        assert caller.attributes.get("sip.phoneNumber") == "+15551230000"

        result = await call
        assert result.returncode == 0, f"sipp failed: {result.stdout[-2000:]}\n{result.error_log}"
        # RFC 2833 DTMF from the phone reaches the room as an event.
        assert digits == ["2"]
        # The caller heard the room: the answerer's tone came back as non-silent PCMU.
        assert ear.payload_types >= {0}
        assert ear.heard_seconds() >= 1.0, f"{ear.packets} packets, {ear.loud_packets} loud"
    finally:
        ear_transport.close()
        stop.set()
        await tone
        await answerer.disconnect()
        await lk.sip.delete_dispatch_rule(lkapi.DeleteSIPDispatchRuleRequest(
            sip_dispatch_rule_id=rule.sip_dispatch_rule_id))
        await lk.sip.delete_trunk(lkapi.DeleteSIPTrunkRequest(sip_trunk_id=trunk.sip_trunk_id))
