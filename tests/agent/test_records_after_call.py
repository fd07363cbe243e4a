"""What the agent leaves when a call ends, on SQLite and PostgreSQL: the record's outcome,
summary and recording, and the webhook outbox — one event body per reported call event and
one delivery per active subscription to its type, written with the event itself. Then the
recording's own checks: a directory that cannot be written or a full disk leaves the call
unrecorded, said once in the call's events."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest
from livekit.agents import AgentSession
from sqlalchemy import select

from agent import recording
from agent.assistant import PersonaAgent
from agent.personas import PersonaDirectory
from agent.recording import CallRecording, RecordingResult, RecordingUnavailable
from agent.records import CallRecorder
from agent.state import CallState
from core.config import Settings
from core.db import session_scope
from core.encryption import SecretBox
from core.models import CallEvent, CallRecord, WebhookDelivery, WebhookEvent, WebhookSubscription
from core.webhooks import EVENT_MODELS, EVENT_TYPES


def _subscribe(*event_types: str, active: bool = True) -> int:
    box = SecretBox.from_settings(Settings(_env_file=None))
    with session_scope() as db:
        row = WebhookSubscription(url="http://127.0.0.1:9/hook", event_types=list(event_types),
                                  secret_encrypted=box.encrypt("whsec_x"), active=active)
        db.add(row)
        db.flush()
        return row.id


async def test_an_ended_call_has_its_summary_recording_and_outbox(process_db: str) -> None:
    everything, ended_only = _subscribe(*EVENT_TYPES), _subscribe("call.ended")
    _subscribe(*EVENT_TYPES, active=False)
    rec = CallRecorder()
    call_id = rec.open(room_name="web-sales-x", source="browser", department="sales",
                       language="en", caller="web-1")
    rec.event("greeting", department="sales", text="Hello")
    rec.event("transcript", role="user", text="I have a complaint")
    rec.event("handoff", **{"from": "sales", "to": "complaints", "reason": "complaint",
                            "via": "assistant"})
    rec.update(current_department="complaints")
    rec.event("transcript", role="user", text="a person please")
    rec.event("callback_requested", department="complaints", via="assistant",
              reason="wants a person")
    await rec.close("caller_hangup", recording=RecordingResult("2026-11-26/x.ogg", 1234, 9.5))

    with session_scope() as db:
        record = db.get(CallRecord, call_id)
        assert record is not None
        assert (record.outcome, record.summary_source) == ("callback_requested", "rules")
        assert record.summary and "I have a complaint" in record.summary
        assert record.summary_details["departments"] == ["sales", "complaints"]
        assert (record.recording_file, record.recording_bytes, record.recording_seconds) == \
            ("2026-11-26/x.ogg", 1234, 9.5)
        ended = db.scalars(select(CallEvent).where(CallEvent.call_id == call_id,
                                                   CallEvent.kind == "ended")).one()
        assert ended.data == {"reason": "caller_hangup", "outcome": "callback_requested"}
        events = db.scalars(select(WebhookEvent).where(WebhookEvent.call_id == call_id)
                            .order_by(WebhookEvent.created_at)).all()
        deliveries = db.scalars(select(WebhookDelivery).order_by(WebhookDelivery.id)).all()

    assert [e.type for e in events] == ["call.started", "call.handed_over",
                                        "callback.requested", "call.ended"]
    for event in events:  # every body is its documented schema, and says which event it is
        body = EVENT_MODELS[event.type].model_validate(event.payload)
        assert (body.id, body.type, body.data.call_id) == (event.id, event.type, call_id)
    handed, callback, last = (events[i].payload["data"] for i in (1, 2, 3))
    assert (handed["from_department"], handed["to_department"], handed["mode"]) == \
        ("sales", "complaints", "in_room")
    assert (callback["department"], callback["reason"]) == ("complaints", "wants a person")
    assert (last["outcome"], last["has_recording"], last["request"]) == \
        ("callback_requested", True, "I have a complaint")
    assert [(d.subscription_id, d.event_id, d.status) for d in deliveries] == \
        [(everything, e.id, "pending") for e in events[:3]] + \
        [(everything, events[3].id, "pending"), (ended_only, events[3].id, "pending")]


def test_an_unwritable_directory_or_a_full_disk_is_refused(tmp_path: Path) -> None:
    started = datetime(2026, 11, 26, 23, 59, tzinfo=UTC)
    ok = CallRecording.prepare(Settings(_env_file=None, recordings_dir=str(tmp_path)),
                               "ab" * 16, started)
    assert ok.path == tmp_path / "2026-11-26" / f"{'ab' * 16}.ogg" and ok.path.parent.is_dir()
    blocked = tmp_path / "a-file"
    blocked.write_text("")
    with pytest.raises(RecordingUnavailable, match="NotADirectoryError|FileExistsError"):
        CallRecording.prepare(Settings(_env_file=None, recordings_dir=str(blocked / "rec")),
                              "cd" * 16, started)
    with pytest.raises(RecordingUnavailable, match="disk full"):
        CallRecording.prepare(Settings(_env_file=None, recordings_dir=str(tmp_path),
                                       recording_min_free_mb=2**40), "ef" * 16, started)


async def test_a_call_that_cannot_be_recorded_goes_on_without_the_consent_line(
        make_state, directory: PersonaDirectory, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """Sales records, but the harness session has no audio to record: no consent line, the
    welcome is the first thing said, and the call's events say why."""
    records = PersonaDirectory.of(
        [replace(p, record_calls=p.slug == "sales") for p in directory.personas.values()],
        nlu=directory.nlu)
    rec = CallRecorder()
    rec.open(room_name="r", source="browser", department="sales", language="en")
    state = make_state("sales", "en", directory=records, recorder=rec)
    state.recording = await recording.prepare(
        state, Settings(_env_file=None, recordings_dir=str(tmp_path)))
    assert state.recording is not None  # the directory is fine
    session = AgentSession[CallState](llm=state.providers.llm, userdata=state)
    try:
        greeting = await session.start(PersonaAgent(state.persona, state), capture_run=True)
        greeting.expect.next_event().is_agent_handoff(new_agent_type=PersonaAgent)
        first = greeting.expect.next_event().is_message(role="assistant").event().item
        assert first.text_content.startswith(records.resolve("sales").welcome_for("en"))
    finally:
        await session.aclose()
    kinds = [h.kind for h in rec.happened]
    assert "recording_unavailable" in kinds and "recording_started" not in kinds
    assert not state.recording.started
    await rec.close("caller_hangup")
