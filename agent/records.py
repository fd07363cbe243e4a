"""Call records: one CallRecord per call, a CallEvent for everything that happens in it.

DB writes never run on the event loop: one writer task applies queued operations in order
with `asyncio.to_thread`, so the audio loop never waits for the database and events keep
their order; the record itself is the first of them. A failing write is logged, never
raised into the call.

Events of the kinds webhooks report go into the webhook outbox in the same transaction as
the event itself (core/webhooks.py). When the call ends, its summary and outcome are written
from the events kept here (agent/summary.py), with the recording's file if there is one.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.orm import Session

from agent.logs import log
from agent.recording import RecordingResult
from agent.summary import CallFacts, Happened
from agent.summary_llm import summarize
from core import webhooks
from core.config import get_settings
from core.db import length_of, session_scope
from core.models import CallEvent, CallRecord, new_id

Op = Callable[[Session], None]


def fit(column: Any, value: str | None) -> str | None:
    """`value` cut to the column's length: a caller id longer than any real one (the raw SIP
    From user) must not fail the record's first write and, with it, every event after."""
    return value[:length_of(column)] if value else value


class CallRecorder:
    def __init__(self) -> None:
        self.call_id: str | None = None
        self._queue: asyncio.Queue[Op | None] = asyncio.Queue()
        self._writer: asyncio.Task[None] | None = None
        self._started_at: datetime | None = None
        self._closed = False
        self.happened: list[Happened] = []  # this call's events, for its summary
        self.fields: dict[str, Any] = {}  # the record as last written (language, department)

    @property
    def started_at(self) -> datetime:
        assert self._started_at is not None, "open() first"
        return self._started_at

    def open(self, *, room_name: str, source: str, department: str, language: str,
             caller: str | None = None, called_number: str | None = None,
             customer_id: str | None = None, customer_name: str | None = None) -> str:
        """Start the record and return its id at once; the row is the writer's first write.

        Nothing waits for the database before the caller is greeted: with many calls
        arriving together the insert queued behind the others' (bench/README.md, density),
        and a database that is down must not keep a caller from being answered."""
        self._started_at = datetime.now(UTC)
        call_id = self.call_id = new_id()
        self.fields = {"source": source, "first_department": department,
                       "current_department": department, "language": language}
        self.happened.append(Happened(self._started_at, "started", {}))

        def create(db: Session) -> None:
            db.add(CallRecord(id=call_id, room_name=fit(CallRecord.room_name, room_name),
                              source=source, caller=fit(CallRecord.caller, caller),
                              called_number=fit(CallRecord.called_number, called_number),
                              customer_id=fit(CallRecord.customer_id, customer_id),
                              customer_name=fit(CallRecord.customer_name, customer_name),
                              first_department=department,
                              current_department=department, language=language,
                              started_at=self._started_at))
            db.flush()
            _add_event(db, CallEvent(call_id=call_id, kind="started", at=self._started_at,
                                     data={"department": department, "language": language,
                                           "source": source}))

        self._queue.put_nowait(create)
        self._writer = asyncio.create_task(self._write_loop(), name="call-records-writer")
        return call_id

    def event(self, kind: str, **data: Any) -> None:
        """Queue one CallEvent (returns at once)."""
        if self.call_id is None or self._closed:
            return
        call_id, at = self.call_id, datetime.now(UTC)
        self.happened.append(Happened(at, kind, data))
        self._queue.put_nowait(lambda db: _add_event(db, CallEvent(call_id=call_id, kind=kind,
                                                                   at=at, data=data)))

    def update(self, **fields: Any) -> None:
        """Queue an update of the CallRecord itself (current_department, language, ...)."""
        if self.call_id is None or self._closed:
            return
        call_id = self.call_id
        self.fields.update(fields)

        def apply(db: Session) -> None:
            record = db.get(CallRecord, call_id)
            if record is not None:
                for key, value in fields.items():
                    setattr(record, key, value)

        self._queue.put_nowait(apply)

    async def written(self, timeout: float = 5.0) -> None:
        """Wait (at most `timeout` s) until everything queued so far is in the database, e.g.
        the record itself before a row that refers to it is written elsewhere."""
        if self.call_id is None or self._closed:
            return
        loop = asyncio.get_running_loop()
        done: asyncio.Future[None] = loop.create_future()
        self._queue.put_nowait(lambda _db: loop.call_soon_threadsafe(
            lambda: done.done() or done.set_result(None)))
        try:
            await asyncio.wait_for(done, timeout)
        except TimeoutError:
            log.warning("call records not written within %.0f s", timeout)

    async def close(self, end_reason: str, recording: RecordingResult | None = None) -> None:
        """Mark the call ended with its summary (and recording), and wait until every queued
        write is done."""
        if self.call_id is None or self._closed or self._started_at is None:
            return
        ended = datetime.now(UTC)
        facts = CallFacts(started_at=self._started_at, ended_at=ended, end_reason=end_reason,
                          first_department=self.fields["first_department"],
                          language=self.fields["language"], source=self.fields["source"])
        summary = await summarize(facts, self.happened, get_settings())
        self.update(status="ended", end_reason=end_reason, ended_at=ended,
                    duration_seconds=(ended - self._started_at).total_seconds(),
                    outcome=summary.outcome, summary=summary.text,
                    summary_source=summary.source, summary_details=summary.details,
                    **(recording.fields() if recording else {}))
        self.event("ended", reason=end_reason, outcome=summary.outcome)
        self._closed = True
        self._queue.put_nowait(None)
        if self._writer is not None:
            await self._writer

    async def _write_loop(self) -> None:
        while (op := await self._queue.get()) is not None:
            batch = [op]
            while not self._queue.empty():  # write what has piled up in one transaction
                nxt = self._queue.get_nowait()
                if nxt is None:
                    self._queue.put_nowait(None)
                    break
                batch.append(nxt)
            try:
                await asyncio.to_thread(_apply_all, batch)
            except Exception:
                log.exception("could not write call events", extra={"call_id": self.call_id})


def _add_event(db: Session, event: CallEvent) -> None:
    """The event and, for the kinds webhooks report, its outbox rows (one transaction)."""
    db.add(event)
    if event.kind in webhooks.FROM_CALL_EVENT:
        db.flush()
        webhooks.enqueue(db, event)


def _apply_all(ops: list[Op]) -> None:
    with session_scope() as db:
        for op in ops:
            op(db)
            db.flush()
