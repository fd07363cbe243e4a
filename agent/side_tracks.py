"""Audio tracks the agent publishes besides its voice, for one listener each (track
subscription permissions decide who): hold music for a caller who waits, a briefing for the
colleague who is about to take the call.

Hold music is generated here (a soft arpeggio, nothing downloaded); a briefing is the
persona's TTS voice pushed into its own track, so it never reaches the caller's ear."""

from __future__ import annotations

import asyncio
import math

import numpy as np
from livekit import rtc
from livekit.agents import tts

HOLD_RATE = 16000
FRAME_MS = 20
# C major, E, G, E: one note per 400 ms with a soft attack and release, then a rest
HOLD_NOTES = (523.25, 659.25, 783.99, 659.25, 0.0)
NOTE_SECONDS = 0.4
HOLD_LEVEL = 0.12  # of full scale: background, not a test tone


def hold_music() -> list[rtc.AudioFrame]:
    """One loop of hold music as 20 ms frames."""
    per_note = int(HOLD_RATE * NOTE_SECONDS)
    t = np.arange(per_note) / HOLD_RATE
    envelope = np.minimum(1.0, np.minimum(t, NOTE_SECONDS - t) / 0.05)
    samples = np.concatenate([
        HOLD_LEVEL * envelope * (np.sin(2 * math.pi * f * t) + 0.3 * np.sin(4 * math.pi * f * t))
        if f else np.zeros(per_note) for f in HOLD_NOTES])
    pcm = (np.clip(samples, -1, 1) * 32767).astype(np.int16)
    step = HOLD_RATE * FRAME_MS // 1000
    return [rtc.AudioFrame(pcm[i:i + step].tobytes(), HOLD_RATE, 1, step)
            for i in range(0, len(pcm) - step + 1, step)]


class SideTrack:
    """One published audio track of the agent's, with its own source."""

    def __init__(self, room: rtc.Room, name: str, sample_rate: int, channels: int = 1):
        self.room = room
        self.name = name
        self.source = rtc.AudioSource(sample_rate, channels)
        self.publication: rtc.LocalTrackPublication | None = None
        self._player: asyncio.Task[None] | None = None

    @property
    def sid(self) -> str:
        assert self.publication is not None
        return self.publication.sid

    async def publish(self) -> str:
        track = rtc.LocalAudioTrack.create_audio_track(self.name, self.source)
        self.publication = await self.room.local_participant.publish_track(
            track, rtc.TrackPublishOptions(source=rtc.TrackSource.SOURCE_MICROPHONE))
        return self.sid

    def loop(self, frames: list[rtc.AudioFrame]) -> None:
        """Play `frames` over and over (the source paces it) until stopped."""
        async def play() -> None:
            while True:
                for frame in frames:
                    await self.source.capture_frame(frame)
        self._player = asyncio.create_task(play(), name=f"{self.name}-loop")

    async def speak(self, voice: tts.TTS, text: str) -> None:
        """Say `text` with `voice` into this track and wait until it has been played."""
        async for audio in voice.synthesize(text):
            await self.source.capture_frame(audio.frame)
        await self.source.wait_for_playout()

    async def close(self) -> None:
        if self._player is not None:
            self._player.cancel()
            await asyncio.gather(self._player, return_exceptions=True)
        if self.publication is not None:
            try:
                await self.room.local_participant.unpublish_track(self.publication.sid)
            except Exception:  # the room is gone already
                pass
            self.publication = None
        await self.source.aclose()
