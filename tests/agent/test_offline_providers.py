"""The offline mode's pieces on their own: the rules engine and espeak-ng speech."""

from __future__ import annotations

import numpy as np
import pytest
from livekit.agents import APIConnectionError, APIConnectOptions, llm
from sqlalchemy import delete

from agent.assistant import PersonaAgent
from agent.offline import EspeakTTS, OfflineLLM
from agent.offline.llm import OfflineKnowledge, decide
from agent.personas import load_directory
from agent.providers import offline_knowledge
from agent.tools import tools_for
from core.db import session_scope
from core.models import Department


def _ctx(*turns: tuple[str, str]) -> llm.ChatContext:
    ctx = llm.ChatContext.empty()
    for role, text in turns:
        ctx.add_message(role=role, content=text)  # type: ignore[arg-type]
    return ctx


@pytest.mark.parametrize(("text", "tool", "args"), [
    ("أريد شراء خدمة", "transfer_to_department", {"department": "sales"}),
    ("ابغى اشترك في الباقة المميزة", "transfer_to_department", {"department": "sales"}),
    ("الموظف كان وقحا معي", "transfer_to_department", {"department": "complaints"}),
    ("the service was unacceptable", "transfer_to_department", {"department": "complaints"}),
    ("لدي مشكلة في الفاتورة", "transfer_to_department", {"department": "complaints"}),
    ("I'd like to purchase a plan", "transfer_to_department", {"department": "sales"}),
    ("there is an issue with my order", "transfer_to_department", {"department": "complaints"}),
    ("أريد التحدث مع موظف", "transfer_to_human", {}),
    ("let me speak to a representative", "transfer_to_human", {}),
    ("bye", "end_call", {}),
    ("مع السلامة", "end_call", {}),
    ("English please", "set_language", {"language": "en"}),
    ("I want to talk to Sarah", "transfer_to_department", {"department": "sales"}),
])
def test_rules_map_phrases_to_the_tool_calls_a_model_would_make(make_state, directory, settings,
                                                                text, tool, args):
    state = make_state("reception", "ar")
    decision = decide(_ctx(("assistant", "أهلاً"), ("user", text)),
                      tools_for("reception", state), offline_knowledge(directory, settings))
    assert decision.tool == tool
    for key, value in args.items():
        assert decision.arguments[key] == value


def test_without_the_tools_it_answers_in_the_callers_script():
    ar = decide(_ctx(("user", "أريد شراء خدمة")), [], OfflineKnowledge())
    en = decide(_ctx(("user", "I want to buy")), [], OfflineKnowledge())
    assert ar.tool is None and "أورنينا" in (ar.text or "")
    assert en.tool is None and "Ornina" in (en.text or "")


async def test_llm_stream_emits_a_tool_call_chunk(make_state, directory, settings):
    state = make_state("reception", "en")
    stream = OfflineLLM(offline_knowledge(directory, settings)).chat(
        chat_ctx=_ctx(("user", "I have a complaint")), tools=tools_for("reception", state))
    collected = await stream.collect()
    assert [c.name for c in collected.tool_calls] == ["transfer_to_department"]


async def test_a_department_added_in_the_db_is_reachable_with_no_code_change(
        settings, start_call):
    with session_scope() as db:
        db.add(Department(slug="billing", display_name={"ar": "الفواتير", "en": "Billing"},
                          persona_name={"ar": "ليلى", "en": "Layla"}, default_language="en",
                          instructions={}, welcome={"en": "Billing here, Layla speaking."},
                          voices={}))
    try:
        directory = load_directory(settings)
        session, state, _ = await start_call("reception", "en", directory=directory)

        result = await session.run(user_input="I have a question for billing")

        result.expect.next_event().is_function_call(name="transfer_to_department",
                                                    arguments={"department": "billing"})
        assert isinstance(session.current_agent, PersonaAgent)
        assert session.current_agent.persona.slug == "billing"
        assert result.expect.contains_message(role="assistant").event().item.text_content
        assert state.persona.welcome_for("en") == "Billing here, Layla speaking."
        assert "Layla" in state.persona.instructions_for("en")  # generic prompt, filled in
    finally:
        with session_scope() as db:
            db.execute(delete(Department).where(Department.slug == "billing"))


@pytest.mark.parametrize(("text", "voice"), [("مرحباً بكم في أورنينا", "ar"),
                                             ("Welcome to Ornina", "en-us")])
async def test_espeak_speaks_arabic_and_english(text, voice):
    tts = EspeakTTS()
    assert tts.voice_for(text) == voice
    frames = [ev.frame async for ev in tts.synthesize(text)]
    pcm = np.concatenate([np.frombuffer(f.data, dtype=np.int16) for f in frames])
    assert frames[0].sample_rate == 22050
    assert len(pcm) / 22050 > 0.5
    assert np.abs(pcm).max() > 1000  # not silence


NO_RETRY = APIConnectOptions(max_retry=0)


async def _pcm(tts: EspeakTTS, text: str) -> np.ndarray:
    frames = [ev.frame async for ev in tts.synthesize(text, conn_options=NO_RETRY)]
    return np.concatenate([np.frombuffer(f.data, dtype=np.int16) for f in frames])


async def test_a_remembered_phrase_is_spoken_without_running_espeak_again(monkeypatch):
    from agent.offline import tts as espeak

    monkeypatch.setattr(espeak, "_PHRASES", {})
    voice = EspeakTTS()
    live = await _pcm(voice, "Welcome to the sales line")
    assert voice.remember("Welcome to the sales line")
    voice.executable = "/nonexistent/espeak-ng"  # from here on only remembered text can speak
    cached = await _pcm(voice, "  Welcome to the sales line ")
    assert np.array_equal(cached, live)
    with pytest.raises(APIConnectionError):
        await _pcm(voice, "A line nobody remembered")


def test_the_phrase_cache_is_bounded(monkeypatch):
    from agent.offline import tts as espeak

    monkeypatch.setattr(espeak, "_PHRASES", {("v", 1, f"t{i}"): b"" for i in range(64)})
    assert EspeakTTS().remember("one more") is False
    assert len(espeak._PHRASES) == espeak.MAX_PHRASES
