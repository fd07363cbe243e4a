"""Summaries and outcomes by rules, from the events a call records; the model-written summary
with its fallback: a real OpenAI-compatible HTTP server answering, one that is too slow, and
a closed port."""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from pydantic import SecretStr

from agent.summary import CallFacts, Happened, rules_summary
from agent.summary_llm import summarize
from core.config import Settings
from livekit_stack.probes import free_port
from tests.conftest import TEST_HOST

T0 = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)


def call(*events: tuple[float, str, dict[str, Any]], end_reason: str = "caller_hangup",
         seconds: float = 60) -> tuple[CallFacts, list[Happened]]:
    facts = CallFacts(started_at=T0, ended_at=T0 + timedelta(seconds=seconds),
                      end_reason=end_reason, first_department="reception", language="en",
                      source="sip")
    return facts, [Happened(T0 + timedelta(seconds=at), kind, data) for at, kind, data in
                   [(0, "started", {}), (1, "greeting", {"department": "reception"}), *events]]


def user(at: float, text: str) -> tuple[float, str, dict[str, Any]]:
    return at, "transcript", {"role": "user", "text": text}


def agent(at: float, text: str) -> tuple[float, str, dict[str, Any]]:
    return at, "transcript", {"role": "assistant", "text": text}


HANDOFF = (12.0, "handoff", {"from": "reception", "to": "sales", "reason": "wants to buy",
                             "via": "assistant"})

CASES = {
    "answered": (call(user(5, "What are your opening hours?"), agent(6, "We open at 9.")),
                 "resolved"),
    "said nothing": (call(), "abandoned"),
    "hung up before the answer": (call(user(5, "Hello, I need")), "abandoned"),
    "handed over and left": (call(user(5, "I want to buy"), HANDOFF), "handed_over"),
    "handed over and helped there": (
        call(user(5, "I want to buy"), HANDOFF, user(20, "the premium plan"),
             agent(21, "It costs 30.")), "resolved"),
    "moved to another number": (call((3, "dtmf", {"digit": "2", "action": "sales"}),
                                     (4, "handoff_transferred", {"to": "sales"}),
                                     end_reason="transferred_to_department"), "handed_over"),
    "transferred": (call((3, "dtmf", {"digit": "0", "action": "human"}),
                         (4, "transfer_requested", {"reason": "DTMF"}),
                         (6, "transfer_succeeded", {"target": "tel:+1"}),
                         end_reason="transferred_to_human"), "transferred_to_human"),
    "transfer refused, caller left": (
        call((3, "dtmf", {"digit": "0", "action": "human"}),
             (6, "transfer_failed", {"error": "603"})), "failed"),
    "callback": (call(user(5, "a person please"),
                      (6, "callback_requested", {"reason": "wants a person"})),
                 "callback_requested"),
    "session error": (call(user(5, "hello"), agent(6, "hi"), (7, "error", {}),
                           end_reason="error"), "failed"),
}


@pytest.mark.parametrize("name", CASES)
def test_outcome_by_rules(name: str) -> None:
    (facts, events), expected = CASES[name]
    assert rules_summary(facts, events).outcome == expected


def test_details_and_sentences() -> None:
    facts, events = call(user(5, "I want to buy a plan"), HANDOFF, seconds=75)
    summary = rules_summary(facts, events)
    assert summary.source == "rules"
    assert summary.details == {
        "departments": ["reception", "sales"], "reasons": ["wants to buy"],
        "request": "I want to buy a plan", "language": "en", "end_reason": "caller_hangup",
        "durations": {"total_seconds": 75.0, "answer_seconds": 1.0,
                      "per_department_seconds": {"reception": 12.0, "sales": 63.0}}}
    assert summary.text == ('The caller said: "I want to buy a plan". Handed over: reception '
                            '→ sales (wants to buy); en, 1 min 15 s.')
    facts, events = call((3, "dtmf", {"digit": "0", "action": "human"}))
    assert rules_summary(facts, events).details["request"] == "pressed 0 (human)"


class ChatCompletions(BaseHTTPRequestHandler):
    """POST /v1/chat/completions of an OpenAI-compatible server: a fixed sentence, after
    `delay` seconds; the requests it got are kept."""

    delay = 0.0
    requests: list[dict[str, Any]] = []

    def do_POST(self) -> None:  # noqa: N802
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        self.requests.append({"path": self.path, "body": body})
        threading.Event().wait(self.delay)
        reply = json.dumps({
            "id": "c1", "object": "chat.completion", "created": 0, "model": body["model"],
            "choices": [{"index": 0, "finish_reason": "stop", "message": {
                "role": "assistant", "content": " The caller wanted a plan\nand was handed to "
                                                "sales. "}}]}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(reply)))
        self.end_headers()
        self.wfile.write(reply)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def model_server() -> Iterator[str]:
    server = ThreadingHTTPServer((TEST_HOST, 0), ChatCompletions)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    ChatCompletions.requests, ChatCompletions.delay = [], 0.0
    try:
        yield f"http://{TEST_HOST}:{server.server_address[1]}/v1"
    finally:
        server.shutdown()
        server.server_close()


def with_model(base_url: str, timeout: float = 5.0) -> Settings:
    return Settings(_env_file=None, openai_api_key=SecretStr("sk-test"),
                    openai_base_url=base_url, summary_llm_timeout_seconds=timeout)


async def test_a_model_writes_the_sentences_the_rules_keep_the_outcome(model_server: str
                                                                       ) -> None:
    facts, events = call(user(5, "I want to buy, my number is 0555 123 456"), HANDOFF)
    summary = await summarize(facts, events, with_model(model_server))
    assert (summary.source, summary.outcome) == ("llm", "handed_over")
    assert summary.text == "The caller wanted a plan and was handed to sales."
    assert summary.details == rules_summary(facts, events).details
    (sent,) = ChatCompletions.requests
    assert sent["path"] == "/v1/chat/completions"
    prompt = sent["body"]["messages"][-1]["content"]
    assert "Outcome: handed_over" in prompt and "user: I want to buy" in prompt


@pytest.mark.parametrize("why", ["closed port", "too slow"])
async def test_the_rules_summary_stays_when_the_model_fails(model_server: str, why: str,
                                                            caplog: pytest.LogCaptureFixture
                                                            ) -> None:
    facts, events = call(user(5, "hello"), agent(6, "hi"))
    if why == "closed port":
        settings = with_model(f"http://{TEST_HOST}:{free_port(TEST_HOST)}/v1")
    else:
        ChatCompletions.delay = 2.0
        settings = with_model(model_server, timeout=0.3)
    started = asyncio.get_running_loop().time()
    summary = await summarize(facts, events, settings)
    assert asyncio.get_running_loop().time() - started < 1.5
    assert summary == rules_summary(facts, events)
    assert "keeping the rules summary" in caplog.text
    assert "sk-test" not in caplog.text


async def test_no_key_no_model() -> None:
    facts, events = call()
    assert await summarize(facts, events, Settings(_env_file=None, openai_api_key=None)) == \
        rules_summary(facts, events)
