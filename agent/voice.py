"""A persona's voice that follows the call's language.

The TTS of (persona, language) is picked when each reply is synthesized, so a call whose
language changes (the caller spoke English to an Arabic greeting) is answered in the new
language's voice by the same agent, with no handoff and nothing lost from the turn."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from livekit.agents import tts
from livekit.agents.types import DEFAULT_API_CONNECT_OPTIONS, APIConnectOptions


class FollowingVoice(tts.TTS):
    def __init__(self, pick: Callable[[], tts.TTS]) -> None:
        first = pick()
        super().__init__(capabilities=first.capabilities, sample_rate=first.sample_rate,
                         num_channels=first.num_channels)
        self._pick = pick
        self._forwarding: set[int] = set()

    def current(self) -> tts.TTS:
        voice = self._pick()
        if id(voice) not in self._forwarding:  # the session listens to this object only
            self._forwarding.add(id(voice))
            voice.on("metrics_collected", self._forward("metrics_collected"))
            voice.on("error", self._forward("error"))
        return voice

    def _forward(self, event: str) -> Callable[..., None]:
        def emit(*args: Any) -> None:
            self.emit(event, *args)

        return emit

    @property
    def model(self) -> str:
        return self.current().model

    @property
    def provider(self) -> str:
        return self.current().provider

    def synthesize(self, text: str, *,
                   conn_options: APIConnectOptions = DEFAULT_API_CONNECT_OPTIONS
                   ) -> tts.ChunkedStream:
        return self.current().synthesize(text, conn_options=conn_options)

    def stream(self, *, conn_options: APIConnectOptions = DEFAULT_API_CONNECT_OPTIONS
               ) -> tts.SynthesizeStream:
        return self.current().stream(conn_options=conn_options)

    def prewarm(self) -> None:
        self.current().prewarm()
