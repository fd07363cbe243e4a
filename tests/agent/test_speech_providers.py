"""Speech providers built from settings: local Whisper and OpenAI go through the same
livekit OpenAI STT plugin, with the call's language forced or (first words) identified; the
persona's voice follows the call's language; a recogniser that fails never fails the call.
The listener tests talk to the real speech service (tests/live_services.py) with real
espeak-ng speech, and to a closed port for the failure."""

from __future__ import annotations

import wave

import numpy as np
import pytest
from livekit import rtc
from livekit.plugins import openai

from agent.providers import (
    LANGUAGE_PRIOR_HEADER,
    ProviderConfigError,
    build_providers,
    describe_mode,
)
from agent.speech import CallListener, switch_language
from agent.voice import FollowingVoice
from core.config import Settings
from livekit_stack.probes import free_port
from tests.conftest import TEST_HOST
from tests.live_services import SpeechProcess
from tests.support.speech import spoken_wav


def _inner(listener: CallListener) -> openai.STT:
    assert isinstance(listener.inner, openai.STT)
    return listener.inner


def test_local_speech_is_the_openai_plugin_pointed_at_the_speech_service(directory):
    s = Settings(_env_file=None, speech_url="http://10.0.0.5:8090/v1")
    providers = build_providers(s, directory)
    listener = providers.listen("ar", identify=True)
    assert listener is providers.stt and listener.provider == "local"
    inner = _inner(listener)
    assert str(inner._client.base_url) == "http://10.0.0.5:8090/v1/"
    assert inner._client.default_headers[LANGUAGE_PRIOR_HEADER] == "ar"
    assert inner._opts.languages == [] and inner._opts.detect_language  # identify first words
    listener.listen_in("en")
    assert inner._opts.languages == ["en"] and not inner._opts.detect_language
    assert "stt=local@http://10.0.0.5:8090/v1" in describe_mode(s)


def test_openai_speech_is_wired_like_the_local_one(directory):
    s = Settings(_env_file=None, openai_api_key="sk-test", openai_stt_model="stt-test",
                 openai_base_url="http://127.0.0.1:9/v1")
    providers = build_providers(s, directory)
    listener = providers.listen("en", identify=False)
    inner = _inner(listener)
    assert listener.provider == "openai" and inner.model == "stt-test"
    assert str(inner._client.base_url).startswith("http://127.0.0.1:9/v1")
    assert inner._opts.languages == ["en"] and not inner._opts.detect_language
    assert "stt=openai:stt-test" in describe_mode(s)
    # a key that is set is used; STT_PROVIDER=local keeps recognition on this machine
    local = build_providers(Settings(_env_file=None, openai_api_key="sk-test",
                                     stt_provider="local"), directory)
    assert local.listen("ar", identify=True).provider == "local"


def test_no_speech_means_no_listener_and_a_forced_provider_needs_its_key(directory):
    providers = build_providers(Settings(_env_file=None, stt_provider="none"), directory)
    assert not providers.hears_speech and providers.listen("ar", identify=True) is None
    with pytest.raises(ProviderConfigError):
        build_providers(Settings(_env_file=None, stt_provider="openai"), directory)


def test_the_persona_voice_follows_the_call_language(make_state, directory):
    s = Settings(_env_file=None, openai_api_key="sk-test")
    state = make_state("sales", "ar", providers=build_providers(s, directory))
    persona = state.persona
    voice = FollowingVoice(lambda: state.providers.tts_for(persona, state.language))
    arabic = voice.current()
    state.providers.listen("ar", identify=True)
    switch_language(state, "en", via="speech")
    english = voice.current()
    assert isinstance(english, openai.TTS) and english is not arabic
    assert english._opts.voice == (persona.voice("openai", "en") or "alloy")
    assert state.language == "en" and state.providers.stt.language == "en"
    assert not state.providers.stt.identifying


def _frames(path) -> list[rtc.AudioFrame]:  # type: ignore[no-untyped-def]
    with wave.open(str(path)) as wav:
        pcm = np.frombuffer(wav.readframes(wav.getnframes()), dtype=np.int16)
        rate = wav.getframerate()
    return [rtc.AudioFrame(pcm.tobytes(), rate, 1, len(pcm))]


async def test_first_words_in_english_switch_an_arabic_call(
        make_state, directory, speech_service: SpeechProcess, artifacts_dir):
    s = Settings(_env_file=None, speech_url=speech_service.url)
    state = make_state("reception", "ar", providers=build_providers(s, directory))
    heard: list[str] = []
    listener = state.providers.listen("ar", identify=True, on_language=heard.append)
    clip = spoken_wav("I would like some help please.", artifacts_dir / "speech")
    event = await listener.recognize(_frames(clip))
    assert "help" in event.alternatives[0].text.lower()
    assert heard == ["en"] and listener.language == "en" and not listener.identifying
    assert _inner(listener)._opts.languages == ["en"]


async def test_words_that_keep_the_calls_language_leave_the_next_ones_identified(
        make_state, directory, speech_service: SpeechProcess, artifacts_dir):
    """An unsure identification keeps the call's language; the caller's next words are
    identified again (an English caller on a bad line is not held in Arabic for good)."""
    s = Settings(_env_file=None, speech_url=speech_service.url)
    state = make_state("reception", "ar", providers=build_providers(s, directory))
    heard: list[str] = []
    listener = state.providers.listen("ar", identify=True, on_language=heard.append)
    greeting = spoken_wav("السلام عليكم", artifacts_dir / "speech", language="ar")
    first = await listener.recognize(_frames(greeting))
    assert first.alternatives and first.alternatives[0].text.strip()
    assert listener.identifying and listener.language == "ar" and heard == []
    english = spoken_wav("I would like some help please.", artifacts_dir / "speech")
    await listener.recognize(_frames(english))
    assert heard == ["en"] and listener.language == "en" and not listener.identifying


async def test_a_recogniser_that_is_down_gives_an_empty_turn_not_an_error(
        make_state, directory, artifacts_dir):
    down = f"http://{TEST_HOST}:{free_port(TEST_HOST)}/v1"  # nothing listens there
    state = make_state(providers=build_providers(Settings(_env_file=None, speech_url=down),
                                                 directory))
    failures: list[str] = []
    listener = state.providers.listen("ar", identify=True, on_failure=failures.append)
    clip = spoken_wav("Hello there.", artifacts_dir / "speech")
    event = await listener.recognize(_frames(clip))
    assert event.alternatives == [] and listener.failures == 1 and failures
    assert listener.identifying  # nothing was heard, nothing decided
