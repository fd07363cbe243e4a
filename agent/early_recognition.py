"""Speech recognition that starts while the caller's silence is still being timed.

Whisper is not streaming. livekit's StreamAdapter waits for Silero VAD's end of speech
(VAD_MIN_SILENCE_SECONDS of silence) and only then sends the utterance, so a caller waited
for the silence and then for the recognition, one after the other (bench/README.md, voice
turns). Here the utterance is sent as soon as the caller has been silent for
SPEECH_EARLY_SECONDS. If the VAD then declares the end of speech with no sound in between,
that transcript is the turn's (the audio it lacks is silence); if the caller goes on, it is
dropped and the utterance is recognised again, whole, when it does end. The cost is a
recognition thrown away at each pause longer than SPEECH_EARLY_SECONDS inside a turn.

Words that are complete end the turn sooner. When the early transcript is back while the
caller is still silent and `complete` says its words already ask for something (the call's
understanding has a confident meaning for them: a department, an answer, a person), the turn
is given to the session at once instead of at the VAD's end of speech; words that are not
(a phrase broken off, a filler) keep the whole VAD_MIN_SILENCE_SECONDS to go on. Should the
caller go on after all, what follows is a new utterance.

While the call's language is still being identified, the words' first `identify_after`
seconds are identified as they are spoken (CallListener.early_language); when that is sure,
the utterance is transcribed in its language without being identified again.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterable, Callable
from typing import Any

from livekit import rtc
from livekit.agents import APIConnectOptions, stt, utils, vad
from livekit.agents.types import DEFAULT_API_CONNECT_OPTIONS, NOT_GIVEN, NotGivenOr

from agent.logs import log
from agent.speech import CallListener

# audio kept before words that follow a turn ended early: the VAD notices speech a little
# after it begins
RESUME_PADDING_SECONDS = 0.3


class EarlyRecognition(stt.STT):
    """A streaming face for a call's (non-streaming) recogniser: its own Silero VAD stream
    segments the caller's audio, as livekit's StreamAdapter does, and recognition of each
    utterance begins `early_after` seconds into the silence that may end it."""

    def __init__(self, listener: CallListener, vad_model: vad.VAD, *, early_after: float,
                 complete: Callable[[str], bool] | None = None,
                 identify_after: float = 0.0) -> None:
        super().__init__(capabilities=stt.STTCapabilities(streaming=True,
                                                          interim_results=False))
        self.listener = listener
        self.vad = vad_model
        self.early_after = early_after
        self.complete = complete  # words that need no more: their turn ends at once
        self.identify_after = identify_after  # speech before the words' language is asked
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
        self.silent_since: float | None = None  # when the silence of the early point began
        self.dropped = 0  # early recognitions the caller spoke over
        self.given = False  # its words were complete: the session has them already
        self.closed = False  # the VAD ended it
        self.resumed = False  # the caller went on after a turn that ended early
        self.language: asyncio.Task[str | None] | None = None  # identified while spoken

    async def sure_language(self) -> str | None:
        """The language its early identification was sure of, once that is back."""
        if self.language is None:
            return None
        try:
            return await asyncio.shield(self.language)
        except asyncio.CancelledError:
            if self.language.cancelled():  # the stream closed; a cancelled caller re-raises
                return None
            raise

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
        self._watchers: set[asyncio.Task[Any]] = set()

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
                    utterance = self._begin(ev.frames)  # prefix padding + speech so far
                elif ev.type == vad.VADEventType.INFERENCE_DONE:
                    if utterance is not None and ev.speaking:
                        utterance = self._listen_on(utterance, ev)
                elif ev.type == vad.VADEventType.END_OF_SPEECH:
                    ended, utterance = utterance, None
                    await self._end(ev, ended)
        finally:
            if utterance is not None:
                utterance.drop_early()
            await utils.aio.cancel_and_wait(*self._watchers)

    def _begin(self, frames: list[rtc.AudioFrame]) -> _Utterance:
        self._event_ch.send_nowait(stt.SpeechEvent(stt.SpeechEventType.START_OF_SPEECH))
        return _Utterance(frames)

    def _listen_on(self, utterance: _Utterance, ev: vad.VADEvent) -> _Utterance:
        """One more window of the utterance (the one it continues in). `raw_accumulated_silence`
        is the silence before this window: 0 means the caller spoke again, which makes an
        early transcript stale, or, after words the session already has, begins new words."""
        utterance.frames.extend(ev.frames)
        if utterance.given:
            if ev.raw_accumulated_silence > 0.0:
                return utterance
            following = self._begin(_tail(utterance.frames, RESUME_PADDING_SECONDS))
            following.resumed = True
            return following
        self._identify_if_due(utterance, ev.speech_duration)
        if ev.raw_accumulated_silence <= 0.0:
            utterance.drop_early()
        elif utterance.early is None and ev.raw_accumulated_silence >= self._owner.early_after:
            utterance.early_at = time.time()
            utterance.silent_since = utterance.early_at - ev.raw_accumulated_silence
            utterance.early = asyncio.create_task(
                self._hear(utterance, utterance.frames), name="early-recognition-request")
            if self._owner.complete is not None:
                watcher = asyncio.create_task(self._give_if_complete(utterance),
                                              name="early-recognition-complete")
                self._watchers.add(watcher)
                watcher.add_done_callback(self._watchers.discard)
        return utterance

    def _identify_if_due(self, utterance: _Utterance, spoken: float) -> None:
        """Ask the language of the words once they have gone on `identify_after` seconds,
        while the call's is still being identified."""
        after = self._owner.identify_after
        if utterance.language is not None or after <= 0.0 or spoken < after \
                or not self._listener.identifies_early:
            return
        utterance.language = asyncio.create_task(
            self._listener.early_language(utils.merge_frames(utterance.frames)),
            name="early-language")
        self._watchers.add(utterance.language)
        utterance.language.add_done_callback(self._watchers.discard)

    async def _hear(self, utterance: _Utterance | None, frames: list[rtc.AudioFrame]
                    ) -> stt.SpeechEvent:
        language = await utterance.sure_language() if utterance is not None else None
        return await self._listener.hear(utils.merge_frames(frames), language=language)

    async def _give_if_complete(self, utterance: _Utterance) -> None:
        """End the turn on the early transcript if its words are complete and the caller is
        still silent (nothing dropped it, the VAD has not ended it)."""
        early = utterance.early
        if early is None:
            return
        await asyncio.wait([early])
        if early.cancelled() or utterance.early is not early or utterance.closed:
            return
        event = early.result()
        spoken = event.alternatives[0] if event.alternatives else None
        if spoken is None or not spoken.text.strip() or not self._complete(spoken.text):
            return
        utterance.given = True
        self._give(event, utterance, detected_at=time.time(),
                   speech_end_time=utterance.silent_since or time.time(), complete=True)

    def _complete(self, text: str) -> bool:
        """The owner's judgement; one that fails leaves the turn to the VAD, as before."""
        try:
            return self._owner.complete is not None and self._owner.complete(text)
        except Exception as exc:
            log.warning("could not tell whether the words are complete: %s",
                        type(exc).__name__)
            return False

    async def _end(self, ev: vad.VADEvent, utterance: _Utterance | None) -> None:
        if utterance is not None:
            utterance.closed = True
            if utterance.given:  # the session has its words: the silence that followed ends
                return
        detected_at = time.time()
        speech_end_time = detected_at - ev.silence_duration - ev.inference_duration
        early = utterance.early if utterance is not None else None
        if early is not None:
            event = await early
        else:
            audio = utterance.frames if utterance is not None and utterance.resumed \
                else ev.frames
            event = await self._hear(utterance, audio)
        self._give(event, utterance, detected_at=detected_at, speech_end_time=speech_end_time,
                   complete=False)

    def _give(self, event: stt.SpeechEvent, utterance: _Utterance | None, *,
              detected_at: float, speech_end_time: float, complete: bool) -> None:
        """The utterance's end and transcript, to the session; `complete`: ended early on
        complete words, not by the VAD."""
        self._event_ch.send_nowait(stt.SpeechEvent(
            type=stt.SpeechEventType.END_OF_SPEECH, speech_end_time=speech_end_time))
        self._listener.accept(event)
        early = utterance is not None and utterance.early is not None
        log.info("utterance recognised", extra={
            "utterance": {"early": early, "complete": complete, "detected_at": detected_at,
                          "sent_at": utterance.early_at if early and utterance else detected_at,
                          "ready_at": time.time(),
                          "dropped": utterance.dropped if utterance is not None else 0,
                          "identified_early": _done(utterance.language)
                          if utterance is not None else None,
                          "audio_seconds": round(sum(f.duration for f in utterance.frames), 3)
                          if utterance is not None else 0.0}})
        spoken = event.alternatives[0] if event.alternatives else None
        if spoken is None or not spoken.text:
            return
        self._event_ch.send_nowait(stt.SpeechEvent(
            type=stt.SpeechEventType.FINAL_TRANSCRIPT, alternatives=[spoken],
            speech_end_time=speech_end_time))


def _done(task: asyncio.Task[str | None] | None) -> str | None:
    """What an early identification was sure of, if it is back."""
    if task is None or not task.done() or task.cancelled() or task.exception() is not None:
        return None
    return task.result()


def _tail(frames: list[rtc.AudioFrame], seconds: float) -> list[rtc.AudioFrame]:
    """The last `seconds` of `frames` (whole frames)."""
    kept: list[rtc.AudioFrame] = []
    total = 0.0
    for frame in reversed(frames):
        if total >= seconds:
            break
        kept.append(frame)
        total += frame.duration
    return kept[::-1]


def early_recognition(listener: CallListener | None, vad_model: Any, early_after: float,
                      complete: Callable[[str], bool] | None = None,
                      identify_after: float = 0.0) -> stt.STT | None:
    """The session's recogniser: early recognition when the call hears speech and the early
    point comes before the VAD's end of speech (`complete`: words whose turn ends at once);
    the plain recogniser otherwise (livekit wraps it in its StreamAdapter)."""
    if listener is None or vad_model is None:
        return listener
    if not 0.0 < early_after < vad_model.min_silence_duration:
        return listener
    return EarlyRecognition(listener, vad_model, early_after=early_after, complete=complete,
                            identify_after=identify_after)
