"""Checking a call recording as a supervisor would hear it: fetched from the API (whole and by
byte ranges), decoded with PyAV, both channels measured, and its first words compared with
the consent line spoken by the same espeak-ng voice the agent uses."""

from __future__ import annotations

import io
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime

import av
import httpx
import numpy as np

from agent.offline.tts import SAMPLE_RATE as ESPEAK_RATE
from agent.offline.tts import EspeakTTS
from agent.personas import Persona

WINDOW = 0.02  # seconds per loudness window
LOUD = 0.02  # RMS (full scale 1.0) above which a window is not silence


def fetch(api: httpx.Client, call_id: str) -> bytes:
    """The recording through the API: whole, then again in byte ranges that must agree."""
    url = f"/api/v1/calls/{call_id}/recording"
    whole = api.get(url)
    assert whole.status_code == 200, whole.text
    assert whole.headers["content-type"] == "audio/ogg"
    assert whole.headers["accept-ranges"] == "bytes"
    data = whole.content
    size = len(data)
    assert size > 1000 and int(whole.headers["content-length"]) == size
    first = api.get(url, headers={"Range": "bytes=0-99"})
    assert (first.status_code, first.headers["content-range"]) == (206, f"bytes 0-99/{size}")
    middle = api.get(url, headers={"Range": f"bytes=100-{size // 2}"})
    tail = api.get(url, headers={"Range": f"bytes=-{size - size // 2 - 1}"})
    assert first.content + middle.content + tail.content == data
    beyond = api.get(url, headers={"Range": f"bytes={size}-"})
    assert beyond.status_code == 416 and beyond.headers["content-range"] == f"bytes */{size}"
    assert beyond.json()["error"] == "range_not_satisfiable"
    return data


def decode(data: bytes) -> tuple[np.ndarray, int]:
    """(channels x samples float32, sample rate) of an Ogg/Opus file."""
    with av.open(io.BytesIO(data)) as container:
        stream = container.streams.audio[0]
        assert stream.codec_context.name == "opus" and stream.channels == 2
        frames = [f.to_ndarray() for f in container.decode(stream)]
        rate = stream.codec_context.sample_rate
    samples = np.concatenate(frames, axis=1).astype(np.float32)
    return samples, rate


def envelope(samples: np.ndarray, rate: int) -> np.ndarray:
    """RMS per WINDOW."""
    size = int(rate * WINDOW)
    count = len(samples) // size
    blocks = samples[:count * size].reshape(count, size).astype(np.float64)
    return np.sqrt(np.mean(blocks ** 2, axis=1))


def loud_seconds(samples: np.ndarray, rate: int) -> float:
    return float(np.count_nonzero(envelope(samples, rate) > LOUD) * WINDOW)


def first_loud(samples: np.ndarray, rate: int) -> float:
    loud = np.flatnonzero(envelope(samples, rate) > LOUD)
    assert loud.size, "the channel is silent"
    return float(loud[0] * WINDOW)


def consent_audio(persona: Persona, text: str) -> np.ndarray:
    """`text` as the persona's offline voice says it (mono float, ESPEAK_RATE)."""
    voice = EspeakTTS(voices=dict(persona.voices.get("espeak", {})))
    wav = subprocess.run(voice.command(text), capture_output=True, check=True).stdout
    with av.open(io.BytesIO(wav)) as container:
        pcm = np.concatenate([f.to_ndarray().reshape(-1) for f in container.decode(audio=0)])
    return pcm.astype(np.float32) / (32768.0 if pcm.dtype == np.int16 else 1.0)


def match_at_start(channel: np.ndarray, rate: int, reference: np.ndarray,
                   within: float = 3.0) -> tuple[float, float]:
    """(best correlation, where) of the reference's loudness contour against the channel's,
    for starts in the first `within` seconds: near 1.0 when the channel begins with it."""
    ref = envelope(reference, ESPEAK_RATE)
    got = envelope(channel, rate)
    best, where = -1.0, 0.0
    for start in range(min(int(within / WINDOW), len(got) - len(ref))):
        window = got[start:start + len(ref)]
        if window.std() > 0:
            score = float(np.corrcoef(ref, window)[0, 1])
            if score > best:
                best, where = score, start * WINDOW
    return best, where


@contextmanager
def recording(api: httpx.Client, slug: str) -> Iterator[dict]:
    """Department `slug` records its calls (through the admin API) while the block runs;
    yields the department."""
    department = next(d for d in api.get("/api/v1/departments").json()["items"]
                      if d["slug"] == slug)
    on = api.patch(f"/api/v1/departments/{department['id']}", json={"record_calls": True})
    assert on.status_code == 200 and on.json()["record_calls"] is True, on.text
    try:
        yield on.json()
    finally:
        api.patch(f"/api/v1/departments/{department['id']}", json={"record_calls": False})


def seconds_into(record: dict, kind: str) -> float:
    """Where in the recording the record's first event of `kind` happened."""
    at = {e["kind"]: datetime.fromisoformat(e["at"]) for e in reversed(record["events"])}
    return (at[kind] - at["recording_started"]).total_seconds()


def check(api: httpx.Client, record: dict, persona: Persona) -> tuple[np.ndarray, int]:
    """The record's recording, fetched through the API, has both voices on their own
    channels, lasts as long as the call and begins with the consent line; returns it
    decoded (caller, agent) and its sample rate."""
    assert record["has_recording"], record
    samples, rate = decode(fetch(api, record["id"]))
    seconds = samples.shape[1] / rate
    assert abs(seconds - record["recording_seconds"]) < 0.5, (seconds, record)
    # the call as the caller had it: from the assistant's answer (the recorder starts as it
    # enters; the record opens earlier, while the call is set up) until the end
    started = next(e for e in record["events"] if e["kind"] == "recording_started")
    answered = (datetime.fromisoformat(record["ended_at"])
                - datetime.fromisoformat(started["at"])).total_seconds()
    assert abs(seconds - answered) < 1.0, (seconds, answered)
    assert seconds <= record["duration_seconds"]
    caller, agent = samples
    assert loud_seconds(caller, rate) >= 0.5, "the caller's channel is silent"
    assert loud_seconds(agent, rate) >= 2.0, "the agent's channel is silent"
    reference = consent_audio(persona, started["data"]["consent"])
    score, where = match_at_start(agent, rate, reference)
    assert score > 0.8 and where < 1.5, f"consent line not at the start: r={score:.2f} " \
                                        f"at {where:.2f} s"
    return samples, rate
