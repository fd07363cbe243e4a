"""Assertions on AgentSession harness results shared by the agent tests."""

from __future__ import annotations

import dataclasses
from typing import Any

from agent.assistant import PersonaAgent
from agent.personas import PersonaDirectory


def assert_handed_over(result: Any, directory: PersonaDirectory, target: str,
                       language: str) -> None:
    """The turn called transfer_to_department(target), announced it, switched persona, and
    the new persona greeted in `language`."""
    result.expect.next_event().is_function_call(name="transfer_to_department",
                                                arguments={"department": target})
    result.expect.skip_next_event_if(type="message", role="assistant")  # the announcement
    result.expect.next_event().is_function_call_output(is_error=False)
    handoff = result.expect.next_event().is_agent_handoff(new_agent_type=PersonaAgent)
    assert handoff.event().new_agent.persona.slug == target
    greeting = result.expect.next_event().is_message(role="assistant")
    assert greeting.event().item.text_content == directory.resolve(target).welcome_for(language)


def with_persona(directory: PersonaDirectory, slug: str, **changes: Any) -> PersonaDirectory:
    """`directory` with one persona's fields changed (a human line, hours, transfer mode)."""
    personas = {**directory.personas}
    personas[slug] = dataclasses.replace(personas[slug], **changes)
    return PersonaDirectory.of(personas.values(), nlu=directory.nlu)
