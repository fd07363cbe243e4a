"""Digest auth on an inbound trunk: no credentials → 407, right credentials → answered."""

from __future__ import annotations

import asyncio
import uuid
from pathlib import Path

from livekit import api as lkapi

from sip.stack import LocalStack
from tests.live.rtc_helpers import join, publish_tone
from tests.live.rtp_capture import open_ear
from tests.live.sipp_runner import Call, pause, place_call


async def test_trunk_with_digest_auth(
    live_stack: LocalStack, lk: lkapi.LiveKitAPI, artifacts_dir: Path
) -> None:
    number = "+1555030" + str(uuid.uuid4().int)[:4]
    room_name = f"auth-{uuid.uuid4().hex[:8]}"
    trunk = await lk.sip.create_inbound_trunk(lkapi.CreateSIPInboundTrunkRequest(
        trunk=lkapi.SIPInboundTrunkInfo(name="auth", numbers=[number],
                                        auth_username="carrier", auth_password="s3cret-pass")))
    rule = await lk.sip.create_dispatch_rule(lkapi.CreateSIPDispatchRuleRequest(
        dispatch_rule=lkapi.SIPDispatchRuleInfo(
            name="auth", trunk_ids=[trunk.sip_trunk_id],
            rule=lkapi.SIPDispatchRule(dispatch_rule_direct=lkapi.SIPDispatchRuleDirect(
                room_name=room_name)))))
    room = await join(live_stack, room_name, "operator")
    stop = asyncio.Event()
    tone = asyncio.create_task(publish_tone(room, stop))
    transport, ear, ear_port = await open_ear(live_stack.cfg.host)
    try:
        refused = await place_call(live_stack, Call(number, refused_with=407),
                                   artifacts_dir / f"sipp-{room_name}-noauth", ear_port=ear_port)
        assert refused.returncode == 0, refused.stdout[-2000:] + refused.error_log
        assert refused.final_responses() == [407]
        assert not room.remote_participants

        wrong = await place_call(live_stack, Call(number, auth=("carrier", "wrong"),
                                                  refused_with=None, steps=[pause(500)]),
                                 artifacts_dir / f"sipp-{room_name}-wrong", ear_port=ear_port)
        # the re-INVITE with a bad password is refused, never answered
        assert wrong.returncode != 0
        assert wrong.final_responses()[:2] == [407, 401]
        assert 200 not in wrong.final_responses()

        answered = await place_call(live_stack, Call(number, auth=("carrier", "s3cret-pass"),
                                                     steps=[pause(2000)]),
                                    artifacts_dir / f"sipp-{room_name}-auth", ear_port=ear_port)
        assert answered.returncode == 0, answered.stdout[-2000:] + answered.error_log
        assert ear.heard_seconds() >= 0.5
    finally:
        transport.close()
        stop.set()
        await tone
        await room.disconnect()
        await lk.sip.delete_dispatch_rule(lkapi.DeleteSIPDispatchRuleRequest(
            sip_dispatch_rule_id=rule.sip_dispatch_rule_id))
        await lk.sip.delete_trunk(lkapi.DeleteSIPTrunkRequest(sip_trunk_id=trunk.sip_trunk_id))
