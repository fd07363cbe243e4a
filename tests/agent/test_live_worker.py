"""The real worker in the real local LiveKit stack: dispatch, greeting (text and audio), a text
turn over lk.chat that hands the caller to Complaints, and the call record of it all."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import Awaitable, Callable

import numpy as np
import pytest
from livekit import api, rtc
from sqlalchemy import select

from core.db import session_scope
from core.models import CallEvent, CallRecord
from tests.live.rtc_helpers import wait_for

pytestmark = pytest.mark.live


async def eventually(check: Callable[[], Awaitable[bool] | bool], timeout: float,
                     what: str) -> None:
    """Wait until `check()` is true, polling, with a deadline (never a blind sleep)."""
    await wait_for(check, what, timeout=timeout, interval=0.2)


class Caller:
    """A browser-like test participant: collects transcripts and the agent's audio level."""

    def __init__(self) -> None:
        self.room = rtc.Room()
        self.transcripts: list[tuple[str, str]] = []  # (sender identity, text)
        self.peak = 0
        self.audio_frames = 0
        self._tasks: set[asyncio.Task[None]] = set()
        self.room.register_text_stream_handler("lk.transcription", self._on_transcription)
        self.room.on("track_subscribed", self._on_track)

    def agent_attributes(self) -> dict[str, str]:
        """Attributes of the agent participant (kind AGENT) in the room."""
        agents = [p for p in self.room.remote_participants.values()
                  if p.kind == rtc.ParticipantKind.PARTICIPANT_KIND_AGENT]
        return dict(agents[0].attributes) if agents else {}

    def _spawn(self, coro) -> None:  # type: ignore[no-untyped-def]
        task = asyncio.create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def _on_transcription(self, reader: rtc.TextStreamReader, identity: str) -> None:
        async def read() -> None:
            self.transcripts.append((identity, await reader.read_all()))
        self._spawn(read())

    def _on_track(self, track: rtc.Track, _pub, participant: rtc.RemoteParticipant) -> None:  # type: ignore[no-untyped-def]
        if track.kind != rtc.TrackKind.KIND_AUDIO:
            return

        async def listen() -> None:
            async for ev in rtc.AudioStream(track, sample_rate=16000, num_channels=1):
                samples = np.frombuffer(ev.frame.data, dtype=np.int16)
                self.audio_frames += 1
                if samples.size:
                    self.peak = max(self.peak, int(np.abs(samples).max()))
        self._spawn(listen())

    def said(self, fragment: str) -> bool:
        return any(fragment in text for _, text in self.transcripts)

    async def close(self) -> None:
        await self.room.disconnect()
        for task in list(self._tasks):
            task.cancel()


def _token(cfg, room: str, identity: str) -> str:  # type: ignore[no-untyped-def]
    return (api.AccessToken(cfg.api_key, cfg.api_secret).with_identity(identity)
            .with_grants(api.VideoGrants(room_join=True, room=room)).to_jwt())


def _call(room: str) -> tuple[CallRecord | None, list[CallEvent]]:
    with session_scope() as db:
        record = db.scalar(select(CallRecord).where(CallRecord.room_name == room))
        if record is None:
            return None, []
        return record, list(record.events)


async def test_dispatched_agent_greets_and_hands_off_over_text(live_stack, lk, agent_worker,
                                                              directory):
    cfg = live_stack.cfg
    room = f"call-test-{uuid.uuid4().hex[:8]}"
    await lk.room.create_room(api.CreateRoomRequest(name=room, empty_timeout=60))
    await lk.agent_dispatch.create_dispatch(api.CreateAgentDispatchRequest(
        agent_name=agent_worker.agent_name, room=room,
        metadata=json.dumps({"department": "reception", "language": "ar", "source": "browser",
                             "customer_id": "c-42", "customer_name": "Test Caller"})))

    caller = Caller()
    await caller.room.connect(cfg.livekit_url, _token(cfg, room, "web-caller"))
    try:
        ahmed = directory.resolve("reception").welcome_for("ar")
        mohammed = directory.resolve("complaints").welcome_for("ar")
        await eventually(lambda: caller.said(ahmed), 45, "Ahmed's greeting on lk.transcription")
        await eventually(lambda: caller.peak > 1000, 20, "audible audio from the agent")

        await caller.room.local_participant.send_text("لدي شكوى", topic="lk.chat")
        await eventually(lambda: caller.said(mohammed), 30, "Mohammed's greeting after handoff")
        await eventually(lambda: caller.agent_attributes().get("cc.department") == "complaints",
                         10, "the agent to publish its new persona")
        assert caller.agent_attributes()["cc.persona_name"] == "محمد"

        def path_recorded() -> bool:
            record, events = _call(room)
            kinds = [e.kind for e in events]
            return record is not None and "handoff" in kinds and any(
                e.kind == "transcript" and e.data.get("text") == "لدي شكوى" for e in events)
        await eventually(path_recorded, 15, "the call record to show the handoff")
        record, events = _call(room)
        assert record is not None
        assert (record.source, record.first_department, record.language) == \
            ("browser", "reception", "ar")
        assert (record.customer_id, record.customer_name) == ("c-42", "Test Caller")
        assert record.current_department == "complaints"
        kinds = [e.kind for e in events]
        assert kinds[0] == "started"
        handoff = next(e for e in events if e.kind == "handoff")
        assert (handoff.data["from"], handoff.data["to"]) == ("reception", "complaints")
    finally:
        await caller.close()

    def closed() -> bool:
        record, _ = _call(room)
        return record is not None and record.status == "ended"
    await eventually(closed, 30, "the call record to be closed after the caller left")
    record, events = _call(room)
    assert record is not None and record.end_reason == "caller_hangup"
    assert record.duration_seconds and record.duration_seconds > 0
    assert (record.outcome, record.summary_source) == ("handed_over", "rules")
    assert record.summary_details["departments"] == ["reception", "complaints"]
    assert events[-1].kind == "ended"


async def test_goodbye_ends_the_call_and_closes_the_room(live_stack, lk, agent_worker, directory):
    cfg = live_stack.cfg
    room = f"call-test-{uuid.uuid4().hex[:8]}"
    await lk.room.create_room(api.CreateRoomRequest(name=room, empty_timeout=60))
    await lk.agent_dispatch.create_dispatch(api.CreateAgentDispatchRequest(
        agent_name=agent_worker.agent_name, room=room,
        metadata=json.dumps({"department": "sales", "language": "en"})))
    caller = Caller()
    await caller.room.connect(cfg.livekit_url, _token(cfg, room, "web-caller-2"))
    try:
        sarah = directory.resolve("sales").welcome_for("en")
        await eventually(lambda: caller.said(sarah), 45, "Sarah's English greeting")

        await caller.room.local_participant.send_text("Thanks, goodbye", topic="lk.chat")
        await eventually(lambda: caller.said("Goodbye"), 30, "the goodbye line")

        async def room_gone() -> bool:
            rooms = await lk.room.list_rooms(api.ListRoomsRequest(names=[room]))
            return not rooms.rooms
        await eventually(room_gone, 30, "the agent to delete the room")
    finally:
        await caller.close()

    def closed() -> bool:
        record, _ = _call(room)
        return record is not None and record.status == "ended"
    await eventually(closed, 30, "the call record to be closed")
    record, events = _call(room)
    assert record is not None and record.end_reason == "agent_ended"
    assert record.outcome == "resolved"  # the assistant answered the caller's goodbye
    assert "agent_hangup" in [e.kind for e in events]
