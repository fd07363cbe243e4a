"""Digest auth on an inbound trunk: no credentials → 407, right credentials → answered."""

from __future__ import annotations

from pathlib import Path

from livekit import api as lkapi

from livekit_stack import LocalStack
from tests.live.rtc_helpers import direct_line
from tests.live.rtp_capture import open_ear
from tests.live.sipp_runner import Call, pause, place_call


async def test_trunk_with_digest_auth(
    live_stack: LocalStack, lk: lkapi.LiveKitAPI, artifacts_dir: Path
) -> None:
    async with direct_line(live_stack, lk, "auth", auth_username="carrier",
                           auth_password="s3cret-pass") as line:
        transport, ear, ear_port = await open_ear(live_stack.cfg.host)
        workdir = artifacts_dir / f"sipp-{line.room_name}"
        try:
            refused = await place_call(live_stack, Call(line.number, refused_with=407),
                                       workdir / "noauth", ear_port=ear_port)
            assert refused.returncode == 0, refused.stdout[-2000:] + refused.error_log
            assert refused.final_responses() == [407]
            assert not line.room.remote_participants

            wrong = await place_call(live_stack, Call(line.number, auth=("carrier", "wrong"),
                                                      steps=[pause(500)]),
                                     workdir / "wrong", ear_port=ear_port)
            # the re-INVITE with a bad password is refused, never answered
            assert wrong.returncode != 0
            assert wrong.final_responses()[:2] == [407, 401]
            assert 200 not in wrong.final_responses()

            answered = await place_call(live_stack, Call(line.number,
                                                         auth=("carrier", "s3cret-pass"),
                                                         steps=[pause(2000)]),
                                        workdir / "auth", ear_port=ear_port)
            assert answered.returncode == 0, answered.stdout[-2000:] + answered.error_log
            assert ear.heard_seconds() >= 0.5
        finally:
            transport.close()
