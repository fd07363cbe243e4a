"""Understanding callers in a conversation (livekit's AgentSession harness, offline engine):
paraphrases hand over, unclear turns get one clarifying question, facts come from the
knowledge base in the caller's language; with an LLM, the same facts through lookup_knowledge."""

from __future__ import annotations

import json
from types import SimpleNamespace

import pytest
from pydantic import SecretStr

from agent.assistant import PersonaAgent
from agent.phrases import line
from agent.providers import build_providers
from agent.state import CallState
from agent.tools import lookup_knowledge
from tests.agent.expect import assert_handed_over


@pytest.mark.parametrize(("utterance", "target", "language"), [
    ("I'd like to place an order", "sales", "en"),
    ("the service was unacceptable", "complaints", "en"),
    ("ابغى اشترك بالباقة المميزة", "sales", "ar"),
    ("الموظف كان وقحا", "complaints", "ar"),  # a complaint about staff, not "a person please"
    ("can I speak to the failed department", "sales", "en"),  # speech-recognition error
])
async def test_a_paraphrase_hands_the_caller_over(start_call, directory, utterance, target,
                                                  language):
    session, state, _ = await start_call("reception", language)

    result = await session.run(user_input=utterance)

    assert_handed_over(result, directory, target, language)
    assert state.department == target


@pytest.mark.parametrize(("unclear", "language", "names"), [
    ("hmm blue", "en", ("Sales", "Complaints")),
    ("امم الطقس", "ar", ("المبيعات", "الشكاوى")),
])
async def test_an_unclear_turn_gets_one_clarifying_question(start_call, unclear, language,
                                                            names):
    session, state, _ = await start_call("reception", "ar" if language == "en" else "en")

    result = await session.run(user_input=unclear)

    question = result.expect.next_event().is_message(role="assistant").event().item.text_content
    result.expect.no_more_events()
    assert question.startswith(line("clarify", language).split("{")[0])
    assert all(name in question for name in names)
    assert state.department == "reception"

    # asked once: a second unclear turn is not asked the same question again
    again = await session.run(user_input=unclear)
    reply = again.expect.next_event().is_message(role="assistant").event().item.text_content
    assert reply != question

    # and a clear answer to the question is acted on
    answer = "complaints" if language == "en" else "الشكاوى"
    result = await session.run(user_input=answer)
    result.expect.next_event().is_function_call(name="transfer_to_department",
                                                arguments={"department": "complaints"})


@pytest.mark.parametrize(("question", "language", "fragment"), [
    # the example hours fact answers from the department's own hours (none: always open)
    ("What are your opening hours?", "en", "Reception is open now, around the clock"),
    ("where is your office", "en", "King Fahd Road"),
    ("How much does the premium plan cost?", "en", "249 dollars"),
    ("متى تفتحون؟", "ar", "مفتوح الآن، على مدار الساعة"),
    ("قديش سعر الباقة المميزة", "ar", "٢٤٩"),
])
async def test_a_knowledge_question_gets_the_stored_answer_in_the_callers_language(
        start_call, question, language, fragment):
    # the call's language is the other one: the answer follows the caller's words
    session, state, _ = await start_call("reception", "ar" if language == "en" else "en")

    result = await session.run(user_input=question)

    answer = result.expect.next_event().is_message(role="assistant").event().item.text_content
    result.expect.no_more_events()
    assert fragment in answer
    assert state.department == "reception"


async def test_the_services_answer_names_the_company(start_call):
    session, _, _ = await start_call("reception", "ar")
    result = await session.run(user_input="مرحباً، أريد معلومات عن خدماتكم")
    answer = result.expect.next_event().is_message(role="assistant").event().item.text_content
    assert "أورنينا" in answer and "{company}" not in answer


def test_with_an_llm_every_persona_looks_facts_up(settings, directory):
    llm_settings = settings.model_copy(update={"openai_api_key": SecretStr("sk-test-no-network")})
    providers = build_providers(llm_settings, directory)  # constructs clients, no request
    assert not providers.offline
    state = CallState(room_name="r", department="sales", language="en", directory=directory,
                      providers=providers)

    agent = PersonaAgent(state.persona, state)

    assert "lookup_knowledge" in {t.info.name for t in agent.tools}
    assert "only with what lookup_knowledge returns" in agent.instructions


async def test_lookup_knowledge_returns_the_departments_and_global_entries(make_state):
    state = make_state("sales", "ar")
    context = SimpleNamespace(userdata=state)

    found = json.loads(await lookup_knowledge._func(context, "is there a free trial"))

    topics = [e["topic"] for e in found["entries"]]
    assert topics[0] == "trial" and len(topics) == 3
    assert "١٤" in found["entries"][0]["answer"]  # in the call's language
    assert "refund" not in topics  # a complaints-only entry is not Sarah's to answer
    hours = json.loads(await lookup_knowledge._func(context, "opening hours"))["entries"][0]
    assert hours["topic"] == "hours" and "Answer only from these" in found["note"]
