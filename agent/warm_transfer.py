"""Warm transfer on self-hosted LiveKit: the colleague is dialled into the caller's own room,
briefed while neither hears the other, then connected; the assistant leaves.

LiveKit's own warm transfer moves participants between rooms with MoveParticipant, which
only LiveKit Cloud implements. Here everything happens in one room, with what the
self-hosted server does have (tests/live/test_sip_subscriptions.py proves livekit-sip
honours each of these; README, "Warm transfer"):

- the agent's tracks carry track subscription permissions: its voice and the hold music
  for the caller only, the briefing for the colleague only;
- livekit-sip subscribes a phone to every audio track in the room, so the server decides
  the rest with `UpdateSubscriptions`: the caller is unsubscribed from the colleague's track
  as soon as it appears (while it rings: silent), the colleague from the caller's once it
  has answered; and because the colleague's phone subscribes the instant it answers, it may
  not subscribe at all (`can_subscribe` false) until the caller's track is taken from it;
- connect = subscribe each to the other; the agent unpublishes, stops its session, and only
  stays in the room to end the other leg when one side hangs up (and to close the record).

Every step is a call event: warm_transfer_started, _dialled, _answered, _briefed,
_connected, _ended, or _failed with the stage, result (busy, declined, no_answer, failed,
hung_up, caller_left) and SIP status.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from livekit import api, rtc
from livekit.agents import get_job_context

from agent.briefing import briefing_text
from agent.logs import log
from agent.phrases import line
from agent.side_tracks import HOLD_RATE, SideTrack, hold_music
from agent.state import CallState
from core.outbound import call_request, dial_outcome, dial_target
from core.pii import redact_numbers

Say = Callable[[str], Awaitable[object]]
SUBSCRIBE_WAIT = 3.0  # seconds for the colleague's phone to take the briefing track
_bridges: set[asyncio.Task[None]] = set()  # running bridge watchers (kept referenced)


class Abort(Exception):
    def __init__(self, stage: str, result: str, sip_status: int | None = None,
                 error: str | None = None) -> None:
        super().__init__(f"{stage}: {result}")
        self.stage, self.result, self.sip_status, self.error = stage, result, sip_status, error


def _audio_sids(participant: rtc.Participant) -> list[str]:
    return [sid for sid, pub in participant.track_publications.items()
            if pub.kind == rtc.TrackKind.KIND_AUDIO]


@dataclass
class WarmTransfer:
    state: CallState
    room: rtc.Room
    lk: api.LiveKitAPI
    caller: str  # identities
    human: str
    _tasks: list[asyncio.Task[None]] = field(default_factory=list)
    _gone: dict[str, asyncio.Event] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._gone = {self.caller: asyncio.Event(), self.human: asyncio.Event()}
        self.hold = SideTrack(self.room, "hold", HOLD_RATE)
        voice = self.state.providers.tts_for(self.state.persona,
                                             self.state.persona.default_language)
        self.voice = voice
        self.briefing = SideTrack(self.room, "briefing", voice.sample_rate, voice.num_channels)

    # --- room events: the colleague's leg appears (ringing), leaves; the caller leaves

    def _on_connected(self, participant: rtc.RemoteParticipant) -> None:
        if participant.identity == self.human:
            self._tasks.append(asyncio.create_task(self._set_hearing(False)))

    def _on_published(self, publication: rtc.RemoteTrackPublication,
                      participant: rtc.RemoteParticipant) -> None:
        if participant.identity == self.human and publication.kind == rtc.TrackKind.KIND_AUDIO:
            self._tasks.append(asyncio.create_task(
                self._subscribe(self.caller, [publication.sid], False)))

    def _on_disconnected(self, participant: rtc.RemoteParticipant) -> None:
        if participant.identity in self._gone:
            self._gone[participant.identity].set()

    def _listen(self, on: bool) -> None:
        method = self.room.on if on else self.room.off
        method("participant_connected", self._on_connected)
        method("track_published", self._on_published)
        method("participant_disconnected", self._on_disconnected)

    # --- server-side controls

    async def _subscribe(self, identity: str, sids: list[str], subscribe: bool) -> None:
        if sids:
            await self.lk.room.update_subscriptions(api.UpdateSubscriptionsRequest(
                room=self.room.name, identity=identity, track_sids=sids, subscribe=subscribe))

    async def _set_hearing(self, can_subscribe: bool) -> None:
        """Let the colleague's phone subscribe to anything, or to nothing."""
        info = await self.lk.room.get_participant(api.RoomParticipantIdentity(
            room=self.room.name, identity=self.human))
        permission = api.ParticipantPermission()
        permission.CopyFrom(info.permission)
        permission.can_subscribe = can_subscribe
        await self.lk.room.update_participant(api.UpdateParticipantRequest(
            room=self.room.name, identity=self.human, permission=permission))

    def _permit(self, voice: list[str]) -> None:
        """The agent's voice and the hold music for the caller, the briefing for the
        colleague."""
        self.room.local_participant.set_track_subscription_permissions(
            allow_all_participants=False, participant_permissions=[
                rtc.ParticipantTrackPermission(participant_identity=self.caller,
                                               allowed_track_sids=[*voice, self.hold.sid]),
                rtc.ParticipantTrackPermission(participant_identity=self.human,
                                               allowed_track_sids=[self.briefing.sid])])

    def _sids(self, identity: str) -> list[str]:
        participant = self.room.remote_participants.get(identity)
        return _audio_sids(participant) if participant else []

    async def _until(self, work: Awaitable[object], stage: str) -> object:
        """`work`, unless the caller or (once answered) the colleague hangs up first. While
        dialling, the colleague's leg leaving is how a refused call looks in the room: the
        dial's own error says why."""
        task = asyncio.ensure_future(work)
        waits = [asyncio.create_task(self._gone[self.caller].wait())]
        if stage != "dial":
            waits.append(asyncio.create_task(self._gone[self.human].wait()))
        try:
            await asyncio.wait({task, *waits}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for wait in waits:
                wait.cancel()
        if self._gone[self.caller].is_set():
            task.cancel()
            raise Abort(stage, "caller_left")
        if not task.done():
            task.cancel()
            raise Abort(stage, "hung_up")
        return task.result()

    # --- the transfer

    async def run(self, reason: str, say: Say) -> str:
        """connected | caller_left | failed (the caller is back with the assistant)."""
        state, persona = self.state, self.state.persona
        target, trunk = persona.human_transfer_target, persona.human_trunk
        state.record("warm_transfer_started", department=state.department, target=target)
        to = dial_target(target)
        if not to or not trunk:
            self._failed(Abort("dial", "failed", error="no human line or outbound trunk "
                               "(human_transfer_target, human_trunk_id)"))
            return "failed"
        await say(line("warm_hold", state.language))
        self._hold(True)
        voice = _audio_sids(self.room.local_participant)
        self._listen(True)
        try:
            await self.hold.publish()
            await self.briefing.publish()
            self._permit(voice)
            self.hold.loop(hold_music())
            answered = await self._dial(to, trunk)
            await self._brief(reason)
            await self._connect(answered)
        except Abort as abort:
            self._listen(False)
            await self._undo()
            self._failed(abort)
            return "caller_left" if abort.result == "caller_left" else "failed"
        self._listen(False)
        return "connected"

    async def _dial(self, to: str, trunk: str) -> float:
        settings = self.state.providers.settings
        request = call_request(trunk_id=trunk, to=to, room=self.room.name, identity=self.human,
                               name="colleague", ring_seconds=settings.warm_transfer_ring_seconds,
                               max_call_seconds=settings.warm_transfer_max_call_seconds,
                               attributes={"cc.role": "human"})
        self.state.record("warm_transfer_dialled", target=self.state.persona.human_transfer_target,
                          identity=self.human)
        started = time.monotonic()
        try:
            await self._until(self.lk.sip.create_sip_participant(request), "dial")
        except Abort:
            raise
        except Exception as exc:
            result, status = dial_outcome(exc)
            raise Abort("dial", result, status, str(exc)[:300]) from exc
        answered = time.monotonic()
        self.state.record("warm_transfer_answered",
                          ring_seconds=round(answered - started, 2))
        # before the colleague may hear anything: not the caller (their phone asked for every
        # track the moment it answered; can_subscribe kept that from taking effect)
        await asyncio.gather(*self._tasks, return_exceptions=True)
        await self._subscribe(self.human, self._sids(self.caller), False)
        await self._subscribe(self.caller, self._sids(self.human), False)
        await self._set_hearing(True)
        return answered

    async def _brief(self, reason: str) -> None:
        text = briefing_text(self.state, reason)
        assert self.briefing.publication is not None
        try:  # the phone takes the track in a moment: do not speak into nobody's ear
            await asyncio.wait_for(self._until(self.briefing.publication.wait_for_subscription(),
                                               "briefing"), SUBSCRIBE_WAIT)
        except TimeoutError:
            log.warning("the colleague's phone did not take the briefing track in %.0f s",
                        SUBSCRIBE_WAIT)
        started = time.monotonic()
        await self._until(self.briefing.speak(self.voice, text), "briefing")
        self.state.record("warm_transfer_briefed", text=text,
                          seconds=round(time.monotonic() - started, 2))

    async def _connect(self, answered: float) -> None:
        await self._subscribe(self.caller, self._sids(self.human), True)
        await self._subscribe(self.human, self._sids(self.caller), True)
        await self.hold.close()
        await self.briefing.close()
        state = self.state
        state.record("warm_transfer_connected", human=self.human,
                     answer_to_connect_seconds=round(time.monotonic() - answered, 2))
        state.end_reason, state.bridged = "warm_transferred", True
        log.info("caller connected with a colleague; the assistant leaves the call")
        task = asyncio.create_task(watch_bridge(state, self.room, self.lk, self.caller,
                                                self.human), name="warm-transfer-bridge")
        _bridges.add(task)
        task.add_done_callback(_bridges.discard)

    async def _undo(self) -> None:
        """Back to the assistant: no colleague leg, no hold music, the agent's tracks for
        everyone again."""
        for task in self._tasks:
            task.cancel()
        try:  # hangs the colleague's leg up (or stops it ringing into the room)
            await self.lk.room.remove_participant(api.RoomParticipantIdentity(
                room=self.room.name, identity=self.human))
        except Exception:  # never joined, or gone already
            pass
        await self.hold.close()
        await self.briefing.close()
        self.room.local_participant.set_track_subscription_permissions(
            allow_all_participants=True)
        self._hold(False)

    def _hold(self, on: bool) -> None:
        """Keys and speech are not acted on while the caller waits."""
        self.state.on_hold = on
        session = self.state.session
        if session is not None and session.input.audio is not None:
            session.input.set_audio_enabled(not on)

    def _failed(self, abort: Abort) -> None:
        log.info("warm transfer failed at %s: %s (SIP %s) %s", abort.stage, abort.result,
                 abort.sip_status, redact_numbers(abort.error or ""))
        self.state.record("warm_transfer_failed", stage=abort.stage, result=abort.result,
                          sip_status=abort.sip_status, error=abort.error)


async def watch_bridge(state: CallState, room: rtc.Room, lk: api.LiveKitAPI, caller: str,
                       human: str) -> None:
    """The assistant is out of the conversation: its session stops, its tracks go; when the
    caller or the colleague hangs up, the other is hung up too and the record closes."""
    left: asyncio.Queue[str] = asyncio.Queue()

    def on_left(participant: rtc.RemoteParticipant) -> None:
        if participant.identity in (caller, human):
            left.put_nowait(participant.identity)

    room.on("participant_disconnected", on_left)
    for identity in (caller, human):
        if identity not in room.remote_participants:
            left.put_nowait(identity)
    if state.session is not None:
        state.session.shutdown(drain=False)
    for sid in list(room.local_participant.track_publications):
        try:
            await room.local_participant.unpublish_track(sid)
        except Exception:
            pass
    for participant in room.remote_participants.values():
        for publication in participant.track_publications.values():
            publication.set_subscribed(False)
    who = await left.get()
    room.off("participant_disconnected", on_left)
    state.record("warm_transfer_ended", by="caller" if who == caller else "human")
    try:
        await lk.room.delete_room(api.DeleteRoomRequest(room=room.name))  # BYE to the other
    except Exception as exc:
        log.warning("could not end the bridged call: %s", type(exc).__name__)
    get_job_context().shutdown(reason="warm transfer ended")


async def warm_transfer(state: CallState, reason: str, say: Say) -> str:
    """Dial the department's human line into this call, brief, connect (see the module)."""
    job = get_job_context()
    identity = f"human-{(state.call_id or job.job.id)[:12]}"  # never the number
    transfer = WarmTransfer(state, job.room, job.api, state.sip_identity or "", identity)
    return await transfer.run(reason, say)
