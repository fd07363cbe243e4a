"""A deterministic rules-based dialogue engine implementing livekit's `llm.LLM`.

It reads the caller's last message and answers with the same tool calls a real LLM would make
(Arabic and English intent phrases), or a short answer in the caller's language. Department
targets come from the tools it is given (the `transfer_to_department` enum), so a department
added through the admin API is reachable by its slug or display name with no code change.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
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

from nlu.normalize import contains_any, is_arabic, normalize

GOODBYE = ("مع السلامة", "مع السلامه", "وداعا", "الى اللقاء", "bye", "goodbye", "good bye")
HUMAN = ("موظف", "انسان", "شخص حقيقي", "مندوب", "human", "agent", "representative",
         "real person", "operator")
TO_ENGLISH = ("english please", "speak english", "in english", "english", "بالانجليزي",
              "انجليزي", "بالإنجليزية")
TO_ARABIC = ("تكلم عربي", "بالعربي", "بالعربية", "عربي", "arabic please", "speak arabic",
             "in arabic", "arabic")
# Built-in intents for the default departments; used only when that slug is offered.
INTENTS: dict[str, tuple[str, ...]] = {
    "sales": ("أريد شراء", "شراء", "اشتري", "اشترك", "سعر", "اسعار", "عرض", "عروض", "مبيعات",
              "buy", "purchase", "price", "prices", "pricing", "offer", "offers", "sales",
              "subscribe"),
    "complaints": ("لدي شكوى", "شكوى", "شكوي", "اشتكي", "مشكلة", "مشكله", "عطل", "complaint",
                   "complain", "problem", "issue", "broken", "not working"),
    "reception": ("الاستقبال", "استقبال", "reception", "front desk", "general enquiry",
                  "general inquiry"),
}


@dataclass(frozen=True)
class OfflineKnowledge:
    """What the engine may say about the company, and extra names per department slug."""

    company: Mapping[str, str] = field(default_factory=lambda: {"ar": "أورنينا", "en": "Ornina"})
    # slug -> names a caller might use (display names, persona names), any language
    department_names: Mapping[str, Sequence[str]] = field(default_factory=dict)
    # slug -> {"ar": "المبيعات", "en": "Sales"} for spoken answers
    department_labels: Mapping[str, Mapping[str, str]] = field(default_factory=dict)


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
    if allow_tools:
        reason = text.strip()[:200]
        if "end_call" in names and contains_any(text, GOODBYE):
            return Decision(tool="end_call", arguments={})
        if "transfer_to_human" in names and contains_any(text, HUMAN):
            return Decision(tool="transfer_to_human", arguments={"reason": reason})
        if "set_language" in names:
            speaking = _assistant_language(chat_ctx)
            if speaking != "en" and contains_any(text, TO_ENGLISH):
                return Decision(tool="set_language", arguments={"language": "en"})
            if speaking != "ar" and contains_any(text, TO_ARABIC):
                return Decision(tool="set_language", arguments={"language": "ar"})
        target = match_department(text, offered_departments(tools), knowledge)
        if target:
            return Decision(tool="transfer_to_department",
                            arguments={"department": target, "reason": reason})
    return Decision(text=_answer(language, offered_departments(tools), knowledge))


def match_department(text: str, offered: Sequence[str], knowledge: OfflineKnowledge) -> str | None:
    """A department slug the caller asks for: by name first, then by intent phrases."""
    norm = normalize(text)
    for slug in offered:
        names = [slug, *knowledge.department_names.get(slug, ())]
        if contains_any(norm, [n for n in names if len(normalize(n)) >= 3]):
            return slug
    for slug in offered:
        if slug in INTENTS and contains_any(text, INTENTS[slug]):
            return slug
    return None


def _label(slug: str, language: str, knowledge: OfflineKnowledge) -> str:
    return knowledge.department_labels.get(slug, {}).get(language) or slug


def _answer(language: str, offered: Sequence[str], knowledge: OfflineKnowledge) -> str:
    company = knowledge.company.get(language) or next(iter(knowledge.company.values()), "")
    labels = [_label(s, language, knowledge) for s in offered]
    if language == "ar":
        options = " أو ".join(labels)
        more = f" يمكنني أيضاً تحويلك إلى {options}." if labels else ""
        return f"يسعدني مساعدتك في {company}. أخبرني بما تحتاجه.{more}"
    options = " or ".join(labels)
    more = f" I can also connect you with {options}." if labels else ""
    return f"Happy to help you with {company}. Tell me what you need.{more}"


def _after_tool(output: llm.FunctionCallOutput, language: str) -> Decision:
    """What to say once a tool result is back (tools that speak for themselves get silence)."""
    if output.is_error:
        if language == "ar":
            return Decision(text="عذراً، لم أتمكن من إتمام ذلك الآن. سأبقى معك، كيف أساعدك؟")
        return Decision(text="Sorry, I couldn't do that right now. I'm still here; "
                             "how else can I help?")
    if output.name == "set_language":
        try:
            new_language = json.loads(output.output).get("language", language)
        except (ValueError, AttributeError):
            new_language = language
        if new_language == "ar":
            return Decision(text="بكل سرور، سنكمل بالعربية. كيف أساعدك؟")
        return Decision(text="Of course, let's continue in English. How can I help?")
    return Decision()
