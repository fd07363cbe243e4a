"""An uploaded audio file as 16 kHz mono float32 samples, as Whisper takes them.

livekit's OpenAI STT plugin (our workers) uploads 16-bit PCM WAV at the room's rate (24 or
48 kHz). Decoding that through PyAV took 40 ms alone and 80-100 ms inside the busy service,
as long as transcribing a short phrase with tiny.en (bench/README.md, voice turns). Such a file
is read with the standard library and resampled with a polyphase filter (scipy) in about a
millisecond; anything else (compressed, float, 8-bit) still goes through PyAV.
"""

from __future__ import annotations

import io
import wave
from math import gcd

import numpy as np
from faster_whisper import decode_audio
from scipy.signal import resample_poly

SAMPLE_RATE = 16000


def decode(data: bytes, sampling_rate: int = SAMPLE_RATE) -> np.ndarray:
    """Mono float32 samples in [-1, 1] at `sampling_rate`; raises on audio nobody can read."""
    pcm = _pcm16_wav(data)
    if pcm is None:
        return decode_audio(io.BytesIO(data), sampling_rate=sampling_rate)
    samples, rate = pcm
    if rate != sampling_rate:
        common = gcd(rate, sampling_rate)
        samples = resample_poly(samples, sampling_rate // common, rate // common)
    return samples.astype(np.float32, copy=False)


def _pcm16_wav(data: bytes) -> tuple[np.ndarray, int] | None:
    """(mono samples, rate) of a 16-bit PCM WAV file; None for any other file."""
    try:
        with wave.open(io.BytesIO(data)) as wav:
            if wav.getsampwidth() != 2 or wav.getcomptype() != "NONE":
                return None
            channels, rate = wav.getnchannels(), wav.getframerate()
            raw = wav.readframes(wav.getnframes())
    except (wave.Error, EOFError):
        return None
    samples = np.frombuffer(raw[:len(raw) - len(raw) % (2 * channels)], dtype="<i2")
    mono = samples.reshape(-1, channels).mean(axis=1) if channels > 1 else samples
    return mono.astype(np.float32) / 32768.0, rate
