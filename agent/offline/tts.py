"""espeak-ng speech implementing livekit's `tts.TTS` (Arabic and English, no network).

`espeak-ng --stdout` writes a streaming WAV (22050 Hz, mono, 16-bit); we skip its header and push
the PCM as it arrives. The voice follows the script of the text being spoken, so a persona
that switches language mid-call is voiced correctly without reconfiguration.
"""

from __future__ import annotations

import asyncio
import shutil
import struct
import subprocess
from collections.abc import Mapping

from livekit.agents import APIConnectionError, tts, utils
from livekit.agents.types import DEFAULT_API_CONNECT_OPTIONS, APIConnectOptions

from nlu.normalize import is_arabic

SAMPLE_RATE = 22050
DEFAULT_VOICES = {"ar": "ar", "en": "en-us"}
CHUNK_BYTES = 8192
# PCM of phrases spoken on many calls (the welcome lines), by (voice, speed, text). Filled in
# the worker's forkserver (agent/preload.py), so every call's process starts with them and a
# burst of calls does not run one espeak-ng per greeting (bench/README.md, density).
_PHRASES: dict[tuple[str, int, str], bytes] = {}
MAX_PHRASES = 64


class EspeakTTS(tts.TTS):
    def __init__(self, *, voices: Mapping[str, str] | None = None, speed: int = 160,
                 executable: str | None = None) -> None:
        super().__init__(capabilities=tts.TTSCapabilities(streaming=False),
                         sample_rate=SAMPLE_RATE, num_channels=1)
        self.voices = {**DEFAULT_VOICES, **(voices or {})}
        self.speed = speed
        self.executable = executable or shutil.which("espeak-ng") or "espeak-ng"

    @property
    def model(self) -> str:
        return "espeak-ng"

    @property
    def provider(self) -> str:
        return "espeak-ng"

    def voice_for(self, text: str) -> str:
        return self.voices["ar" if is_arabic(text) else "en"]

    def command(self, text: str) -> list[str]:
        """espeak-ng writing `text` as WAV to stdout in the voice of its script."""
        return [self.executable, "--stdout", "-v", self.voice_for(text), "-s", str(self.speed),
                "--", text]

    def phrase_key(self, text: str) -> tuple[str, int, str]:
        text = text.strip()
        return self.voice_for(text), self.speed, text

    def remember(self, text: str) -> bool:
        """Synthesize `text` now (blocking) and keep its PCM for every later call in this
        process and the processes forked from it; False when the cache is full."""
        key = self.phrase_key(text)
        if key in _PHRASES:
            return True
        if len(_PHRASES) >= MAX_PHRASES or not key[2]:
            return False
        out = subprocess.run(self.command(key[2]), capture_output=True, check=True, timeout=30)
        offset = _pcm_offset(out.stdout)
        if offset is None:
            raise APIConnectionError("espeak-ng produced no audio")
        pcm = out.stdout[offset:]
        _PHRASES[key] = pcm[:len(pcm) - len(pcm) % 2]
        return True

    def synthesize(self, text: str, *,
                   conn_options: APIConnectOptions = DEFAULT_API_CONNECT_OPTIONS
                   ) -> EspeakChunkedStream:
        return EspeakChunkedStream(tts=self, input_text=text, conn_options=conn_options)


def _pcm_offset(header: bytes) -> int | None:
    """Byte offset of PCM data in a RIFF/WAVE prefix, or None if the header is incomplete."""
    if len(header) < 12 or header[:4] != b"RIFF" or header[8:12] != b"WAVE":
        raise APIConnectionError("espeak-ng did not produce WAV output")
    pos = 12
    while pos + 8 <= len(header):
        chunk_id, size = header[pos:pos + 4], struct.unpack("<I", header[pos + 4:pos + 8])[0]
        if chunk_id == b"data":
            return pos + 8
        pos += 8 + size
    return None


class EspeakChunkedStream(tts.ChunkedStream):
    def __init__(self, *, tts: EspeakTTS, input_text: str, conn_options: APIConnectOptions):
        super().__init__(tts=tts, input_text=input_text, conn_options=conn_options)
        self._espeak = tts

    async def _run(self, output_emitter: tts.AudioEmitter) -> None:
        output_emitter.initialize(request_id=utils.shortuuid("espeak_"), sample_rate=SAMPLE_RATE,
                                  num_channels=1, mime_type="audio/pcm")
        text = self.input_text.strip()
        known = _PHRASES.get(self._espeak.phrase_key(text), b"") if text else b""
        if not text or known:
            for start in range(0, len(known), CHUNK_BYTES):
                output_emitter.push(known[start:start + CHUNK_BYTES])
            output_emitter.flush()
            return
        try:
            proc = await asyncio.create_subprocess_exec(
                *self._espeak.command(text),
                stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
        except OSError as exc:
            raise APIConnectionError(f"cannot run espeak-ng: {exc}") from exc
        assert proc.stdout is not None
        buffer, offset, odd = b"", None, b""
        try:
            while chunk := await proc.stdout.read(CHUNK_BYTES):
                if offset is None:
                    buffer += chunk
                    offset = _pcm_offset(buffer)
                    if offset is None:
                        continue
                    chunk = buffer[offset:]
                data = odd + chunk
                cut = len(data) - (len(data) % 2)  # keep whole 16-bit samples
                odd = data[cut:]
                if cut:
                    output_emitter.push(data[:cut])
            code = await proc.wait()
        except BaseException:
            if proc.returncode is None:
                proc.kill()
                await proc.wait()
            raise
        if code != 0:
            err = (await proc.stderr.read()).decode(errors="replace") if proc.stderr else ""
            raise APIConnectionError(f"espeak-ng exited with {code}: {err.strip()}")
        output_emitter.flush()
