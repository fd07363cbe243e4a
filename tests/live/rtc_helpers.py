"""Helpers for live tests that join rooms as real `livekit.rtc` participants."""

from __future__ import annotations

import asyncio
import math
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass

import numpy as np
from livekit import api as lkapi
from livekit import rtc

from livekit_stack import LocalStack

SAMPLE_RATE = 48000


def token(stack: LocalStack, room: str, identity: str) -> str:
    cfg = stack.cfg
    return (lkapi.AccessToken(cfg.api_key, cfg.api_secret).with_identity(identity)
            .with_grants(lkapi.VideoGrants(room_join=True, room=room)).to_jwt())


async def join(stack: LocalStack, room_name: str, identity: str) -> rtc.Room:
    room = rtc.Room()
    await room.connect(stack.cfg.livekit_url, token(stack, room_name, identity))
    return room


async def publish_tone(room: rtc.Room, stop: asyncio.Event, freq: float = 440.0) -> None:
    """Publish a sine tone as a microphone track until `stop` is set."""
    source = rtc.AudioSource(SAMPLE_RATE, 1)
    track = rtc.LocalAudioTrack.create_audio_track("tone", source)
    await room.local_participant.publish_track(
        track, rtc.TrackPublishOptions(source=rtc.TrackSource.SOURCE_MICROPHONE))
    samples = SAMPLE_RATE // 100  # 10 ms frames
    t = 0
    while not stop.is_set():
        idx = np.arange(t, t + samples)
        data = (0.3 * 32767 * np.sin(2 * math.pi * freq * idx / SAMPLE_RATE)).astype(np.int16)
        frame = rtc.AudioFrame(data.tobytes(), SAMPLE_RATE, 1, samples)
        await source.capture_frame(frame)
        t += samples


def rms(frame: rtc.AudioFrame) -> float:
    data = np.frombuffer(frame.data, dtype=np.int16).astype(np.float64)
    return float(np.sqrt(np.mean(data**2))) if data.size else 0.0


async def wait_for(check: Callable[[], bool | Awaitable[bool]], what: str,
                   timeout: float = 20.0, interval: float = 0.1) -> None:
    """Poll a (sync or async) condition until true or fail after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = check()
        if isinstance(result, Awaitable):
            result = await result
        if result:
            return
        await asyncio.sleep(interval)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


@dataclass
class Line:
    """A number routed straight to one room where a participant publishes a tone."""
    number: str
    room_name: str
    room: rtc.Room


@asynccontextmanager
async def direct_line(stack: LocalStack, lk: lkapi.LiveKitAPI, prefix: str,
                      **trunk: object) -> AsyncIterator[Line]:
    """An inbound trunk (`trunk` = extra SIPInboundTrunkInfo fields, e.g. auth) for a fresh
    number, a direct dispatch rule to a fresh room, and an answerer publishing audio there
    (livekit-sip sends 200 OK only once someone in the room publishes audio)."""
    number = "+1555" + str(uuid.uuid4().int)[:7]
    room_name = f"{prefix}-{uuid.uuid4().hex[:8]}"
    created = await lk.sip.create_inbound_trunk(lkapi.CreateSIPInboundTrunkRequest(
        trunk=lkapi.SIPInboundTrunkInfo(name=prefix, numbers=[number], **trunk)))
    rule = await lk.sip.create_dispatch_rule(lkapi.CreateSIPDispatchRuleRequest(
        dispatch_rule=lkapi.SIPDispatchRuleInfo(
            name=prefix, trunk_ids=[created.sip_trunk_id],
            rule=lkapi.SIPDispatchRule(dispatch_rule_direct=lkapi.SIPDispatchRuleDirect(
                room_name=room_name)))))
    room = await join(stack, room_name, "answerer")
    stop = asyncio.Event()
    tone = asyncio.create_task(publish_tone(room, stop))
    try:
        yield Line(number, room_name, room)
    finally:
        stop.set()
        await tone
        await room.disconnect()
        await lk.sip.delete_dispatch_rule(lkapi.DeleteSIPDispatchRuleRequest(
            sip_dispatch_rule_id=rule.sip_dispatch_rule_id))
        await lk.sip.delete_trunk(lkapi.DeleteSIPTrunkRequest(
            sip_trunk_id=created.sip_trunk_id))
