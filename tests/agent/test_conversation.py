"""Agent behaviour over the offline engine, with livekit's own test harness (no room, text)."""

from __future__ import annotations

from types import SimpleNamespace
from unittest.mock import AsyncMock

import pytest
from livekit import api

import agent.refer
from agent.assistant import PersonaAgent
from agent.personas import PersonaDirectory
from tests.agent.expect import assert_handed_over, with_persona


def welcome(directory: PersonaDirectory, slug: str, language: str) -> str:
    return directory.resolve(slug).welcome_for(language)


@pytest.mark.parametrize("slug", ["reception", "sales", "complaints"])
@pytest.mark.parametrize("language", ["ar", "en"])
async def test_each_persona_greets_first_in_the_callers_language(start_call, directory, slug,
                                                                 language):
    _, _, greeting = await start_call(slug, language)

    greeting.expect.next_event().is_agent_handoff(new_agent_type=PersonaAgent)
    msg = greeting.expect.next_event().is_message(role="assistant")
    text = msg.event().item.text_content
    # the offline engine says how to reach it once, after the first welcome of the call
    how = {"ar": "يمكنك التحدث أو كتابة طلبك.", "en": "You can speak or type your request."}
    assert text == f"{welcome(directory, slug, language)} {how[language]}"
    company = "أورنينا" if language == "ar" else "Ornina"
    if slug == "reception":
        assert company in text
    assert "{" not in text


@pytest.mark.parametrize(("language", "menu"), [
    ("en", "Just tell me, or press 1 for Reception, 2 for Sales, 3 for Complaints, or 0 for a "
           "colleague."),
    ("ar", "تحدث إليّ، أو اضغط 1 لقسم الاستقبال، 2 لقسم المبيعات، 3 لقسم الشكاوى، أو 0 "
           "للتحدث مع موظف."),
])
async def test_a_phone_caller_hears_to_speak_or_press_a_key_once(start_call, directory, language,
                                                                 menu):
    session, state, greeting = await start_call("reception", language, source="sip")
    greeting.expect.next_event().is_agent_handoff(new_agent_type=PersonaAgent)
    text = greeting.expect.next_event().is_message(role="assistant").event().item.text_content
    assert text == f"{welcome(directory, 'reception', language)} {menu}"
    # a later persona of the same call just welcomes
    result = await session.run(user_input="sales" if language == "en" else "المبيعات")
    said = [e.item.text_content for e in result.events
            if e.type == "message" and e.item.role == "assistant"]
    assert said[-1] == welcome(directory, "sales", language), said


@pytest.mark.parametrize(("utterance", "target", "language"), [
    ("أريد شراء خدمة", "sales", "ar"),
    ("لدي شكوى", "complaints", "ar"),
    ("I want to buy a service", "sales", "en"),
    ("I have a complaint about my service", "complaints", "en"),
])
async def test_intent_hands_the_caller_to_the_right_department(start_call, directory, utterance,
                                                               target, language):
    session, state, _ = await start_call("reception", language)

    result = await session.run(user_input=utterance)

    assert_handed_over(result, directory, target, language)
    assert state.department == target


async def test_the_handoff_carries_the_conversation_over(start_call):
    session, _, _ = await start_call("reception", "ar")
    await session.run(user_input="مرحباً، أريد معلومات عن خدماتكم")

    await session.run(user_input="لدي شكوى")

    new_agent = session.current_agent
    assert isinstance(new_agent, PersonaAgent) and new_agent.persona.slug == "complaints"
    said = [i.text_content for i in new_agent.chat_ctx.items if i.type == "message"]
    assert "مرحباً، أريد معلومات عن خدماتكم" in said
    assert "لدي شكوى" in said
    # the new persona speaks with its own instructions, not the previous ones
    system = [i.text_content for i in new_agent.chat_ctx.items
              if i.type == "message" and i.role == "system"]
    assert len(system) == 1 and "محمد" in system[0]


async def test_no_transfer_to_the_department_already_on_the_line(start_call):
    session, state, _ = await start_call("sales", "en")

    result = await session.run(user_input="What are your prices?")

    result.expect.next_event().is_message(role="assistant")
    result.expect.no_more_events()
    assert state.department == "sales"


async def test_general_question_gets_a_short_answer_in_the_callers_language(start_call):
    session, _, _ = await start_call("reception", "ar")

    result = await session.run(user_input="مرحباً، أريد معلومات عن خدماتكم")

    text = result.expect.next_event().is_message(role="assistant").event().item.text_content
    assert "أورنينا" in text


def _with_human_line(directory: PersonaDirectory, slug: str, target: str) -> PersonaDirectory:
    return with_persona(directory, slug, human_transfer_target=target)


def _fake_job(monkeypatch: pytest.MonkeyPatch, transfer: AsyncMock) -> None:
    job = SimpleNamespace(room=SimpleNamespace(name="call-reception_+15550001_x"),
                          api=SimpleNamespace(sip=SimpleNamespace(
                              transfer_sip_participant=transfer)))
    monkeypatch.setattr(agent.refer, "get_job_context", lambda: job)


async def test_transfer_to_human_calls_the_sip_api_with_the_departments_line(
        start_call, directory, monkeypatch):
    transfer = AsyncMock(return_value=None)
    _fake_job(monkeypatch, transfer)
    session, state, _ = await start_call(
        "complaints", "ar", source="sip", sip_identity="sip_+15550001",
        directory=_with_human_line(directory, "complaints", "tel:+15559999"))

    result = await session.run(user_input="أريد التحدث مع موظف")

    result.expect.next_event().is_function_call(name="transfer_to_human")
    transfer.assert_awaited_once()
    request: api.TransferSIPParticipantRequest = transfer.await_args.args[0]
    assert request.room_name == "call-reception_+15550001_x"
    assert request.participant_identity == "sip_+15550001"
    assert request.transfer_to == "tel:+15559999"
    assert request.play_dialtone is True
    assert state.end_reason == "transferred_to_human"


async def test_failed_human_transfer_is_explained_and_the_call_goes_on(
        start_call, directory, monkeypatch):
    transfer = AsyncMock(side_effect=api.TwirpError("unavailable", "REFER rejected", status=503))
    _fake_job(monkeypatch, transfer)
    session, state, _ = await start_call(
        "reception", "en", source="sip", sip_identity="sip_+15550001",
        directory=_with_human_line(directory, "reception", "sip:desk@10.0.0.1"))

    result = await session.run(user_input="Can I talk to a human please?")

    result.expect.next_event().is_function_call(name="transfer_to_human")
    result.expect.skip_next_event_if(type="message", role="assistant")  # "one moment..."
    result.expect.next_event().is_function_call_output(is_error=True)
    apology = result.expect.next_event().is_message(role="assistant").event().item.text_content
    assert "sorry" in apology.lower()
    assert state.end_reason is None

    # still connected to the assistant: the next request is served normally
    result = await session.run(user_input="Then I want to buy something")
    result.expect.next_event().is_function_call(name="transfer_to_department",
                                                arguments={"department": "sales"})


async def test_browser_caller_asking_for_a_human_gets_a_callback(start_call, monkeypatch):
    transfer = AsyncMock()
    _fake_job(monkeypatch, transfer)
    session, _, _ = await start_call("reception", "en", source="browser")

    result = await session.run(user_input="I want a real person")

    result.expect.next_event().is_function_call(name="transfer_to_human")
    text = result.expect.next_event().is_message(role="assistant").event().item.text_content
    assert "call you back" in text
    transfer.assert_not_awaited()


async def test_language_switch_mid_call(start_call):
    session, state, _ = await start_call("reception", "ar")

    result = await session.run(user_input="English please")

    result.expect.next_event().is_function_call(name="set_language", arguments={"language": "en"})
    result.expect.next_event().is_function_call_output()
    result.expect.next_event().is_agent_handoff(new_agent_type=PersonaAgent)
    confirm = result.expect.next_event().is_message(role="assistant").event().item.text_content
    assert "English" in confirm
    assert state.language == "en"
    assert "Ahmed" in session.current_agent.instructions

    result = await session.run(user_input="I have a problem with my order")
    result.expect.next_event().is_function_call(name="transfer_to_department",
                                                arguments={"department": "complaints"})


async def test_goodbye_ends_the_call(start_call):
    session, state, _ = await start_call("sales", "ar")

    result = await session.run(user_input="شكراً، مع السلامة")

    result.expect.next_event().is_function_call(name="end_call")
    text = result.expect.next_event().is_message(role="assistant").event().item.text_content
    assert "مع السلامة" in text
    assert state.end_reason == "agent_ended"
