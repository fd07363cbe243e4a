"""Helpers for live tests that join rooms as real `livekit.rtc` participants."""

from __future__ import annotations

import asyncio
import math
import time
from collections.abc import Awaitable, Callable

import numpy as np
from livekit import api as lkapi
from livekit import rtc

from sip.stack import LocalStack

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
