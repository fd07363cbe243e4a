"""Function tools every persona has: department handoff, human transfer (agent/human.py),
callbacks, language, hang up, and the knowledge and business-hours lookups that an LLM
answers facts from.

Tools that must say something exact (announcements, goodbyes) speak it themselves; failures
the caller should hear about raise `ToolError`, so the model tells the caller and the call
goes on with the assistant.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

from livekit.agents import (
    Agent,
    AgentSession,
    RunContext,
    ToolError,
    function_tool,
    get_job_context,
    llm,
)

from agent.human import TransferFailed, arrange_callback, hand_to_human
from agent.logs import log
from agent.opening import answer_values, fill, status_line, week_line
from agent.personas import LANGUAGES
from agent.phrases import line
from agent.speech import switch_language
from agent.state import CallState
from core import clock
from core.config import get_settings
from core.phone import find_number


async def _say(context: RunContext[CallState], text: str) -> None:
    """Speak exact text from inside a tool, after what the assistant was already saying."""
    await context.wait_for_playout()
    async with context.foreground():
        await context.session.say(text)


def _transfer_schema(departments: list[str], labels: dict[str, str]) -> dict[str, Any]:
    listing = ", ".join(f"{slug} ({labels[slug]})" for slug in departments)
    return {
        "name": "transfer_to_department",
        "description": "Hand the caller to another department's assistant. Departments: "
                       f"{listing}.",
        "parameters": {
            "type": "object",
            "properties": {
                "department": {"type": "string", "enum": departments,
                               "description": "slug of the target department"},
                "reason": {"type": "string", "description": "why, in a few words"},
            },
            "required": ["department", "reason"],
        },
    }


def _history(session: AgentSession[CallState]) -> llm.ChatContext:
    # livekit starts the next agent with an empty context unless we hand the history over
    return session.history.copy(exclude_instructions=True, exclude_function_call=True,
                                exclude_empty_message=True, exclude_handoff=True,
                                exclude_config_update=True)


def handoff_agent(session: AgentSession[CallState], slug: str, reason: str,
                  via: str = "assistant") -> Agent:
    """Switch the call to `slug`'s persona: update state, record it, build the next Agent."""
    from agent.assistant import PersonaAgent

    state = session.userdata
    previous = state.department
    state.department = slug
    state.visited.append(slug)
    state.record("handoff", **{"from": previous, "to": slug, "reason": reason, "via": via})
    if state.recorder:
        state.recorder.update(current_department=slug)
    log.info("handoff %s -> %s (%s)", previous, slug, via, extra={"department": slug})
    return PersonaAgent(state.directory.resolve(slug), state, chat_ctx=_history(session))


def announcement(state: CallState, slug: str) -> str:
    label = state.directory.resolve(slug).department_name(state.language)
    return line("announce_handoff", state.language, department=label)


async def transfer_to_department(raw_arguments: dict[str, Any],
                                 context: RunContext[CallState]) -> Any:
    state = context.userdata
    slug = str(raw_arguments.get("department", "")).strip().lower()
    reason = str(raw_arguments.get("reason", ""))
    if state.directory.get(slug) is None:
        raise ToolError(f"unknown department {slug!r}; choose one of {state.directory.slugs}")
    if slug == state.department:
        raise ToolError(f"the caller is already with {slug}")
    await _say(context, announcement(state, slug))
    from agent.sip_handoff import move_call_to_department

    try:
        if await move_call_to_department(context.session, slug, reason, via="assistant"):
            return None  # the call itself went to the other department
    except TransferFailed as exc:
        raise ToolError(f"the transfer to {slug} failed ({exc}); apologise and keep helping "
                        "the caller") from exc
    return handoff_agent(context.session, slug, reason)


@function_tool
async def transfer_to_human(context: RunContext[CallState], reason: str) -> str | None:
    """Transfer the caller to a human colleague of this department.

    Args:
        reason: why the caller wants a person, in a few words
    """
    try:
        await hand_to_human(context.userdata, reason, "assistant",
                            lambda text: _say(context, text))
    except TransferFailed as exc:
        raise ToolError(f"the transfer to a colleague failed ({exc}); apologise and keep "
                        "helping the caller") from exc
    return None


@function_tool
async def request_callback(context: RunContext[CallState], reason: str,
                           phone_number: str = "") -> None:
    """Arrange for the caller to be called back: when they ask to be called back, or give
    the number to call after you asked for it.

    Args:
        reason: what the call back is about, in a few words
        phone_number: the number the caller gave, with country code; empty for a phone
            caller who wants to be called on the number they are calling from
    """
    state = context.userdata
    number = None
    if phone_number.strip():
        number = find_number(phone_number, get_settings().phone_region)
        if number is None:
            state.record("callback_number_refused")  # the text is not kept: it may be PII
            await _say(context, line("callback_bad_number", state.language))
            return None
    await arrange_callback(state, reason, "assistant", lambda text: _say(context, text),
                           clock.now(), number=number)
    return None


@function_tool
async def business_hours(context: RunContext[CallState]) -> str:
    """Whether each department's people are there now and when they are open: call it when
    the caller asks if you are open, when you open or close, or before promising a person."""
    state = context.userdata
    now = clock.now()
    return json.dumps({slug: {"open_now": persona.hours_at(now).open,
                              "status": status_line(persona, now, state.language),
                              "week": week_line(persona, state.language)}
                       for slug, persona in state.directory.personas.items()},
                      ensure_ascii=False)


@function_tool
async def set_language(context: RunContext[CallState], language: str) -> Any:
    """Switch the conversation language when the caller asks for another language.

    Args:
        language: "ar" for Arabic or "en" for English
    """
    from agent.assistant import PersonaAgent

    state = context.userdata
    language = language.strip().lower()[:2]
    if language not in LANGUAGES:
        raise ToolError(f"unsupported language {language!r}; use one of {LANGUAGES}")
    if language == state.language:
        return json.dumps({"language": language})
    switch_language(state, language, via="caller")
    # same persona, new prompt and voice; it confirms in the new language instead of greeting
    return PersonaAgent(state.persona, state, chat_ctx=_history(context.session), greet=False)


KNOWLEDGE_MATCHES = 3


def knowledge_for(state: CallState, query: str) -> list[dict[str, Any]]:
    """The knowledge entries closest to `query` that this department may answer from (its own
    and global ones), in the call's language, best first, placeholders filled as the offline
    engine fills them (the company, this department's hours now and its week)."""
    values = answer_values(state.directory, state.department, state.language, clock.now())
    matches = state.directory.understanding().lookup(query, state.department,
                                                     KNOWLEDGE_MATCHES)
    return [{"topic": m.entry.key, "relevance": round(m.score, 2),
             "answer": fill(m.entry.answer(state.language) or "", values)}
            for m in matches]


@function_tool
async def lookup_knowledge(context: RunContext[CallState], query: str) -> str:
    """Look up the company's facts: opening hours, address, contact details, services, plans
    and prices, payment, delivery and policies. Call it before answering any such question.

    Args:
        query: the caller's question, in their words
    """
    found = knowledge_for(context.userdata, query)
    context.userdata.record("knowledge_lookup", query=query[:200],
                            topics=[f["topic"] for f in found])
    return json.dumps({"entries": found,
                       "note": "Answer only from these entries; if none answers the question, "
                               "say you do not have that information."}, ensure_ascii=False)


@function_tool
async def end_call(context: RunContext[CallState]) -> None:
    """End the call when the caller says goodbye or has nothing else to ask."""
    state = context.userdata
    await _say(context, line("goodbye", state.language,
                              company=state.persona.company_name(state.language)))
    state.end_reason = state.end_reason or "agent_ended"
    state.record("agent_hangup")
    asyncio.get_running_loop().call_soon(hang_up, context.session)


def hang_up(session: AgentSession[CallState]) -> None:
    """Delete the room (drops a SIP caller) or, outside a room, just shut the session down."""
    try:
        job = get_job_context()
    except RuntimeError:
        session.shutdown()
        return

    async def _delete_room() -> None:  # after the session closed: drops a SIP caller too
        await job.delete_room()

    job.add_shutdown_callback(_delete_room)
    job.shutdown(reason="agent ended the call")


def tools_for(slug: str, state: CallState) -> list[llm.Tool]:
    """The tools of one persona: handoff only to the OTHER departments of this call."""
    others = [s for s in state.directory.slugs if s != slug]
    tools: list[llm.Tool] = [lookup_knowledge, business_hours, transfer_to_human,
                             request_callback, set_language, end_call]
    if others:
        labels = {s: state.directory.personas[s].department_name("en") for s in others}
        tools.insert(0, function_tool(transfer_to_department,
                                      raw_schema=_transfer_schema(others, labels)))
    return tools
