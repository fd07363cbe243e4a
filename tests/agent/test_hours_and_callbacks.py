"""Business hours and callbacks in a conversation (livekit's AgentSession harness, offline
engine): a closed department says so at once and never transfers; the caller is called back
when it opens, another department open now is offered; a browser caller gives a number;
"are you open now?" is answered from the department's hours."""

from __future__ import annotations

import json
from datetime import timedelta
from types import SimpleNamespace
from unittest.mock import AsyncMock

import pytest
from pydantic import SecretStr
from sqlalchemy import select

import agent.refer
from agent.assistant import PersonaAgent
from agent.briefing import briefing_text
from agent.callback_call import greeting
from agent.callbacks import CallbackContext
from agent.providers import build_providers
from agent.state import CallState
from agent.tools import business_hours
from core import clock
from core.db import session_scope
from core.hours import DAYS, BusinessHours
from core.models import Callback
from tests.agent.expect import with_persona

CALLER = "+442079460555"  # valid for phonenumbers (UK drama range)


def _closed_until_tomorrow() -> BusinessHours:
    """Open only tomorrow 09:00-10:00 UTC: closed now, whatever the time of the run."""
    tomorrow = (clock.now() + timedelta(days=1)).date()
    return BusinessHours.from_json({"time_zone": "UTC",
                                    "weekly": {DAYS[tomorrow.weekday()]: [["09:00", "10:00"]]}})


@pytest.fixture
def refer(monkeypatch: pytest.MonkeyPatch) -> AsyncMock:
    """The SIP transfer API: the closed-hours path must never call it."""
    transfer = AsyncMock(return_value=None)
    job = SimpleNamespace(room=SimpleNamespace(name="call-sales_x"),
                          api=SimpleNamespace(sip=SimpleNamespace(
                              transfer_sip_participant=transfer)))
    monkeypatch.setattr(agent.refer, "get_job_context", lambda: job)
    return transfer


def _callback(callback_id: int) -> Callback:
    with session_scope() as db:
        row = db.get(Callback, callback_id)
        assert row is not None
        return row


async def test_a_closed_department_says_so_and_calls_back_instead_of_transferring(
        start_call, directory, refer) -> None:  # type: ignore[no-untyped-def]
    hours = _closed_until_tomorrow()
    closed = with_persona(directory, "sales", hours=hours,
                          human_transfer_target="tel:+442079460102")
    session, state, greeting = await start_call("sales", "en", directory=closed, source="sip",
                                                sip_identity=f"sip_{CALLER}", caller=CALLER)
    greeting.expect.skip_next_event_if(type="agent_handoff")
    text = greeting.expect.next_event().is_message(role="assistant").event().item.text_content
    assert "Sales is closed now; we open tomorrow at 09:00." in text

    result = await session.run(user_input="I want to talk to a person")

    result.expect.next_event().is_function_call(name="transfer_to_human")
    said = result.expect.next_event().is_message(role="assistant").event().item.text_content
    refer.assert_not_awaited()
    assert said.startswith("Our colleagues in Sales are not available now; they are back "
                           "tomorrow at 09:00. We'll call you back tomorrow at 09:00 on the "
                           "number ending in 0555.")
    assert "Or I can connect you with Reception, who are open now." in said
    with session_scope() as db:
        row = db.scalars(select(Callback).order_by(Callback.id.desc())).first()
        assert row is not None
        assert (row.number, row.via, row.language, row.status) == \
            (CALLER, "after_hours", "en", "pending")
        opens = hours.status(clock.now()).opens_at
        assert opens is not None and row.next_attempt_at.replace(tzinfo=opens.tzinfo) == opens


async def test_a_browser_caller_gives_the_number_to_call(start_call) -> None:  # type: ignore[no-untyped-def]
    session, state, _ = await start_call("complaints", "en")

    asked = await session.run(user_input="I want to talk to a human please")
    asked.expect.next_event().is_function_call(name="transfer_to_human")
    question = asked.expect.next_event().is_message(role="assistant").event().item.text_content
    assert "What number should we call?" in question

    bad = await session.run(user_input="it is 123456")
    bad.expect.next_event().is_function_call(name="request_callback")
    assert "doesn't look like a number" in \
        bad.expect.next_event().is_message(role="assistant").event().item.text_content

    given = await session.run(user_input="+44 20 7946 0101")
    call = given.expect.next_event().is_function_call(name="request_callback").event().item
    assert "talk to a human" in call.arguments
    confirmed = given.expect.next_event().is_message(role="assistant").event().item.text_content
    assert confirmed == "We'll call you back shortly on the number ending in 0101."


async def test_call_me_back_on_the_number_i_am_calling_from(start_call) -> None:  # type: ignore[no-untyped-def]
    session, state, _ = await start_call("sales", "ar", source="sip",
                                         sip_identity=f"sip_{CALLER}", caller=CALLER)
    result = await session.run(user_input="ممكن تتصلون بي بعدين")
    result.expect.next_event().is_function_call(name="request_callback")
    said = result.expect.next_event().is_message(role="assistant").event().item.text_content
    assert "0555" in said and "قريباً" in said


async def test_are_you_open_now_is_answered_from_the_departments_hours(
        start_call, directory) -> None:  # type: ignore[no-untyped-def]
    closed = with_persona(directory, "reception", hours=_closed_until_tomorrow())
    session, _, _ = await start_call("reception", "en", directory=closed)
    result = await session.run(user_input="are you open now?")
    answer = result.expect.next_event().is_message(role="assistant").event().item.text_content
    assert answer.startswith("Reception is closed now; we open tomorrow at 09:00.")
    assert "Our hours:" in answer and "09:00 to 10:00" in answer


def test_the_briefing_says_who_why_and_what_was_said(make_state) -> None:  # type: ignore[no-untyped-def]
    state = make_state("complaints", "ar", source="sip", caller=CALLER)
    state.recent.extend([{"role": "user", "text": "my order never arrived"},
                         {"role": "assistant", "text": "I am sorry to hear that"},
                         {"role": "user", "text": "I want a refund"}])
    text = briefing_text(with_persona_language(state, "en"), "refund for a lost order")
    assert text == ("A call from the Complaints assistant: a caller from a number ending in "
                    "0555, speaking Arabic. Reason: refund for a lost order. The caller said: "
                    "my order never arrived ... I want a refund.")
    assert "they pressed the key" in briefing_text(with_persona_language(state, "en"), "DTMF")


def with_persona_language(state, language: str):  # type: ignore[no-untyped-def]
    """The department's people work in `language` (the briefing is in theirs)."""
    state.directory = with_persona(state.directory, state.department,
                                   default_language=language)
    return state


def test_a_callback_call_greets_about_what_the_caller_wanted(directory) -> None:  # type: ignore[no-untyped-def]
    context = CallbackContext(7, CALLER, "a refund for order 12", "en", "call-1",
                              [{"role": "user", "text": "my parcel is lost"}])
    persona = directory.resolve("complaints")
    assert greeting(persona, context, "en") == (
        f"Hello, this is {persona.name('en')} from Ornina, calling you back about a refund "
        "for order 12. How can I help?")
    pressed = CallbackContext(7, CALLER, "DTMF", "en", "call-1",
                              [{"role": "user", "text": "my parcel is lost"}])
    assert "calling you back about my parcel is lost" in greeting(persona, pressed, "en")
    nothing = CallbackContext(7, CALLER, "DTMF", "en", None, [])
    assert "calling you back as you asked" in greeting(persona, nothing, "en")


async def test_an_llm_gets_the_same_hours_and_a_callback_tool(settings, directory) -> None:  # type: ignore[no-untyped-def]
    llm_settings = settings.model_copy(update={"openai_api_key": SecretStr("sk-test-no-network")})
    closed = with_persona(directory, "sales", hours=_closed_until_tomorrow())
    state = CallState(room_name="r", department="sales", language="en", directory=closed,
                      providers=build_providers(llm_settings, closed))
    agent = PersonaAgent(state.persona, state)
    assert {"business_hours", "request_callback", "transfer_to_human"} <= \
        {t.info.name for t in agent.tools}
    assert "Use request_callback" in agent.instructions

    hours = json.loads(await business_hours._func(SimpleNamespace(userdata=state)))
    assert hours["sales"]["open_now"] is False
    assert hours["sales"]["status"] == "Sales is closed now; we open tomorrow at 09:00."
    assert hours["reception"] == {"open_now": True, "week": "",
                                  "status": "Reception is open now, around the clock."}
