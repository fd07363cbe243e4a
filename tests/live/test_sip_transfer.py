"""SIP cold transfer through the real livekit-sip: REFER reaches the phone with the target in
Refer-To; the phone's NOTIFY decides the outcome (200 = transferred, 603 = failed, call stays)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from livekit import api as lkapi
from livekit import rtc

from livekit_stack import LocalStack
from tests.live.rtc_helpers import Line, direct_line, wait_for
from tests.live.rtp_capture import open_ear
from tests.live.sipp_runner import Call, hang_up, pause, place_call, transferred

TARGET = "tel:+15559990000"


@pytest.fixture
async def line(live_stack: LocalStack, lk: lkapi.LiveKitAPI) -> AsyncIterator[Line]:
    async with direct_line(live_stack, lk, "xfer") as routed:
        yield routed


def _sip_identity(room: rtc.Room) -> str | None:
    return next((p.identity for p in room.remote_participants.values()
                 if p.kind == rtc.ParticipantKind.PARTICIPANT_KIND_SIP), None)


async def _transfer_when_connected(lk: lkapi.LiveKitAPI, line: Line) -> Exception | None:
    await wait_for(lambda: _sip_identity(line.room) is not None, "SIP participant", timeout=30)
    identity = _sip_identity(line.room)
    await wait_for(lambda: line.room.remote_participants[identity].attributes.get(
        "sip.callStatus") == "active", "call active", timeout=30)
    try:
        await lk.sip.transfer_sip_participant(lkapi.TransferSIPParticipantRequest(
            room_name=line.room_name, participant_identity=identity, transfer_to=TARGET,
            play_dialtone=False))
    except Exception as exc:  # the outcome under test
        return exc
    return None


async def test_refer_accepted_transfers_the_call(
    live_stack: LocalStack, lk: lkapi.LiveKitAPI, line: Line, artifacts_dir: Path
) -> None:
    transport, _ear, ear_port = await open_ear(live_stack.cfg.host)
    try:
        phone = asyncio.create_task(place_call(
            live_stack, Call(line.number, ending=transferred("200 OK")),
            artifacts_dir / f"sipp-{line.room_name}", ear_port=ear_port))
        error = await _transfer_when_connected(lk, line)
        result = await phone
    finally:
        transport.close()
    assert error is None
    assert result.returncode == 0, result.stdout[-2000:] + result.error_log
    assert result.header("REFER", "Refer-To") == [TARGET]
    # after the transfer livekit-sip hung up the caller and left the room
    await wait_for(lambda: _sip_identity(line.room) is None, "SIP participant gone", timeout=10)


async def test_refer_rejected_keeps_the_caller_connected(
    live_stack: LocalStack, lk: lkapi.LiveKitAPI, line: Line, artifacts_dir: Path
) -> None:
    transport, ear, ear_port = await open_ear(live_stack.cfg.host)
    try:
        stays = pause(3000) + hang_up()
        phone = asyncio.create_task(place_call(
            live_stack, Call(line.number, ending=transferred("603 Declined", after=stays)),
            artifacts_dir / f"sipp-{line.room_name}", ear_port=ear_port))
        error = await _transfer_when_connected(lk, line)
        heard_before = ear.loud_packets
        await wait_for(lambda: ear.loud_packets > heard_before + 25, "audio after the failed "
                       "transfer", timeout=10)
        assert _sip_identity(line.room) is not None  # still in the room
        result = await phone
    finally:
        transport.close()
    assert isinstance(error, lkapi.TwirpError), error
    assert result.returncode == 0, result.stdout[-2000:] + result.error_log
    assert len(result.received("REFER")) == 1
