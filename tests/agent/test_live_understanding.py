"""Understanding callers in the real local stack: the product worker (offline mode) in a
LiveKit room, the caller typing on lk.chat: a paraphrase hands over, an unclear turn gets
the clarifying question, a factual question gets the stored answer in the caller's language."""

from __future__ import annotations

import json
import uuid

import pytest
from livekit import api

from agent.phrases import line
from tests.agent.test_live_worker import Caller, _token, eventually

pytestmark = pytest.mark.live


@pytest.fixture
async def call(live_stack, lk, agent_worker):  # type: ignore[no-untyped-def]
    """call(department, language) -> a connected Caller in a room the worker was sent to."""
    callers: list[Caller] = []

    async def start(department: str, language: str) -> Caller:
        room = f"call-nlu-{uuid.uuid4().hex[:8]}"
        await lk.room.create_room(api.CreateRoomRequest(name=room, empty_timeout=60))
        await lk.agent_dispatch.create_dispatch(api.CreateAgentDispatchRequest(
            agent_name=agent_worker.agent_name, room=room,
            metadata=json.dumps({"department": department, "language": language})))
        caller = Caller()
        callers.append(caller)
        await caller.room.connect(live_stack.cfg.livekit_url,
                                  _token(live_stack.cfg, room, f"caller-{room[-8:]}"))
        await eventually(lambda: caller.agent_attributes().get("cc.department") == department,
                         45, f"the {department} assistant in the room")
        return caller

    yield start
    for caller in callers:
        await caller.close()


async def say(caller: Caller, text: str) -> None:
    await caller.room.local_participant.send_text(text, topic="lk.chat")


async def test_a_spoken_style_paraphrase_hands_over(call, directory) -> None:  # type: ignore[no-untyped-def]
    caller = await call("reception", "en")
    await eventually(lambda: caller.said(directory.resolve("reception").welcome_for("en")), 30,
                     "Ahmed's greeting")

    await say(caller, "um hi I wanna place an order for the premium plan")

    await eventually(lambda: caller.said(directory.resolve("sales").welcome_for("en")), 30,
                     "Sarah's greeting after the handoff")
    # the greeting goes out first; the new persona's attributes follow it
    await eventually(lambda: caller.agent_attributes().get("cc.department") == "sales", 20,
                     "Sarah's attributes")


async def test_an_unclear_turn_gets_the_clarifying_question(call, directory) -> None:  # type: ignore[no-untyped-def]
    caller = await call("reception", "ar")
    await eventually(lambda: caller.said(directory.resolve("reception").welcome_for("ar")), 30,
                     "Ahmed's greeting")

    await say(caller, "امم الطقس")

    opening = line("clarify", "ar").split("{")[0]
    await eventually(lambda: caller.said(opening), 30, "the clarifying question")
    question = next(text for _, text in caller.transcripts if opening in text)
    assert "المبيعات" in question and "الشكاوى" in question
    assert caller.agent_attributes()["cc.department"] == "reception"


async def test_a_factual_question_gets_the_stored_answer(call, directory) -> None:  # type: ignore[no-untyped-def]
    caller = await call("reception", "ar")
    await eventually(lambda: caller.said(directory.resolve("reception").welcome_for("ar")), 30,
                     "Ahmed's greeting")

    await say(caller, "What are your opening hours?")

    await eventually(lambda: caller.said("is open now, around the clock"), 30,
                     "the department's opening hours, in English")
    assert caller.agent_attributes()["cc.department"] == "reception"
