"""Smoke test (c): WebRTC media really flows through the local livekit-server."""

from __future__ import annotations

import asyncio
import uuid

from livekit import rtc

from livekit_stack import LocalStack
from tests.live.rtc_helpers import join, publish_tone, rms, wait_for


async def test_tone_published_by_one_participant_is_heard_by_another(
    live_stack: LocalStack,
) -> None:
    room_name = f"media-{uuid.uuid4().hex[:8]}"
    speaker = await join(live_stack, room_name, "speaker")
    listener = await join(live_stack, room_name, "listener")
    stop = asyncio.Event()
    loud_frames = 0
    subscribed: asyncio.Future[rtc.RemoteAudioTrack] = asyncio.get_running_loop().create_future()

    @listener.on("track_subscribed")
    def _on_track(track, _pub, participant):  # type: ignore[no-untyped-def]
        if participant.identity == "speaker" and not subscribed.done():
            subscribed.set_result(track)

    tone = asyncio.create_task(publish_tone(speaker, stop))
    try:
        track = await asyncio.wait_for(subscribed, timeout=20)
        stream = rtc.AudioStream(track, sample_rate=48000, num_channels=1)

        async def count_loud() -> None:
            nonlocal loud_frames
            async for event in stream:
                if rms(event.frame) > 1000:
                    loud_frames += 1

        reader = asyncio.create_task(count_loud())
        await wait_for(lambda: loud_frames >= 50, "50 non-silent 10ms frames", timeout=20)
        reader.cancel()
        await stream.aclose()
    finally:
        stop.set()
        await tone
        await speaker.disconnect()
        await listener.disconnect()
    assert loud_frames >= 50
