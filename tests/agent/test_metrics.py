"""A call's metrics (agent/metrics.py), driven by the AgentSession events they listen to:
answer latency from the caller's arrival to the greeting's first audio, turn latency from
the end of the caller's turn to the agent speaking, and the counters call events move."""

from __future__ import annotations

from types import SimpleNamespace

from livekit.agents import AgentStateChangedEvent, UserStateChangedEvent
from prometheus_client import REGISTRY

from agent import metrics
from agent.metrics import CallMetrics


class Clock:
    def __init__(self, now: float = 1000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def _value(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


def _agent(state: str) -> AgentStateChangedEvent:
    return AgentStateChangedEvent(old_state="thinking", new_state=state)  # type: ignore[arg-type]


def _user(old: str, new: str) -> UserStateChangedEvent:
    return UserStateChangedEvent(old_state=old, new_state=new)  # type: ignore[arg-type]


def _user_text() -> SimpleNamespace:
    return SimpleNamespace(item=SimpleNamespace(type="message", role="user"))


def _call(department: str = "sales", source: str = "sip", arrived: float | None = 998.5
          ) -> tuple[CallMetrics, Clock, SimpleNamespace]:
    state = SimpleNamespace(department=department, source=source)
    clock = Clock()
    return CallMetrics(state, arrived, clock=clock), clock, state  # type: ignore[arg-type]


def test_answer_latency_runs_from_arrival_to_the_first_spoken_frame_once() -> None:
    answered = _value("cc_calls_answered_total", department="sales", source="sip")
    count = _value("cc_answer_latency_seconds_count", source="sip")
    total = _value("cc_answer_latency_seconds_sum", source="sip")
    call, clock, _ = _call()
    call.on_agent_state(_agent("speaking"))
    clock.now += 5
    call.on_agent_state(_agent("speaking"))  # a later reply is no answer
    assert _value("cc_calls_answered_total", department="sales", source="sip") == answered + 1
    assert _value("cc_answer_latency_seconds_count", source="sip") == count + 1
    assert _value("cc_answer_latency_seconds_sum", source="sip") == total + 1.5


def test_a_resumed_call_counts_as_answered_without_an_answer_latency() -> None:
    count = _value("cc_answer_latency_seconds_count", source="browser")
    call, _, _ = _call(source="browser", arrived=None)
    call.on_agent_state(_agent("speaking"))
    assert _value("cc_answer_latency_seconds_count", source="browser") == count


def test_turn_latency_runs_from_the_end_of_speech_or_the_typed_turn_to_the_reply() -> None:
    count = _value("cc_turn_latency_seconds_count", source="sip")
    total = _value("cc_turn_latency_seconds_sum", source="sip")
    call, clock, _ = _call()
    call.on_agent_state(_agent("speaking"))  # the greeting
    call.on_user_state(_user("listening", "speaking"))
    clock.now += 2
    call.on_user_state(_user("speaking", "listening"))  # end of speech: the turn ends here
    clock.now += 0.5
    call.on_item(_user_text())  # its transcript arrives later: not a new end
    clock.now += 0.7
    call.on_agent_state(_agent("speaking"))  # 1.2 s after the caller stopped
    clock.now += 3
    call.on_item(_user_text())  # a typed turn
    clock.now += 0.4
    call.on_agent_state(_agent("speaking"))
    clock.now += 9
    call.on_agent_state(_agent("speaking"))  # speaking unasked (an idle prompt): no turn
    assert _value("cc_turn_latency_seconds_count", source="sip") == count + 2
    assert abs(_value("cc_turn_latency_seconds_sum", source="sip") - total - 1.6) < 1e-9


def test_a_caller_who_goes_on_talking_ends_the_turn_later() -> None:
    total = _value("cc_turn_latency_seconds_sum", source="browser")
    call, clock, _ = _call(source="browser")
    call.on_agent_state(_agent("speaking"))
    call.on_user_state(_user("speaking", "listening"))
    clock.now += 1
    call.on_user_state(_user("listening", "speaking"))  # a pause, then more
    clock.now += 2
    call.on_user_state(_user("speaking", "listening"))
    clock.now += 0.8
    call.on_agent_state(_agent("speaking"))
    assert abs(_value("cc_turn_latency_seconds_sum", source="browser") - total - 0.8) < 1e-9


def test_key_presses_handoffs_transfers_and_the_end_are_counted() -> None:
    handed = _value("cc_calls_handed_over_total", from_department="reception",
                    to_department="sales", via="dtmf")
    moved = _value("cc_calls_handed_over_total", from_department="sales",
                   to_department="complaints", via="assistant")
    ok = _value("cc_calls_transferred_total", department="complaints", outcome="succeeded")
    failed = _value("cc_calls_transferred_total", department="complaints", outcome="failed")
    ended = _value("cc_calls_ended_total", department="complaints", source="sip",
                   reason="transferred_to_human")
    turns = _value("cc_turn_latency_seconds_count", source="sip")
    call, clock, state = _call(department="reception")
    call.on_agent_state(_agent("speaking"))
    call.event("dtmf", {"digit": "2", "action": "sales"})  # a menu key is a turn
    clock.now += 0.3
    call.on_agent_state(_agent("speaking"))
    call.event("dtmf", {"action": None})  # not a menu key: nothing happens, no turn
    call.on_agent_state(_agent("speaking"))
    call.event("handoff", {"from": "reception", "to": "sales", "via": "dtmf"})
    state.department = "sales"
    call.event("handoff_transferred", {"from": "sales", "to": "complaints",
                                       "via": "assistant"})
    state.department = "complaints"
    call.event("transfer_failed", {"target": "sip:x", "to_department": "sales"})  # a handoff's
    call.event("transfer_failed", {"target": None})
    call.event("transfer_succeeded", {"target": "tel:+1"})
    call.end("transferred_to_human")
    call.end("caller_hangup")  # the end is counted once
    assert _value("cc_calls_handed_over_total", from_department="reception",
                  to_department="sales", via="dtmf") == handed + 1
    assert _value("cc_calls_handed_over_total", from_department="sales",
                  to_department="complaints", via="assistant") == moved + 1
    assert _value("cc_calls_transferred_total", department="complaints",
                  outcome="succeeded") == ok + 1
    assert _value("cc_calls_transferred_total", department="complaints",
                  outcome="failed") == failed + 1
    assert _value("cc_calls_ended_total", department="complaints", source="sip",
                  reason="transferred_to_human") == ended + 1
    assert _value("cc_turn_latency_seconds_count", source="sip") == turns + 1


def test_the_workers_load_is_what_it_reports_to_livekit() -> None:
    metrics.publish_worker("cc", calls=6, browser=2, max_calls=8, draining=False)
    assert _value("cc_worker_active_calls", agent_name="cc") == 6
    assert _value("cc_worker_browser_calls", agent_name="cc") == 2
    assert _value("cc_worker_max_calls", agent_name="cc") == 8
    assert _value("cc_worker_load", agent_name="cc") == 0.75
    metrics.publish_worker("cc", calls=0, browser=0, max_calls=8, draining=True)
    assert _value("cc_worker_load", agent_name="cc") == 0
    assert _value("cc_worker_draining", agent_name="cc") == 1
