"""What the speech service hears from an upload: the PCM WAV the workers send is read and
resampled without PyAV (speech/audio.py), to the same samples PyAV gives; other files still
go through PyAV; a file nobody can read is a 400 naming the file. Real espeak-ng speech, the
real speech service."""

from __future__ import annotations

import io
import wave

import httpx
import numpy as np
import pytest
from faster_whisper import decode_audio

from speech.audio import decode
from tests.live_services import SpeechProcess
from tests.support.speech import spoken_wav


def _wav(samples: np.ndarray, rate: int, *, channels: int = 1, width: int = 2) -> bytes:
    out = io.BytesIO()
    with wave.open(out, "wb") as wav:
        wav.setnchannels(channels)
        wav.setsampwidth(width)
        wav.setframerate(rate)
        wav.writeframes(samples.tobytes())
    return out.getvalue()


@pytest.fixture(scope="module")
def speech_pcm(artifacts_dir) -> tuple[np.ndarray, int]:
    with wave.open(str(spoken_wav("How much does the premium plan cost?",
                                  artifacts_dir / "speech"))) as wav:
        return np.frombuffer(wav.readframes(wav.getnframes()), dtype="<i2"), wav.getframerate()


def _at(pcm: np.ndarray, rate: int, target: int) -> np.ndarray:
    picks = np.arange(0, len(pcm), rate / target).astype(int)
    return pcm[picks[picks < len(pcm)]]


@pytest.mark.parametrize(("rate", "channels"), [(48000, 1), (24000, 1), (16000, 1),
                                                (48000, 2)])
def test_pcm_wav_is_heard_as_pyav_hears_it(speech_pcm, rate, channels):
    pcm = np.repeat(_at(*speech_pcm, rate)[:, None], channels, axis=1)
    data = _wav(pcm, rate, channels=channels)
    ours, theirs = decode(data), decode_audio(io.BytesIO(data), sampling_rate=16000)
    assert ours.dtype == np.float32 and abs(len(ours) - len(theirs)) <= 2
    n = min(len(ours), len(theirs))
    assert np.corrcoef(ours[:n], theirs[:n])[0, 1] > 0.999
    assert np.sqrt(np.mean(ours ** 2)) == pytest.approx(np.sqrt(np.mean(theirs ** 2)), rel=0.02)


def test_other_files_still_go_through_pyav(speech_pcm):
    eight_bit = (_at(*speech_pcm, 16000) // 256 + 128).astype(np.uint8)
    heard = decode(_wav(eight_bit, 16000, width=1))
    assert len(heard) == len(eight_bit) and np.abs(heard).max() > 0.05


def test_a_file_nobody_can_read_is_a_400_naming_the_file(speech_service: SpeechProcess):
    reply = httpx.post(f"{speech_service.url}/audio/transcriptions", timeout=30,
                       files={"file": ("noise.wav", b"RIFF\x00\x00not audio at all")},
                       data={"model": "whisper-1", "language": "en"})
    assert reply.status_code == 400, reply.text
    assert reply.json()["error"]["param"] == "file", reply.json()


def test_the_service_transcribes_an_uploaded_wav(speech_service: SpeechProcess, speech_pcm):
    data = _wav(_at(*speech_pcm, 48000), 48000)
    reply = httpx.post(f"{speech_service.url}/audio/transcriptions", timeout=60,
                       files={"file": ("turn.wav", data)},
                       data={"model": "whisper-1", "language": "en"})
    assert reply.status_code == 200, reply.text
    assert "premium" in reply.json()["text"].lower()
