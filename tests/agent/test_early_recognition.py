"""Early recognition: the utterance goes to the speech service a moment into the caller's
silence, before Silero VAD's end of speech; speech after that moment throws the early
transcript away; complete words end the turn as soon as they are recognised; first words are
identified while still spoken. Real Silero VAD, real espeak-ng speech, the real speech
service."""

from __future__ import annotations

import asyncio
import logging
import wave
from pathlib import Path

import numpy as np
import pytest
from livekit import rtc
from livekit.agents import stt
from livekit.plugins import silero

from agent.early_recognition import EarlyRecognition, early_recognition
from agent.providers import build_providers
from agent.turn_end import words_complete
from core.config import Settings
from tests.live_services import SpeechProcess
from tests.support.speech import spoken_wav

RATE = 16000
FRAME = RATE // 100  # 10 ms, as a room delivers it


def _pcm(path: Path) -> np.ndarray:
    with wave.open(str(path)) as wav:
        pcm = np.frombuffer(wav.readframes(wav.getnframes()), dtype=np.int16)
        rate = wav.getframerate()
    if rate != RATE:  # espeak-ng speaks at 22.05 kHz
        idx = np.arange(0, len(pcm), rate / RATE).astype(int)
        pcm = pcm[idx[idx < len(pcm)]]
    loud = np.flatnonzero(np.abs(pcm) > 300)  # espeak-ng's own lead and tail silence off
    return pcm[loud[0]:loud[-1] + 1]


def _silence(seconds: float) -> np.ndarray:
    return np.zeros(int(RATE * seconds), dtype=np.int16)


async def _recognise(recognition: EarlyRecognition, audio: np.ndarray, *,
                     paced: bool = False) -> list[stt.SpeechEvent]:
    """The events of `audio` pushed as a room delivers it; `paced`: in real time (at least),
    so that recognition runs while the silence after the words is still arriving."""
    events: list[stt.SpeechEvent] = []
    async with recognition.stream() as stream:
        for start in range(0, len(audio), FRAME):
            chunk = audio[start:start + FRAME]
            stream.push_frame(rtc.AudioFrame(chunk.tobytes(), RATE, 1, len(chunk)))
            if paced:
                await asyncio.sleep(FRAME / RATE)
        stream.end_input()
        async for ev in stream:
            events.append(ev)
    return events


@pytest.fixture
def make_recognition(make_state, directory, speech_service: SpeechProcess):  # type: ignore[no-untyped-def]
    """make_recognition(vad_silence, complete=None): early recognition (0.1 s) of an English
    call at Reception, heard by the real speech service; `complete`: a predicate, or
    "product" for the product's own (agent/turn_end.py)."""

    def make(vad_silence: float, complete=None) -> EarlyRecognition:  # type: ignore[no-untyped-def]
        settings = Settings(_env_file=None, speech_url=speech_service.url)
        state = make_state("reception", "en", providers=build_providers(settings, directory))
        listener = state.providers.listen("en", identify=False)
        made = early_recognition(listener, silero.VAD.load(min_silence_duration=vad_silence),
                                 0.1, complete=words_complete(state)
                                 if complete == "product" else complete)
        assert isinstance(made, EarlyRecognition)
        return made

    return make


@pytest.fixture
def recognition(make_recognition) -> EarlyRecognition:
    return make_recognition(0.4)


@pytest.fixture
def patient_recognition(make_recognition) -> EarlyRecognition:
    """Early recognition that ends turns on complete words (the product's predicate), with a
    VAD so patient (3 s of silence) that only complete words can end a turn in these clips."""
    return make_recognition(3.0, "product")


def _finals(events: list[stt.SpeechEvent]) -> list[str]:
    return [ev.alternatives[0].text.lower() for ev in events
            if ev.type == stt.SpeechEventType.FINAL_TRANSCRIPT]


def _utterances(caplog: pytest.LogCaptureFixture) -> list[dict]:
    return [r.utterance for r in caplog.records if hasattr(r, "utterance")]


async def test_an_utterance_is_sent_before_the_end_of_speech(
        recognition, artifacts_dir, caplog):
    caplog.set_level(logging.INFO, logger="contact_center.agent")
    clip = _pcm(spoken_wav("I have a complaint about my bill.", artifacts_dir / "speech"))
    events = await _recognise(recognition, np.concatenate([_silence(0.5), clip,
                                                           _silence(1.0)]))
    kinds = [ev.type for ev in events]
    assert kinds == [stt.SpeechEventType.START_OF_SPEECH, stt.SpeechEventType.END_OF_SPEECH,
                     stt.SpeechEventType.FINAL_TRANSCRIPT], kinds
    assert "complaint" in events[-1].alternatives[0].text.lower()
    (heard,) = _utterances(caplog)
    assert heard["early"] and heard["sent_at"] < heard["detected_at"] <= heard["ready_at"]


async def test_speech_after_the_early_point_replaces_the_early_transcript(
        recognition, artifacts_dir, caplog):
    """A 0.25 s pause (past the early point, short of the 0.4 s end of speech) inside one
    utterance: the transcript that the turn keeps has the words after the pause too."""
    caplog.set_level(logging.INFO, logger="contact_center.agent")
    words = artifacts_dir / "speech"
    first = _pcm(spoken_wav("I would like to buy", words))
    second = _pcm(spoken_wav("the premium plan.", words))
    events = await _recognise(recognition, np.concatenate(
        [_silence(0.5), first, _silence(0.25), second, _silence(1.0)]))
    finals = [ev for ev in events if ev.type == stt.SpeechEventType.FINAL_TRANSCRIPT]
    assert len(finals) == 1, [ev.type for ev in events]
    text = finals[0].alternatives[0].text.lower()
    assert "like" in text and "premium" in text, text
    (heard,) = _utterances(caplog)
    # the first early recognition (in the pause) was dropped; the second one, started
    # after the last words, is the turn's
    assert heard["early"] and heard["dropped"] == 1, heard


def test_no_early_recognition_without_speech_or_when_the_point_is_past_the_end(directory):
    vad_model = silero.VAD.load(min_silence_duration=0.4)
    assert early_recognition(None, vad_model, 0.1) is None
    providers = build_providers(Settings(_env_file=None), directory)
    listener = providers.listen("en", identify=False)
    assert early_recognition(listener, None, 0.1) is listener
    assert early_recognition(listener, vad_model, 0.0) is listener  # SPEECH_EARLY_SECONDS=0
    assert early_recognition(listener, vad_model, 0.4) is listener  # never before the end


async def test_complete_words_end_the_turn_without_the_whole_silence(
        patient_recognition, artifacts_dir, caplog):
    caplog.set_level(logging.INFO, logger="contact_center.agent")
    clip = _pcm(spoken_wav("I have a complaint about my bill.", artifacts_dir / "speech"))
    events = await _recognise(patient_recognition,
                              np.concatenate([_silence(0.5), clip, _silence(2.0)]), paced=True)
    kinds = [ev.type for ev in events]
    assert kinds == [stt.SpeechEventType.START_OF_SPEECH, stt.SpeechEventType.END_OF_SPEECH,
                     stt.SpeechEventType.FINAL_TRANSCRIPT], kinds
    assert "complaint" in _finals(events)[0]
    (heard,) = _utterances(caplog)
    assert heard["complete"] and heard["early"], heard  # not the VAD: 3 s never passed


async def test_words_after_a_turn_that_ended_early_are_a_new_utterance(
        patient_recognition, artifacts_dir, caplog):
    caplog.set_level(logging.INFO, logger="contact_center.agent")
    words = artifacts_dir / "speech"
    first = _pcm(spoken_wav("I have a complaint about my bill.", words))
    second = _pcm(spoken_wav("And I want to buy the premium plan.", words))
    events = await _recognise(patient_recognition, np.concatenate(  # the VAD ends the second
        [_silence(0.5), first, _silence(1.5), second, _silence(3.5)]), paced=True)
    finals = _finals(events)
    assert len(finals) == 2, (finals, [ev.type for ev in events], _utterances(caplog))
    assert "complaint" in finals[0] and "premium" not in finals[0], finals
    assert "premium" in finals[1] and "complaint" not in finals[1], finals
    assert [ev.type for ev in events].count(stt.SpeechEventType.START_OF_SPEECH) == 2
    assert _utterances(caplog)[0]["complete"]


async def test_words_that_trail_off_wait_for_the_end_of_speech(
        patient_recognition, artifacts_dir, caplog):
    """"I would like to" is not complete: the caller's pause (1 s, past the early point and
    its recognition) does not end the turn; the words after it join it."""
    caplog.set_level(logging.INFO, logger="contact_center.agent")
    words = artifacts_dir / "speech"
    first = _pcm(spoken_wav("I would like to", words))
    second = _pcm(spoken_wav("buy the premium plan.", words))
    events = await _recognise(patient_recognition, np.concatenate(
        [_silence(0.5), first, _silence(1.0), second, _silence(2.0)]), paced=True)
    finals = _finals(events)
    assert len(finals) == 1 and "like" in finals[0] and "premium" in finals[0], finals


async def test_a_judgement_that_fails_leaves_the_turn_to_the_vad(
        make_recognition, artifacts_dir, caplog):
    def broken(text: str) -> bool:
        raise RuntimeError("no understanding")

    caplog.set_level(logging.INFO, logger="contact_center.agent")
    clip = _pcm(spoken_wav("I have a complaint about my bill.", artifacts_dir / "speech"))
    events = await _recognise(make_recognition(0.4, broken),
                              np.concatenate([_silence(0.5), clip, _silence(1.0)]), paced=True)
    finals = _finals(events)
    assert len(finals) == 1 and "complaint" in finals[0], finals
    (heard,) = _utterances(caplog)
    assert not heard["complete"], heard
    assert "could not tell whether the words are complete" in caplog.text


async def test_first_words_are_identified_while_spoken_and_heard_in_that_language(
        make_state, directory, speech_service: SpeechProcess, artifacts_dir, caplog):
    """An English caller on an Arabic call: 1.5 s into the words their language is asked;
    the service is sure it is English, so the words are transcribed in English without being
    identified again (by the recogniser that is told the language), and the call switches."""
    caplog.set_level(logging.INFO, logger="contact_center.agent")
    settings = Settings(_env_file=None, speech_url=speech_service.url)
    state = make_state("reception", "ar", providers=build_providers(settings, directory))
    switched: list[str] = []
    listener = state.providers.listen("ar", identify=True, on_language=switched.append)
    recognition = early_recognition(listener, silero.VAD.load(min_silence_duration=0.4), 0.1,
                                    identify_after=settings.speech_identify_after_seconds)
    assert isinstance(recognition, EarlyRecognition)
    clip = _pcm(spoken_wav("I have a complaint about my bill.", artifacts_dir / "speech"))
    events = await _recognise(recognition, np.concatenate([_silence(0.5), clip,
                                                           _silence(1.0)]), paced=True)
    assert "complaint" in _finals(events)[0], _finals(events)
    (heard,) = _utterances(caplog)
    assert heard["identified_early"] == "en", heard
    asked = [r.identified for r in caplog.records if hasattr(r, "identified")]
    assert asked and asked[0]["language"] == "en" and asked[0]["prior"] == "ar", asked
    assert listener.forced._opts.languages == ["en"]  # type: ignore[union-attr]
    assert switched == ["en"] and listener.language == "en" and not listener.identifying
    await listener.aclose()
