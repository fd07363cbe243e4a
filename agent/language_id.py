"""The language of a caller's first words, asked of the local speech service while the caller
is still speaking (`POST /v1/audio/language`, speech/service.py).

Identifying the first words after they end cost ~0.4 s of Whisper before their transcript
could even start (bench/README.md). Their beginning (SPEECH_IDENTIFY_AFTER_SECONDS) is
identified instead while the caller goes on; when the service is sure, the transcript is
forced to that language. When it is not sure, or does not answer, the words are identified
whole, as before: this only saves time.
"""

from __future__ import annotations

import time

import httpx
from livekit import rtc
from livekit.agents import utils

from agent.logs import log

# the answer is only worth having before the caller's words are transcribed
IDENTIFY_TIMEOUT = httpx.Timeout(3.0, connect=1.0)


class EarlyIdentifier:
    """One call's client of the speech service's language identification."""

    def __init__(self, base_url: str, *, api_key: str | None, prior_header: str) -> None:
        headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        self._client = httpx.AsyncClient(base_url=base_url.rstrip("/") + "/",
                                         headers=headers, timeout=IDENTIFY_TIMEOUT)
        self._prior_header = prior_header

    async def language(self, buffer: utils.AudioBuffer, prior: str) -> str | None:
        """The language to transcribe the words beginning with `buffer` in, if the service is
        sure of it; None otherwise (failures included: a warning, never an error)."""
        wav = rtc.combine_audio_frames(buffer).to_wav_bytes()
        started = time.perf_counter()
        try:
            response = await self._client.post(
                "audio/language", files={"file": ("words.wav", wav, "audio/wav")},
                headers={self._prior_header: prior})
            response.raise_for_status()
            sure = response.json().get("language")
        except (httpx.HTTPError, ValueError) as exc:
            log.warning("early language identification failed: %s", type(exc).__name__)
            return None
        log.info("first words identified early", extra={"identified": {
            "language": sure, "prior": prior,
            "ms": round((time.perf_counter() - started) * 1000)}})
        return sure if isinstance(sure, str) and sure else None

    async def aclose(self) -> None:
        await self._client.aclose()
