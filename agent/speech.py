"""Speech recognition of one call: which recogniser, in which language, and never a call lost
because recognition failed.

Both providers speak the OpenAI transcription API through livekit's OpenAI STT plugin: OpenAI
itself, or the local speech service (`speech/`, Whisper) at SPEECH_URL. The call's language
forces the recogniser's language (and, locally, the model). When the language is not known
(a phone call: the department's default is only a guess), the first words are identified
among Arabic and English, keeping the guess unless another language is clearly more likely
(and, when they kept it, the next words too); the call then continues in the language the
caller spoke, and recognition is forced to it. With the local service, the first words are
identified while the caller is still speaking (agent/language_id.py), and their transcript
is forced to the language it is sure of.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from livekit.agents import APIConnectOptions, stt, utils
from livekit.agents.types import DEFAULT_API_CONNECT_OPTIONS, NOT_GIVEN, NotGivenOr

from agent.logs import log
from agent.personas import LANGUAGES

if TYPE_CHECKING:
    from agent.language_id import EarlyIdentifier
    from agent.state import CallState

# one quick retry; a recogniser that is down must not hold the caller's turn for long
RECOGNIZE_OPTIONS = APIConnectOptions(max_retry=1, retry_interval=0.2, timeout=10.0)
# utterances whose language is identified while it stays the call's first guess
IDENTIFY_UTTERANCES = 2


class CallListener(stt.STT):
    """The recogniser of one call (non-streaming: livekit segments the caller's audio with
    Silero VAD and sends each utterance). A failed recognition is an empty transcript and a
    warning, not an error: livekit closes the session after a few STT errors, which would
    hang up on callers whenever the speech service restarts."""

    def __init__(self, inner: stt.STT, *, language: str, identify: bool, provider: str,
                 on_language: Callable[[str], None] | None = None,
                 on_failure: Callable[[str], None] | None = None,
                 early: tuple[stt.STT, EarlyIdentifier] | None = None) -> None:
        """`early`: a recogniser that is always told the language, and the identification
        of first words while they are spoken (both or neither)."""
        super().__init__(capabilities=stt.STTCapabilities(streaming=False, interim_results=False))
        self.inner = inner
        self.forced: stt.STT | None = early[0] if early is not None else None
        self.identifier: EarlyIdentifier | None = early[1] if early is not None else None
        self.language = language
        self.identifying = identify
        self.provider_kind = provider
        self.failures = 0
        self.identified = 0  # utterances identified so far
        self._on_language = on_language
        self._on_failure = on_failure
        for recogniser in (inner, self.forced):
            if recogniser is not None:
                recogniser.on("metrics_collected",
                              lambda metrics: self.emit("metrics_collected", metrics))

    @property
    def model(self) -> str:
        return self.inner.model

    @property
    def provider(self) -> str:
        return self.provider_kind

    def listen_in(self, language: str) -> None:
        """Recognise `language` from now on (forced: no more identification)."""
        self.language, self.identifying = language, False
        self.inner.update_options(language=language, detect_language=False)  # type: ignore[attr-defined]

    async def _recognize_impl(self, buffer: utils.AudioBuffer, *,
                              language: NotGivenOr[str] = NOT_GIVEN,
                              conn_options: APIConnectOptions = DEFAULT_API_CONNECT_OPTIONS
                              ) -> stt.SpeechEvent:
        event = await self.hear(buffer)
        self.accept(event)
        return event

    @property
    def identifies_early(self) -> bool:
        """The call's language is still being identified, and words can be identified while
        they are spoken."""
        return self.identifying and self.identifier is not None

    async def early_language(self, buffer: utils.AudioBuffer) -> str | None:
        """While the call's language is being identified: the language the words that begin
        with `buffer` can be heard in without identifying them, if the service is sure."""
        if not self.identifies_early or self.identifier is None:
            return None
        return await self.identifier.language(buffer, self.language)

    async def hear(self, buffer: utils.AudioBuffer, language: str | None = None
                   ) -> stt.SpeechEvent:
        """The transcript of `buffer` (in `language`, when identification is still on and
        `early_language` was sure of it), changing nothing (an early recognition may be
        thrown away: agent/early_recognition.py); `accept` the one the turn keeps."""
        try:
            if language and self.identifying and self.forced is not None:
                return await self.forced.recognize(buffer, language=language,
                                                   conn_options=RECOGNIZE_OPTIONS)
            return await self.inner.recognize(buffer, conn_options=RECOGNIZE_OPTIONS)
        except Exception as exc:  # the caller can still press keys or type
            self.failures += 1
            log.warning("speech recognition failed (%s): %s", self.provider_kind,
                        type(exc).__name__)
            if self._on_failure is not None:
                self._on_failure(type(exc).__name__)
            return stt.SpeechEvent(type=stt.SpeechEventType.FINAL_TRANSCRIPT, alternatives=[])

    def accept(self, event: stt.SpeechEvent) -> None:
        """The turn keeps this transcript: the first words heard decide the call's language.
        Words that kept the call's language may only mean the identification was unsure (a
        worse line pushes English phone speech below the switch confidence), so the caller's
        next words are identified too, up to IDENTIFY_UTTERANCES; a switch is final."""
        spoken = event.alternatives[0] if event.alternatives else None
        if not self.identifying or spoken is None or not spoken.text.strip():
            return
        heard = str(spoken.language or "")[:2].lower() or self.language
        self.identified += 1
        if heard == self.language and self.identified < IDENTIFY_UTTERANCES:
            return
        self.listen_in(heard)
        if self._on_language is not None:
            self._on_language(heard)

    async def aclose(self) -> None:
        await self.inner.aclose()
        if self.forced is not None:
            await self.forced.aclose()
        if self.identifier is not None:
            await self.identifier.aclose()


def switch_language(state: CallState, language: str, *, via: str) -> None:
    """Hold the call in `language` from now on: state, record, and what the recogniser
    listens for (the persona follows at its next turn: PersonaAgent)."""
    if language not in LANGUAGES or language == state.language:
        return
    state.record("language", **{"from": state.language, "to": language, "via": via})
    state.language = language
    if state.recorder:
        state.recorder.update(language=language)
    listener = state.providers.stt
    if listener is not None and listener.language != language:
        listener.listen_in(language)
