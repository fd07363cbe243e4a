"""Call records, the DTMF menu, department resolution and provider selection."""

from __future__ import annotations

import asyncio

import pytest
from livekit.agents import AgentSession
from livekit.plugins import elevenlabs, openai
from sqlalchemy import delete, select

from agent import dtmf
from agent.assistant import PersonaAgent
from agent.offline import EspeakTTS, OfflineLLM
from agent.providers import ProviderConfigError, build_providers
from agent.records import CallRecorder
from agent.state import CallState
from agent.worker import TURN_HANDLING_TEXT, resolve_department, voice_turn_handling
from core.config import Settings
from core.db import session_scope
from core.models import CallEvent, CallRecord, Department, PhoneNumber

MENU = {"1": "reception", "2": "sales", "3": "complaints", "0": "human"}


def _events(call_id: str) -> list[CallEvent]:
    with session_scope() as db:
        return list(db.scalars(select(CallEvent).where(CallEvent.call_id == call_id)
                               .order_by(CallEvent.id)))


def _record(call_id: str) -> CallRecord:
    with session_scope() as db:
        record = db.get(CallRecord, call_id)
        assert record is not None
        return record


async def test_recorder_writes_in_order_off_the_event_loop(settings):
    rec = CallRecorder()
    call_id = rec.open(room_name="r1", source="sip", department="sales", language="en",
                       caller="+15550001", called_number="+15550100")
    for i in range(20):
        rec.event("transcript", role="user", text=f"line {i}")
    rec.update(current_department="complaints")
    await rec.close("agent_ended")

    events = _events(call_id)
    assert events[0].kind == "started" and events[-1].kind == "ended"
    assert [e.data["text"] for e in events if e.kind == "transcript"] == \
        [f"line {i}" for i in range(20)]
    record = _record(call_id)
    assert (record.status, record.end_reason, record.current_department) == \
        ("ended", "agent_ended", "complaints")
    assert (record.caller, record.called_number, record.first_department) == \
        ("+15550001", "+15550100", "sales")
    assert record.ended_at is not None and record.duration_seconds is not None


async def test_a_handoff_leaves_its_trace_in_the_record(make_state):
    rec = CallRecorder()
    state = make_state("reception", "en", recorder=rec)
    rec.open(room_name="r2", source="browser", department="reception", language="en")
    session = AgentSession[CallState](llm=state.providers.llm, userdata=state)
    await session.start(PersonaAgent(state.persona, state))
    try:
        await session.run(user_input="I want to buy a service")
    finally:
        await session.aclose()
    await rec.close("caller_hangup")

    kinds = [(e.kind, e.data.get("to")) for e in _events(rec.call_id or "")]
    assert ("handoff", "sales") in kinds
    assert _record(rec.call_id or "").current_department == "sales"


async def _dtmf_session(make_state, **kw):  # type: ignore[no-untyped-def]
    state = make_state("reception", "ar", **kw)
    session = AgentSession[CallState](llm=state.providers.llm, userdata=state)
    await session.start(PersonaAgent(state.persona, state))
    return session, state


async def _until(cond, timeout: float = 5.0) -> None:  # type: ignore[no-untyped-def]
    async with asyncio.timeout(timeout):
        while not cond():
            await asyncio.sleep(0.02)


async def test_dtmf_digit_hands_off_to_the_mapped_department(make_state):
    session, state = await _dtmf_session(make_state, source="sip", sip_identity="sip_+1555")
    try:
        await dtmf.handle_digit(session, state, MENU, "3")
        await _until(lambda: getattr(session.current_agent, "persona", None) is not None
                     and session.current_agent.persona.slug == "complaints")
        assert state.department == "complaints"
        texts = [i.text_content for i in session.history.items if i.type == "message"]
        assert any("الشكاوى" in (t or "") for t in texts)  # the announcement

        await dtmf.handle_digit(session, state, MENU, "9")  # not in the menu: ignored
        assert state.department == "complaints"
    finally:
        await session.aclose()


async def test_dtmf_zero_from_a_browser_asks_for_a_callback(make_state):
    rec = CallRecorder()
    session, state = await _dtmf_session(make_state, recorder=rec)
    rec.open(room_name="r3", source="browser", department="reception", language="ar")
    try:
        await dtmf.handle_digit(session, state, MENU, "0")
    finally:
        await session.aclose()
    await rec.close("caller_hangup")
    kinds = [e.kind for e in _events(rec.call_id or "")]
    assert "dtmf" in kinds and "callback_requested" in kinds


async def test_department_resolution_metadata_then_number_then_reception(settings):
    with session_scope() as db:
        sales = db.scalar(select(Department).where(Department.slug == "sales"))
        db.add(PhoneNumber(e164="+15550100", department_id=sales.id))
    try:
        known = ["reception", "sales", "complaints"]
        assert await resolve_department({"department": "complaints"}, "+15550100", known) \
            == "complaints"
        assert await resolve_department({}, "+15550100", known) == "sales"
        assert await resolve_department({"department": "nope"}, None, known) == "reception"
        assert await resolve_department({}, "+19990000", known) == "reception"
    finally:
        with session_scope() as db:
            db.execute(delete(PhoneNumber).where(PhoneNumber.e164 == "+15550100"))


def test_turn_handling_is_explicit_so_nothing_calls_a_cloud_gateway():
    voice = voice_turn_handling(Settings(_env_file=None, endpointing_min_delay_seconds=0.25))
    assert voice["endpointing"]["min_delay"] == 0.25
    for handling in (voice, TURN_HANDLING_TEXT):
        assert handling["turn_detection"] in ("vad", "manual")
        assert handling["interruption"]["mode"] == "vad"


def test_no_keys_means_the_offline_mode_with_local_speech(directory):
    providers = build_providers(Settings(_env_file=None), directory)
    assert isinstance(providers.llm, OfflineLLM)
    assert providers.stt_kind == "local" and providers.hears_speech
    assert isinstance(providers.tts_for(directory.resolve("sales"), "ar"), EspeakTTS)


async def test_openai_keys_build_real_providers_with_the_configured_options(directory):
    s = Settings(_env_file=None, openai_api_key="sk-test", openai_llm_model="gpt-test",
                 openai_base_url="http://127.0.0.1:9/v1", openai_stt_model="stt-test")
    providers = build_providers(s, directory)
    assert isinstance(providers.llm, openai.LLM) and providers.llm.model == "gpt-test"
    assert str(providers.llm._client.base_url).startswith("http://127.0.0.1:9/v1")
    assert providers.stt_kind == "openai"
    tts = providers.tts_for(directory.resolve("sales"), "en")
    assert isinstance(tts, openai.TTS) and tts._opts.voice == "nova"


async def test_elevenlabs_key_gives_each_persona_its_voice(directory):
    s = Settings(_env_file=None, eleven_api_key="el-test")
    providers = build_providers(s, directory)
    assert isinstance(providers.llm, OfflineLLM)  # no OpenAI key: offline dialogue engine
    tts = providers.tts_for(directory.resolve("complaints"), "ar")
    assert isinstance(tts, elevenlabs.TTS)
    assert tts._opts.voice_id == directory.resolve("complaints").voice("elevenlabs", "ar")


def test_a_forced_provider_without_its_key_is_an_error_not_a_silent_fallback(directory):
    with pytest.raises(ProviderConfigError):
        build_providers(Settings(_env_file=None, tts_provider="elevenlabs"), directory)
