"""A caller id longer than any real one (the raw SIP From user) is cut to fit the record's
column: on PostgreSQL it used to fail the record's first write and every event after it."""

from __future__ import annotations

from sqlalchemy import select

from agent.records import CallRecorder
from core.db import length_of, session_scope
from core.models import CallEvent, CallRecord


async def test_a_long_caller_id_is_cut_and_the_call_is_still_recorded(process_db: str) -> None:
    caller = "sip-trunk-user-" + "9" * 400
    rec = CallRecorder()
    call_id = rec.open(room_name="call-sales_+15550100_x", source="sip", department="sales",
                       language="en", caller=caller, called_number="+15550100")
    rec.event("transcript", role="user", text="hello")
    await rec.close("caller_hangup")

    with session_scope() as db:
        record = db.get(CallRecord, call_id)
        assert record is not None and record.status == "ended"
        assert record.caller == caller[:length_of(CallRecord.caller)]
        kinds = list(db.scalars(select(CallEvent.kind).where(CallEvent.call_id == call_id)
                                .order_by(CallEvent.id)))
    assert kinds == ["started", "transcript", "ended"]
