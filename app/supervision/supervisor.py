"""The supervisor: runs in every API process, checks the room watches that are due.

A watch is claimed with a lease (a conditional UPDATE), so with several API processes each
room is checked by one of them at a time. A check asks LiveKit who is in the room and what
was dispatched to it, then acts on `plan.plan`: dispatch our agent again (livekit-api's
agent dispatch service, with the original dispatch's metadata), give up after
CALL_ANSWER_TIMEOUT_SECONDS (the room is deleted: a ringing phone gets 486 Busy Here, a
browser is disconnected), write the records."""

from __future__ import annotations

import asyncio
import json
import logging
import time
from datetime import datetime, timedelta

from livekit import api as lkapi
from livekit.protocol import agent, models
from sqlalchemy import or_, select, update

from app.supervision import metrics
from app.supervision import plan as planning
from app.supervision.records import close_open_records, latest_record, record_unanswered
from app.supervision.watches import AGENT, CALLERS
from core.config import Settings
from core.db import session_scope
from core.models import CallRecord, RoomWatch, utcnow

log = logging.getLogger("app.supervision")
STARTING = (agent.JobStatus.JS_PENDING, agent.JobStatus.JS_RUNNING)
LEASE = timedelta(seconds=30)
RETRY = timedelta(seconds=2)
BATCH = 20
TICK_SECONDS = 1.0


def _aware(at: datetime | None, now: datetime) -> datetime | None:
    return None if at is None else (at.replace(tzinfo=now.tzinfo) if at.tzinfo is None else at)


def claim_due(now: datetime, limit: int = BATCH) -> list[str]:
    """Rooms whose check is due, leased to this process."""
    with session_scope() as db:
        due = db.scalars(select(RoomWatch.room_name).where(
            RoomWatch.next_check_at.is_not(None), RoomWatch.next_check_at <= now,
            or_(RoomWatch.lease_until.is_(None), RoomWatch.lease_until < now))
            .order_by(RoomWatch.next_check_at).limit(limit)).all()
        claimed = []
        for room in due:
            taken = db.execute(update(RoomWatch).where(
                RoomWatch.room_name == room,
                or_(RoomWatch.lease_until.is_(None), RoomWatch.lease_until < now))
                .values(lease_until=now + LEASE))
            if taken.rowcount == 1:
                claimed.append(room)
        return claimed


class Supervisor:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    def client(self) -> lkapi.LiveKitAPI:
        s = self.settings
        return lkapi.LiveKitAPI(s.livekit_url, s.livekit_api_key,
                                s.livekit_api_secret.get_secret_value())

    async def run_forever(self) -> None:
        while True:
            try:
                await self.tick()
            except Exception:  # LiveKit or the DB down: try again next tick
                log.exception("supervision tick failed")
            await asyncio.sleep(TICK_SECONDS)

    async def tick(self) -> int:
        rooms = await asyncio.to_thread(claim_due, utcnow())
        if rooms:
            async with self.client() as lk:  # rooms checked side by side: one slow room
                await asyncio.gather(*(self.check_or_retry(lk, r) for r in rooms))
        return len(rooms)

    async def check_or_retry(self, lk: lkapi.LiveKitAPI, room: str) -> None:
        try:
            await self.check(lk, room)
        except Exception as exc:  # LiveKit slow or down: this room again shortly
            log.warning("could not check %s: %s", room, type(exc).__name__)
            await asyncio.to_thread(_retry_soon, room)

    async def check(self, lk: lkapi.LiveKitAPI, room: str) -> None:
        # a server that just lost a worker can take seconds to answer (it tries to reach the
        # dead worker first): wait longer than an API request would
        timeout = max(10.0, self.settings.livekit_timeout_seconds)
        try:
            people = await asyncio.wait_for(lk.room.list_participants(
                lkapi.ListParticipantsRequest(room=room)), timeout)
            participants = list(people.participants)
            dispatches = await asyncio.wait_for(lk.agent_dispatch.list_dispatch(room), timeout)
        except lkapi.TwirpError as exc:
            if exc.code != "not_found":
                raise
            participants, dispatches = [], []  # the room is gone
        ours = [d for d in dispatches if d.agent_name == self.settings.agent_name]
        newest = max((d.state.created_at for d in ours), default=0)
        age = (time.time_ns() - newest) / 1e9 if newest else None
        starting = any(job.state.status in STARTING for d in ours for job in d.state.jobs)
        state = planning.Room(agents=sum(p.kind == AGENT for p in participants),
                              callers=sum(p.kind in CALLERS for p in participants),
                              dispatch_age=age, starting=starting)
        act = await asyncio.to_thread(self._apply, room, state)
        if act is None:
            return
        decision, metadata, department, lost = act
        metrics.count(decision, department, lost)
        if decision.dispatch:
            await lk.agent_dispatch.create_dispatch(lkapi.CreateAgentDispatchRequest(
                agent_name=self.settings.agent_name, room=room,
                metadata=_redispatch_metadata(ours, metadata)))
            metrics.redispatched(decision)
            log.info("no agent in %s yet: dispatched again", room)
        if decision.delete_room:
            await lk.room.delete_room(lkapi.DeleteRoomRequest(room=room))
            log.warning("no agent answered %s in %d s: the call is ended", room,
                        self.settings.call_answer_timeout_seconds)

    def _apply(self, room: str, state: planning.Room
               ) -> tuple[planning.Plan, dict, str | None, int] | None:
        """Decide and write the records and the watch in one transaction; returns the plan,
        the metadata of a dispatch, the call's department and how many records it closed as
        lost."""
        now = utcnow()
        with session_scope() as db:
            watch = db.get(RoomWatch, room)
            if watch is None:
                return None
            active = db.query(CallRecord).filter(CallRecord.room_name == room,
                                                 CallRecord.status == "active").count()
            latest = latest_record(db, room)
            records = planning.Records(active=active, any=latest is not None,
                                       latest_reason=latest.end_reason if latest else None)
            waited = (now - _aware(watch.waiting_since, now)).total_seconds()  # type: ignore[operator]
            decision = planning.plan(state, records, waited, watch.dispatches,
                                     self.settings.call_answer_timeout_seconds)
            lost = close_open_records(db, room, now, planning.AGENT_LOST) \
                if decision.close_open else []
            if decision.restart_wait:
                watch.waiting_since, watch.dispatches = now, 0
            if lost:
                watch.lost_call_id = lost[-1]
            if decision.unanswered:
                record_unanswered(db, watch, now, decision.unanswered)
            watch.state = decision.state
            watch.outcome = decision.unanswered or (planning.AGENT_LOST if lost else None) \
                or watch.outcome
            watch.dispatches += int(decision.dispatch)
            watch.next_check_at = None if decision.check_in is None \
                else now + timedelta(seconds=decision.check_in)
            watch.lease_until = None
            extra = {"waited_seconds": round(waited, 1), "redispatch": watch.dispatches}
            if watch.lost_call_id:
                extra["previous_call_id"] = watch.lost_call_id
            return decision, extra, watch.department, len(lost)


def _retry_soon(room: str) -> None:
    with session_scope() as db:
        db.execute(update(RoomWatch).where(RoomWatch.room_name == room).values(
            lease_until=None, next_check_at=utcnow() + RETRY))


def _redispatch_metadata(dispatches: list[models.AgentDispatch], extra: dict) -> str:
    """The original dispatch's metadata (department, number, language, source), plus why
    this is a second try."""
    base: dict = {}
    for dispatch in dispatches:
        try:
            base = json.loads(dispatch.metadata or "{}")
            break
        except ValueError:
            continue
    return json.dumps({**base, **extra})
