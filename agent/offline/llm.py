"""The offline dialogue engine, implementing livekit's `llm.LLM`.

It reads the caller's last message and answers with the same tool calls a real LLM would make,
or a short answer in the caller's language. What the caller means comes from `nlu` (a
classifier fitted on each department's routing examples and the knowledge entries, loaded
with the departments when the call starts): hand over to a department, answer from the
knowledge base, transfer to a person, or — nothing confident — ask once which department the
caller needs. Goodbye and language switches are keyword checks. Department targets come from
the tools it is given (the `transfer_to_department` enum), so a department added through the
admin API is reachable by its names and examples with no code change.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from livekit.agents import llm, utils
from livekit.agents.llm.tool_context import FunctionTool, RawFunctionTool
from livekit.agents.types import (
    DEFAULT_API_CONNECT_OPTIONS,
    NOT_GIVEN,
    APIConnectOptions,
    NotGivenOr,
)

from agent.opening import fill
from agent.phrases import alternatives, line
from nlu.normalize import contains_any, is_arabic
from nlu.understand import (
    Answer,
    Clarify,
    HumanRequest,
    NluData,
    Route,
    Understanding,
    build_understanding,
)

GOODBYE = ("مع السلامة", "مع السلامه", "وداعا", "الى اللقاء", "bye", "goodbye", "good bye")
TO_ENGLISH = ("english please", "speak english", "in english", "english", "بالانجليزي",
              "انجليزي", "بالإنجليزية")
# "call me back": the caller asks for a callback (agent/human.py places it)
CALLBACK = ("call me back", "call back", "callback", "ring me back", "اتصل بي", "اتصلوا بي",
            "اتصلو بي", "كلموني", "رجعوا لي", "تتصلون بي")
NUMBER_DIGITS = 6  # a message with this many digits after we asked for a number gives one
TO_ARABIC = ("تكلم عربي", "بالعربي", "بالعربية", "عربي", "arabic please", "speak arabic",
             "in arabic", "arabic")


@dataclass(frozen=True)
class OfflineKnowledge:
    """What the engine knows: the company's name, how to say each department, and what
    callers mean (`nlu.Understanding`; default: departments recognised by name only)."""

    company: Mapping[str, str] = field(default_factory=lambda: {"ar": "أورنينا", "en": "Ornina"})
    # slug -> {"ar": "المبيعات", "en": "Sales"} for spoken answers
    department_labels: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    understanding: Understanding | None = None
    # (department, language) -> what an answer's placeholders say ({company}, {hours_now},
    # {hours}: agent/opening.py); default: the company's name only
    placeholders: Callable[[str | None, str], Mapping[str, str]] | None = None

    def understand(self) -> Understanding:
        if self.understanding is not None:
            return self.understanding
        names = {slug: list(labels.values()) for slug, labels in self.department_labels.items()}
        return build_understanding(NluData.of(names, [], []))

    def company_name(self, language: str) -> str:
        return self.company.get(language) or next(iter(self.company.values()), "")

    def values(self, department: str | None, language: str) -> Mapping[str, str]:
        if self.placeholders is not None:
            return self.placeholders(department, language)
        return {"company": self.company_name(language)}


def _tool_name(tool: llm.Tool) -> str | None:
    if isinstance(tool, (FunctionTool, RawFunctionTool)):
        return tool.info.name
    return None


def offered_departments(tools: Sequence[llm.Tool]) -> list[str]:
    """Department slugs offered by the `transfer_to_department` tool's schema enum."""
    for tool in tools:
        if isinstance(tool, RawFunctionTool) and tool.info.name == "transfer_to_department":
            props = tool.info.raw_schema.get("parameters", {}).get("properties", {})
            return list(props.get("department", {}).get("enum", []))
    return []


class OfflineLLM(llm.LLM):
    def __init__(self, knowledge: OfflineKnowledge | None = None) -> None:
        super().__init__()
        self.knowledge = knowledge or OfflineKnowledge()

    @property
    def model(self) -> str:
        return "offline-rules"

    @property
    def provider(self) -> str:
        return "contact-center"

    def chat(
        self,
        *,
        chat_ctx: llm.ChatContext,
        tools: list[llm.Tool] | None = None,
        conn_options: APIConnectOptions = DEFAULT_API_CONNECT_OPTIONS,
        parallel_tool_calls: NotGivenOr[bool] = NOT_GIVEN,
        tool_choice: NotGivenOr[llm.ToolChoice] = NOT_GIVEN,
        extra_kwargs: NotGivenOr[dict[str, Any]] = NOT_GIVEN,
    ) -> OfflineLLMStream:
        allow_tools = tool_choice != "none"
        return OfflineLLMStream(self, chat_ctx=chat_ctx, tools=tools or [],
                                conn_options=conn_options, allow_tools=allow_tools)


@dataclass
class Decision:
    text: str | None = None
    tool: str | None = None
    arguments: dict[str, Any] = field(default_factory=dict)


class OfflineLLMStream(llm.LLMStream):
    def __init__(self, offline: OfflineLLM, *, chat_ctx: llm.ChatContext, tools: list[llm.Tool],
                 conn_options: APIConnectOptions, allow_tools: bool) -> None:
        super().__init__(offline, chat_ctx=chat_ctx, tools=tools, conn_options=conn_options)
        self._knowledge = offline.knowledge
        self._allow_tools = allow_tools

    async def _run(self) -> None:
        decision = decide(self._chat_ctx, self._tools, self._knowledge,
                          allow_tools=self._allow_tools)
        request_id = utils.shortuuid("offline_")
        if decision.tool:
            call = llm.FunctionToolCall(name=decision.tool,
                                        arguments=json.dumps(decision.arguments,
                                                             ensure_ascii=False),
                                        call_id=utils.shortuuid("call_"))
            self._event_ch.send_nowait(llm.ChatChunk(
                id=request_id, delta=llm.ChoiceDelta(role="assistant", tool_calls=[call])))
        elif decision.text:
            self._event_ch.send_nowait(llm.ChatChunk(
                id=request_id, delta=llm.ChoiceDelta(role="assistant", content=decision.text)))


def _assistant_language(chat_ctx: llm.ChatContext) -> str | None:
    """The language the assistant last spoke, if it spoke."""
    return _conversation_language(chat_ctx, roles=("assistant",), default=None)


def _conversation_language(chat_ctx: llm.ChatContext, *,
                           roles: tuple[str, ...] = ("user", "assistant"),
                           default: str | None = "ar") -> str | None:
    """The language of the last message with letters in it."""
    for item in reversed(chat_ctx.items):
        if item.type == "message" and item.role in roles:
            text = item.text_content or ""
            if any(c.isalpha() for c in text):
                return "ar" if is_arabic(text) else "en"
    return default


def decide(chat_ctx: llm.ChatContext, tools: Sequence[llm.Tool], knowledge: OfflineKnowledge,
           *, allow_tools: bool = True) -> Decision:
    """The whole engine: last conversation item in, one tool call or one short answer out."""
    items = [i for i in chat_ctx.items if i.type in ("message", "function_call_output")
             and not (i.type == "message" and i.role in ("system", "developer"))]
    if not items:
        return Decision()
    last = items[-1]
    language = _conversation_language(chat_ctx) or "ar"
    if last.type == "function_call_output":
        return _after_tool(last, language)
    if last.role != "user":
        return Decision()

    text = last.text_content or ""
    language = "ar" if is_arabic(text) else "en"
    names = {n for n in (_tool_name(t) for t in tools) if n}
    offered = offered_departments(tools)
    reason = text.strip()[:200]
    if allow_tools:
        if "end_call" in names and contains_any(text, GOODBYE):
            return Decision(tool="end_call", arguments={})
        if "set_language" in names:
            speaking = _assistant_language(chat_ctx)
            if speaking != "en" and contains_any(text, TO_ENGLISH):
                return Decision(tool="set_language", arguments={"language": "en"})
            if speaking != "ar" and contains_any(text, TO_ARABIC):
                return Decision(tool="set_language", arguments={"language": "ar"})
        if "request_callback" in names and (callback := _callback(text, chat_ctx)):
            return callback
    understanding = knowledge.understand()
    current = _current_department(understanding, offered)
    meaning = understanding.interpret(text, current=current, offered=offered)
    if allow_tools and isinstance(meaning, HumanRequest) and "transfer_to_human" in names:
        return Decision(tool="transfer_to_human", arguments={"reason": reason})
    if allow_tools and isinstance(meaning, Route) and meaning.department in offered:
        return Decision(tool="transfer_to_department",
                        arguments={"department": meaning.department, "reason": reason})
    if isinstance(meaning, Answer):
        return Decision(text=answer_text(meaning, language, knowledge, current))
    if isinstance(meaning, Clarify) and offered and not _just_clarified(chat_ctx, offered,
                                                                         knowledge):
        return Decision(text=clarify_text(language, offered, knowledge))
    return Decision(text=_answer(language, offered, knowledge))


def _callback(text: str, chat_ctx: llm.ChatContext) -> Decision | None:
    """A number given after we asked for one, or "call me back" (with a number, perhaps)."""
    number = {"phone_number": text} if sum(c.isdigit() for c in text) >= NUMBER_DIGITS else {}
    if number and _asked_for_number(chat_ctx):
        return Decision(tool="request_callback",
                        arguments={"reason": _earlier_request(chat_ctx), **number})
    if contains_any(text, CALLBACK):
        return Decision(tool="request_callback", arguments={"reason": text.strip()[:200],
                                                            **number})
    return None


def _last_said(chat_ctx: llm.ChatContext) -> str:
    return next((i.text_content or "" for i in reversed(chat_ctx.items)
                 if i.type == "message" and i.role == "assistant"), "")


def _asked_for_number(chat_ctx: llm.ChatContext) -> bool:
    """Whether the assistant's last words asked for a number to call back."""
    said = _last_said(chat_ctx)
    return any(line(name, lang) in said for name in ("callback_ask_number",
                                                      "callback_bad_number")
               for lang in ("ar", "en"))


def _earlier_request(chat_ctx: llm.ChatContext) -> str:
    """What the caller asked before they were asked for a number (tries at a number, their
    last message included, are not a request)."""
    users = [i.text_content or "" for i in chat_ctx.items
             if i.type == "message" and i.role == "user"]
    requests = [u for u in users[:-1] if sum(c.isdigit() for c in u) < NUMBER_DIGITS]
    return requests[-1][:200] if requests else ""


def _current_department(understanding: Understanding, offered: Sequence[str]) -> str | None:
    """The department whose assistant is speaking: the one it cannot hand the caller to."""
    others = [slug for slug in understanding.names if slug not in offered]
    return others[0] if len(others) == 1 else None


def answer_text(meaning: Answer, language: str, knowledge: OfflineKnowledge,
                department: str | None = None) -> str:
    """The stored answer in the caller's language, its placeholders filled for `department`
    (the company's name, its hours now and its week)."""
    return fill(meaning.entry.answer(language) or "", knowledge.values(department, language))


def clarify_text(language: str, offered: Sequence[str], knowledge: OfflineKnowledge) -> str:
    labels = [_label(s, language, knowledge) for s in offered]
    return line("clarify", language, options=alternatives(labels, language))


def _just_clarified(chat_ctx: llm.ChatContext, offered: Sequence[str],
                    knowledge: OfflineKnowledge) -> bool:
    """Whether the assistant's last words were the clarifying question (asked once only)."""
    return _last_said(chat_ctx) in {clarify_text(lang, offered, knowledge)
                                    for lang in ("ar", "en")}


def _label(slug: str, language: str, knowledge: OfflineKnowledge) -> str:
    return knowledge.department_labels.get(slug, {}).get(language) or slug


def _answer(language: str, offered: Sequence[str], knowledge: OfflineKnowledge) -> str:
    labels = [_label(s, language, knowledge) for s in offered]
    text = line("generic", language, company=knowledge.company_name(language))
    if labels:
        text += line("generic_options", language, options=alternatives(labels, language))
    return text


def _after_tool(output: llm.FunctionCallOutput, language: str) -> Decision:
    """What to say once a tool result is back (tools that speak for themselves get silence)."""
    if output.is_error:
        return Decision(text=line("tool_failed", language))
    if output.name == "set_language":
        try:
            new_language = json.loads(output.output).get("language", language)
        except (ValueError, AttributeError):
            new_language = language
        return Decision(text=line("language_switched", new_language))
    return Decision()
