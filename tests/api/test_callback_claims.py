"""The callback scheduler's rules in the database, on SQLite and PostgreSQL, at explicit
times: only due callbacks of open departments are claimed, once; a closed department's wait
for its opening without using an attempt; results retry within the hours until the attempts
run out; a claim whose scheduler died is taken over; an admin's cancel wins over a result."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy.orm import Session

from app.callbacks.claims import claim_due, finish
from core import callbacks
from core.clock import utc
from core.models import Callback, CallbackAttempt
from tests.support import factories

NOW = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)  # a Tuesday


def _callback(db: Session, settings, dept=None, **kw) -> Callback:  # type: ignore[no-untyped-def]
    row = callbacks.create(db, settings, department=dept or factories.department(db),
                           number="+442079460101", language="en", reason="r", via="api",
                           now=kw.pop("now", NOW - timedelta(minutes=5)), **kw)
    db.commit()
    return row


def test_a_due_callback_is_claimed_once(db: Session, settings) -> None:  # type: ignore[no-untyped-def]
    row = _callback(db, settings)
    later = _callback(db, settings, earliest=NOW + timedelta(hours=1))
    (claimed,) = claim_due(db, NOW, 10, settings)
    assert (claimed.callback_id, claimed.attempt, claimed.number) == (row.id, 1, row.number)
    assert claim_due(db, NOW, 10, settings) == []  # dialing under a lease: not due again
    db.refresh(row)
    assert row.status == "dialing" and row.attempts == 1
    assert utc(row.lease_until) > NOW and db.get(Callback, later.id).status == "pending"


def test_a_closed_department_waits_for_its_opening(db: Session, settings) -> None:  # type: ignore[no-untyped-def]
    dept = factories.department(db, hours={"time_zone": "UTC",
                                           "weekly": {"wed": [["09:00", "17:00"]]}})
    row = _callback(db, settings, dept, earliest=NOW - timedelta(minutes=1))
    assert claim_due(db, NOW, 10, settings) == []
    db.refresh(row)
    assert utc(row.next_attempt_at) == datetime(2026, 12, 2, 9, 0, tzinfo=UTC)
    assert (row.status, row.attempts) == ("pending", 0)
    assert [c.callback_id for c in claim_due(db, utc(row.next_attempt_at), 10, settings)] == \
        [row.id]


def test_results_retry_then_fail_and_answered_is_final(db: Session, settings) -> None:  # type: ignore[no-untyped-def]
    row = _callback(db, settings, max_attempts=2)
    (first,) = claim_due(db, NOW, 10, settings)
    assert finish(db, first, NOW, settings, result="busy", sip_status=486) == "pending"
    db.commit()
    db.refresh(row)
    assert utc(row.next_attempt_at) == NOW + timedelta(seconds=settings.callback_retry_seconds)
    (second,) = claim_due(db, utc(row.next_attempt_at), 10, settings)
    assert second.attempt == 2
    assert finish(db, second, utc(row.next_attempt_at), settings, result="no_answer") == "failed"
    db.commit()
    db.refresh(row)
    assert (row.status, row.last_result, row.attempts) == ("failed", "no_answer", 2)
    results = [(a.attempt, a.result, a.sip_status) for a in
               db.query(CallbackAttempt).filter_by(callback_id=row.id).order_by(
                   CallbackAttempt.attempt)]
    assert results == [(1, "busy", 486), (2, "no_answer", None)]

    answered = _callback(db, settings)
    (claimed,) = claim_due(db, NOW, 10, settings)
    assert finish(db, claimed, NOW, settings, result="answered") == "answered"
    db.commit()
    db.refresh(answered)
    assert answered.completed_at is not None and answered.status == "answered"


def test_a_dead_schedulers_claim_is_taken_over(db: Session, settings) -> None:  # type: ignore[no-untyped-def]
    row = _callback(db, settings)
    claim_due(db, NOW, 10, settings)
    db.refresh(row)
    (again,) = claim_due(db, utc(row.lease_until) + timedelta(seconds=1), 10, settings)
    assert again.attempt == 2
    lost = db.query(CallbackAttempt).filter_by(callback_id=row.id, attempt=1).one()
    assert (lost.result, lost.error) == ("failed", "interrupted")


def test_a_cancel_during_the_call_is_not_overwritten(db: Session, settings) -> None:  # type: ignore[no-untyped-def]
    row = _callback(db, settings)
    (claimed,) = claim_due(db, NOW, 10, settings)
    row.status = "cancelled"
    db.commit()
    assert finish(db, claimed, NOW, settings, result="answered") is None
    db.commit()
    db.refresh(row)
    assert row.status == "cancelled"
    assert db.query(CallbackAttempt).filter_by(callback_id=row.id).one().result == "answered"
