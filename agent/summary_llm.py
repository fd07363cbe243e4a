"""The call summary written by a model (OPENAI_API_KEY; any OpenAI-compatible OPENAI_BASE_URL),
with the rules summary as the fallback on any error or after SUMMARY_LLM_TIMEOUT_SECONDS.

The model writes only the sentences: the outcome and the details stay the rules' (so
filtering by outcome never depends on a model). It gets the transcript and what the rules
found, and is told to leave numbers out."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Sequence

import openai

from agent.logs import log
from agent.summary import CallFacts, Happened, Summary, rules_summary, transcript_of
from core.config import Settings

MAX_TURNS = 40
MAX_CHARS = 6000
MAX_SUMMARY_CHARS = 600
INSTRUCTIONS = (
    "You summarize contact-center calls for a supervisor. Write one or two short sentences in "
    "English: what the caller wanted and how the call ended. Do not include phone numbers, "
    "account numbers or other digits the caller said. Answer with the sentences only."
)


def _prompt(summary: Summary, events: Sequence[Happened]) -> str:
    turns = "\n".join(f"{role}: {text}" for role, text in transcript_of(events)[-MAX_TURNS:])
    details = summary.details
    facts = (f"Outcome: {summary.outcome}. Departments: {' -> '.join(details['departments'])}. "
             f"Reasons: {'; '.join(details['reasons']) or '-'}. "
             f"Language: {details['language']}. End: {details['end_reason']}.")
    return f"{facts}\n\nTranscript:\n{turns[-MAX_CHARS:] or '(nothing was said)'}"


async def _complete(settings: Settings, prompt: str) -> str:
    key = settings.openai_api_key.get_secret_value() if settings.openai_api_key else ""
    client = openai.AsyncClient(api_key=key, base_url=settings.openai_base_url, max_retries=0,
                                timeout=settings.summary_llm_timeout_seconds)
    try:
        reply = await client.chat.completions.create(
            model=settings.openai_llm_model, temperature=0, max_tokens=160,
            messages=[{"role": "system", "content": INSTRUCTIONS},
                      {"role": "user", "content": prompt}])
    finally:
        await client.close()
    text = " ".join((reply.choices[0].message.content or "").split())
    if not text:
        raise ValueError("the model wrote no summary")
    return text[:MAX_SUMMARY_CHARS]


async def summarize(call: CallFacts, events: Sequence[Happened], settings: Settings) -> Summary:
    """The rules summary, its sentences written by the model when a key is configured."""
    summary = rules_summary(call, events)
    if settings.openai_api_key is None or not settings.openai_api_key.get_secret_value():
        return summary
    try:
        text = await asyncio.wait_for(_complete(settings, _prompt(summary, events)),
                                      settings.summary_llm_timeout_seconds)
    except Exception as exc:  # timeout, network, API error: the rules' sentences stay
        log.warning("model summary failed (%s); keeping the rules summary",
                    type(exc).__name__)
        return summary
    return dataclasses.replace(summary, text=text, source="llm")
