"""Real speech for tests: sentences spoken by espeak-ng, converted with sox to what a phone
sends (8 kHz G.711 u-law) or to a WAV file Chromium plays as its microphone."""

from __future__ import annotations

import hashlib
import shutil
import subprocess
from pathlib import Path

VOICES = {"en": "en-us", "ar": "ar"}


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:  # a live test never skips: missing speech tools are a failure
        raise AssertionError(f"{name} not found; run `make install` (Debian {name})")
    return path


def spoken_wav(text: str, directory: Path, *, language: str = "en", speed: int = 150) -> Path:
    """`text` spoken by espeak-ng as a WAV file (cached by text and voice)."""
    directory.mkdir(parents=True, exist_ok=True)
    key = hashlib.sha1(f"{language}:{speed}:{text}".encode()).hexdigest()[:12]
    wav = directory / f"speech-{language}-{key}.wav"
    if not wav.exists():
        subprocess.run([_tool("espeak-ng"), "-v", VOICES[language], "-s", str(speed), "-w",
                        str(wav), text], check=True)
    return wav


def phone_ulaw(text: str, directory: Path, *, language: str = "en") -> bytes:
    """`text` as a phone sends it: raw 8 kHz mono G.711 u-law."""
    wav = spoken_wav(text, directory, language=language)
    out = wav.with_suffix(".ulaw")
    if not out.exists():
        subprocess.run([_tool("sox"), str(wav), "-r", "8000", "-c", "1", "-t", "ul", str(out)],
                       check=True)
    return out.read_bytes()


def microphone_wav(text: str, directory: Path, *, language: str = "en",
                   lead_seconds: float = 0.0, tail_seconds: float = 30.0) -> Path:
    """A WAV for Chromium's fake microphone: silence, `text`, then silence (Chromium loops
    the file; the long tail keeps the phrase from being said twice in a test)."""
    wav = spoken_wav(text, directory, language=language)
    out = wav.with_name(f"{wav.stem}-mic-{lead_seconds:g}-{tail_seconds:g}.wav")
    if not out.exists():
        subprocess.run([_tool("sox"), str(wav), "-r", "48000", "-c", "1", "-b", "16", str(out),
                        "pad", str(lead_seconds), str(tail_seconds)], check=True)
    return out
