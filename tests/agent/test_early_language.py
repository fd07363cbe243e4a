"""A caller's first words identified while they are still speaking: the speech service's
`POST /v1/audio/language` answers the language it is sure of (or null), the rule it answers
by, and how a call's listener is wired to it. Real espeak-ng speech, the real speech service;
a closed port for the failure."""

from __future__ import annotations

import io
import logging
import wave

import httpx
import numpy as np
from livekit import rtc

from agent.language_id import EarlyIdentifier
from agent.providers import LANGUAGE_PRIOR_HEADER, build_providers
from core.config import Settings
from livekit_stack.probes import free_port
from speech.recognizer import EARLY_SWITCH_CONFIDENCE, SECOND_OPINION_PROB, sure_of
from tests.conftest import TEST_HOST
from tests.live_services import SpeechProcess
from tests.support.speech import spoken_wav


def _first(path, seconds: float | None = 1.5) -> tuple[np.ndarray, int]:  # type: ignore[no-untyped-def]
    """The first `seconds` of a spoken clip (all of it with None), and its rate."""
    with wave.open(str(path)) as wav:
        pcm = np.frombuffer(wav.readframes(wav.getnframes()), dtype="<i2")
        rate = wav.getframerate()
    voiced = np.flatnonzero(np.abs(pcm) > 300)
    pcm = pcm[voiced[0]:]
    return (pcm if seconds is None else pcm[:int(rate * seconds)]), rate


def _wav(pcm: np.ndarray, rate: int) -> bytes:
    out = io.BytesIO()
    with wave.open(out, "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(rate)
        wav.writeframes(pcm.tobytes())
    return out.getvalue()


def _ask(service: SpeechProcess, data: bytes, prior: str | None) -> httpx.Response:
    headers = {LANGUAGE_PRIOR_HEADER: prior} if prior else {}
    return httpx.post(f"{service.url}/audio/language", timeout=60, headers=headers,
                      files={"file": ("words.wav", data, "audio/wav")})


def test_the_rule_switches_only_when_sure_and_keeps_only_when_nothing_else_is_likely():
    sure = EARLY_SWITCH_CONFIDENCE
    assert sure_of({"ar": 0.1, "en": sure}, "ar") == "en"  # sure enough to switch now
    assert sure_of({"ar": 0.3, "en": sure - 0.05}, "ar") is None  # the whole words decide
    assert sure_of({"ar": 0.6, "en": SECOND_OPINION_PROB}, "ar") is None  # a second opinion
    assert sure_of({"ar": 0.6, "en": SECOND_OPINION_PROB - 0.01}, "ar") == "ar"
    assert sure_of({"en": 0.9, "ar": 0.05}, "en") == "en"
    assert sure_of({"en": 0.9}, "ar") is None  # the prior was not identified among them
    assert sure_of({"ar": 0.2}, "ar") == "ar"  # the only language served


def test_the_beginning_of_english_words_on_an_arabic_call_is_sure(
        speech_service: SpeechProcess, artifacts_dir):
    clip = spoken_wav("I have a complaint about my bill.", artifacts_dir / "speech")
    reply = _ask(speech_service, _wav(*_first(clip)), "ar")
    assert reply.status_code == 200, reply.text
    body = reply.json()
    assert body["language"] == "en", body
    assert body["language_probabilities"]["en"] >= EARLY_SWITCH_CONFIDENCE, body
    assert 1.4 <= body["duration"] <= 1.6, body
    # the same words on an English call: nothing else is likely, English is kept
    kept = _ask(speech_service, _wav(*_first(clip, None)), "en").json()
    assert kept["language"] == "en" and kept["language_probabilities"]["ar"] < 0.1, kept


def test_the_language_endpoint_needs_a_served_prior_and_readable_audio(
        speech_service: SpeechProcess, artifacts_dir):
    clip = _wav(*_first(spoken_wav("Hello there.", artifacts_dir / "speech")))
    for prior in (None, "fr"):
        reply = _ask(speech_service, clip, prior)
        assert reply.status_code == 400, reply.text
        assert reply.json()["error"]["param"] == LANGUAGE_PRIOR_HEADER, reply.json()
    unreadable = _ask(speech_service, b"RIFF\x00\x00not audio at all", "ar")
    assert unreadable.status_code == 400 and unreadable.json()["error"]["param"] == "file"


def test_only_a_local_call_still_identifying_is_identified_while_speaking(directory):
    local = build_providers(Settings(_env_file=None), directory)
    listener = local.listen("ar", identify=True)
    assert isinstance(listener.identifier, EarlyIdentifier) and listener.forced is not None
    assert listener.forced is not listener.inner  # told the language, never identifying
    assert local.listen("ar", identify=False).identifier is None  # the language is known
    off = build_providers(Settings(_env_file=None, speech_identify_after_seconds=0), directory)
    assert off.listen("ar", identify=True).identifier is None
    cloud = build_providers(Settings(_env_file=None, openai_api_key="sk-test"), directory)
    assert cloud.listen("ar", identify=True).identifier is None  # OpenAI has no such call


async def test_an_identification_that_fails_is_no_answer_not_an_error(
        directory, artifacts_dir, caplog):
    caplog.set_level(logging.WARNING, logger="contact_center.agent")
    down = f"http://{TEST_HOST}:{free_port(TEST_HOST)}/v1"  # nothing listens there
    listener = build_providers(Settings(_env_file=None, speech_url=down),
                               directory).listen("ar", identify=True)
    pcm, rate = _first(spoken_wav("Hello there.", artifacts_dir / "speech"))
    frame = rtc.AudioFrame(pcm.tobytes(), rate, 1, len(pcm))
    assert await listener.early_language([frame]) is None
    assert "early language identification failed" in caplog.text
    await listener.aclose()
