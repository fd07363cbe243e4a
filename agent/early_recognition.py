"""Speech recognition that starts while the caller's silence is still being timed.

Whisper is not streaming. livekit's StreamAdapter waits for Silero VAD's end of speech
(VAD_MIN_SILENCE_SECONDS of silence) and only then sends the utterance, so a caller waited
for the silence and then for the recognition, one after the other (bench/README.md, voice
turns). Here the utterance is sent as soon as the caller has been silent for
SPEECH_EARLY_SECONDS. If the VAD then declares the end of speech with no sound in between,
that transcript is the turn's (the audio it lacks is silence); if the caller goes on, it is
dropped and the utterance is recognised again, whole, when it does end. The cost is a
recognition thrown away at each pause longer than SPEECH_EARLY_SECONDS inside a turn.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterable
from typing import Any

from livekit import rtc
from livekit.agents import APIConnectOptions, stt, utils, vad
from livekit.agents.types import DEFAULT_API_CONNECT_OPTIONS, NOT_GIVEN, NotGivenOr

from agent.logs import log
from agent.speech import CallListener


class EarlyRecognition(stt.STT):
    """A streaming face for a call's (non-streaming) recogniser: its own Silero VAD stream
    segments the caller's audio, as livekit's StreamAdapter does, and recognition of each
    utterance begins `early_after` seconds into the silence that may end it."""

    def __init__(self, listener: CallListener, vad_model: vad.VAD, *, early_after: float
                 ) -> None:
        super().__init__(capabilities=stt.STTCapabilities(streaming=True,
                                                          interim_results=False))
        self.listener = listener
        self.vad = vad_model
        self.early_after = early_after
        listener.on("metrics_collected", lambda metrics: self.emit("metrics_collected", metrics))

    @property
    def model(self) -> str:
        return self.listener.model

    @property
    def provider(self) -> str:
        return self.listener.provider

    async def _recognize_impl(self, buffer: utils.AudioBuffer, *,
                              language: NotGivenOr[str] = NOT_GIVEN,
                              conn_options: APIConnectOptions = DEFAULT_API_CONNECT_OPTIONS
                              ) -> stt.SpeechEvent:
        return await self.listener.recognize(buffer, conn_options=conn_options)

    def stream(self, *, language: NotGivenOr[str] = NOT_GIVEN,
               conn_options: APIConnectOptions = DEFAULT_API_CONNECT_OPTIONS
               ) -> stt.RecognizeStream:
        return _EarlyStream(self, conn_options=conn_options)


class _Utterance:
    """The audio of the utterance being spoken and its early recognition, if one started."""

    def __init__(self, frames: list[rtc.AudioFrame]) -> None:
        self.frames = list(frames)
        self.early: asyncio.Task[stt.SpeechEvent] | None = None
        self.early_at: float | None = None
        self.dropped = 0  # early recognitions the caller spoke over

    def drop_early(self) -> None:
        if self.early is not None:
            self.early.cancel()
            self.dropped += 1
        self.early = self.early_at = None


class _EarlyStream(stt.RecognizeStream):
    def __init__(self, owner: EarlyRecognition, *, conn_options: APIConnectOptions) -> None:
        super().__init__(stt=owner, conn_options=conn_options)
        self._owner = owner
        self._listener = owner.listener

    async def _metrics_monitor_task(self, event_aiter: AsyncIterable[stt.SpeechEvent]) -> None:
        async for _ in event_aiter:  # the recogniser reports each recognition's own metrics
            pass

    async def _run(self) -> None:
        vad_stream = self._owner.vad.stream()

        async def forward() -> None:
            async for item in self._input_ch:
                if isinstance(item, self._FlushSentinel):
                    vad_stream.flush()
                else:
                    vad_stream.push_frame(item)
            vad_stream.end_input()

        tasks = [asyncio.create_task(forward(), name="early-recognition-input"),
                 asyncio.create_task(self._segment(vad_stream), name="early-recognition")]
        try:
            await asyncio.gather(*tasks)
        finally:
            await utils.aio.cancel_and_wait(*tasks)
            await vad_stream.aclose()

    async def _segment(self, vad_stream: vad.VADStream) -> None:
        utterance: _Utterance | None = None
        try:
            async for ev in vad_stream:
                if ev.type == vad.VADEventType.START_OF_SPEECH:
                    if utterance is not None:
                        utterance.drop_early()
                    utterance = _Utterance(ev.frames)  # prefix padding + speech so far
                    self._event_ch.send_nowait(
                        stt.SpeechEvent(stt.SpeechEventType.START_OF_SPEECH))
                elif ev.type == vad.VADEventType.INFERENCE_DONE:
                    if utterance is not None and ev.speaking:
                        self._listen_on(utterance, ev)
                elif ev.type == vad.VADEventType.END_OF_SPEECH:
                    ended, utterance = utterance, None
                    await self._end(ev, ended)
        finally:
            if utterance is not None:
                utterance.drop_early()

    def _listen_on(self, utterance: _Utterance, ev: vad.VADEvent) -> None:
        """One more window of the utterance. `raw_accumulated_silence` is the silence before
        this window: 0 means the caller spoke again, which makes an early transcript stale."""
        utterance.frames.extend(ev.frames)
        if ev.raw_accumulated_silence <= 0.0:
            utterance.drop_early()
        elif utterance.early is None and ev.raw_accumulated_silence >= self._owner.early_after:
            utterance.early_at = time.time()
            utterance.early = asyncio.create_task(
                self._listener.hear(utils.merge_frames(utterance.frames)),
                name="early-recognition-request")

    async def _end(self, ev: vad.VADEvent, utterance: _Utterance | None) -> None:
        detected_at = time.time()
        speech_end_time = detected_at - ev.silence_duration - ev.inference_duration
        self._event_ch.send_nowait(stt.SpeechEvent(
            type=stt.SpeechEventType.END_OF_SPEECH, speech_end_time=speech_end_time))
        early = utterance.early if utterance is not None else None
        started = utterance.early_at if early is not None and utterance else detected_at
        if early is not None:
            event = await early
        else:
            event = await self._listener.hear(utils.merge_frames(ev.frames))
        self._listener.accept(event)
        ready_at = time.time()
        log.info("utterance recognised", extra={
            "utterance": {"early": early is not None, "detected_at": detected_at,
                          "sent_at": started, "ready_at": ready_at,
                          "dropped": utterance.dropped if utterance is not None else 0,
                          "speech_seconds": round(ev.speech_duration, 3)}})
        spoken = event.alternatives[0] if event.alternatives else None
        if spoken is None or not spoken.text:
            return
        self._event_ch.send_nowait(stt.SpeechEvent(
            type=stt.SpeechEventType.FINAL_TRANSCRIPT, alternatives=[spoken],
            speech_end_time=speech_end_time))


def early_recognition(listener: CallListener | None, vad_model: Any, early_after: float
                      ) -> stt.STT | None:
    """The session's recogniser: early recognition when the call hears speech and the early
    point comes before the VAD's end of speech; the plain recogniser otherwise (livekit
    wraps it in its StreamAdapter)."""
    if listener is None or vad_model is None:
        return listener
    if not 0.0 < early_after < vad_model.min_silence_duration:
        return listener
    return EarlyRecognition(listener, vad_model, early_after=early_after)
