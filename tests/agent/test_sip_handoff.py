"""Handoff references (one use, expiring, unknown ignored) and the in-room rule for browsers.
The SIP path itself runs for real in tests/telephony/test_sip_handoff.py."""

from __future__ import annotations

import dataclasses

from agent import handoff_refs
from agent.assistant import PersonaAgent
from agent.personas import PersonaDirectory
from agent.sip_handoff import acknowledged_welcome
from core.db import session_scope
from core.models import CallRecord


def _call_id() -> str:
    with session_scope() as db:
        record = CallRecord(room_name="call-reception_x", source="sip",
                            first_department="reception", current_department="reception",
                            language="en")
        db.add(record)
        db.flush()
        return record.id


def _reference(ttl: int = 60, **kw) -> tuple[str, str]:  # type: ignore[no-untyped-def]
    parent = _call_id()
    fields = dict(from_call_id=parent, from_department="reception", to_department="sales",
                  to_number="+442079460102", language="en", reason="wants to buy",
                  turns=[{"role": "user", "text": "I want to buy a service"}], ttl_seconds=ttl)
    return handoff_refs.create(**{**fields, **kw}), parent


def test_a_reference_is_honoured_once(settings) -> None:  # type: ignore[no-untyped-def]
    reference, parent = _reference()
    assert len(reference) >= 30

    first = handoff_refs.consume(reference, _call_id())
    assert first is not None
    assert (first.from_call_id, first.from_department, first.language) == \
        (parent, "reception", "en")
    assert first.turns == [{"role": "user", "text": "I want to buy a service"}]

    assert handoff_refs.consume(reference, _call_id()) is None  # reused


def test_unknown_expired_and_discarded_references_are_ignored(settings) -> None:  # type: ignore[no-untyped-def]
    assert handoff_refs.consume("no-such-reference", _call_id()) is None
    assert handoff_refs.consume("x" * 500, _call_id()) is None
    expired, _ = _reference(ttl=-1)
    assert handoff_refs.consume(expired, _call_id()) is None
    discarded, _ = _reference()
    handoff_refs.discard(discarded)
    assert handoff_refs.consume(discarded, _call_id()) is None


def test_the_department_number_is_where_a_transfer_goes(settings) -> None:  # type: ignore[no-untyped-def]
    assert handoff_refs.department_number("no-such-department") is None


def test_the_new_persona_acknowledges_who_passed_the_call_and_why(directory) -> None:  # type: ignore[no-untyped-def]
    reference, _ = _reference()
    handed = handoff_refs.consume(reference, _call_id())
    assert handed is not None
    text = acknowledged_welcome(directory.resolve("sales"), directory.resolve("reception"),
                                handed, "en")
    assert text.startswith(directory.resolve("sales").welcome_for("en"))
    assert "Ahmed from Reception passed your call to me, about: I want to buy a service" in text


async def test_browser_callers_are_always_handed_over_in_the_room(
        start_call, directory: PersonaDirectory) -> None:
    personas = {**directory.personas}
    personas["sales"] = dataclasses.replace(personas["sales"], handoff_mode="sip_transfer")
    session, state, _ = await start_call("reception", "en",
                                         directory=PersonaDirectory.of(personas.values(),
                                                                       nlu=directory.nlu))
    assert state.source == "browser"

    result = await session.run(user_input="I want to buy a service")

    result.expect.next_event().is_function_call(name="transfer_to_department")
    result.expect.skip_next_event_if(type="message", role="assistant")
    result.expect.next_event().is_function_call_output(is_error=False)
    handoff = result.expect.next_event().is_agent_handoff(new_agent_type=PersonaAgent)
    assert handoff.event().new_agent.persona.slug == "sales"
    assert state.end_reason is None  # still on the line, now with Sarah
