"""The API's /metrics: the contact center as the database sees it at scrape time (calls per
department and state, workers and capacity from heartbeats) and the supervisor's counters."""

from __future__ import annotations

from datetime import timedelta

from prometheus_client import REGISTRY
from prometheus_client.parser import text_string_to_metric_families

from app.supervision import metrics as supervision_metrics
from app.supervision.plan import ABANDONED, NO_AGENT, Plan
from core.models import RoomWatch, Worker, utcnow
from tests.support import factories


def _scrape(client) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:  # type: ignore[no-untyped-def]
    resp = client.get("/metrics")
    assert resp.status_code == 200 and resp.headers["content-type"].startswith("text/plain")
    return {(s.name, tuple(sorted(s.labels.items()))): s.value
            for family in text_string_to_metric_families(resp.text) for s in family.samples}


def _worker(db, worker_id: str, active: int, seen_ago: float = 0.0, **kw) -> None:  # type: ignore[no-untyped-def]
    db.add(Worker(id=worker_id, agent_name="contact-center", host="h", max_calls=10,
                  active_calls=active, browser_calls=0,
                  seen_at=utcnow() - timedelta(seconds=seen_ago), **kw))


def test_calls_per_department_and_state_and_the_workers_capacity(client, db) -> None:  # type: ignore[no-untyped-def]
    now = utcnow()
    for dept, status in (("sales", "active"), ("sales", "active"), ("complaints", "active"),
                         ("sales", "ended")):
        factories.call(db, events=0, current_department=dept, status=status,
                       end_reason="caller_hangup" if status == "ended" else None,
                       ended_at=now - timedelta(minutes=5) if status == "ended" else None)
    factories.call(db, events=0, current_department="sales", end_reason="abandoned",
                   ended_at=now - timedelta(hours=3))  # outside the hour
    db.add(RoomWatch(room_name="call-sales_1_x", source="sip", state="waiting",
                     department="sales", next_check_at=now - timedelta(minutes=1)))
    _worker(db, "AW_1", active=3)
    _worker(db, "AW_2", active=1)
    _worker(db, "AW_gone", active=9, seen_ago=3600)  # stopped beating: not counted
    _worker(db, "AW_drain", active=2, draining=True)  # takes no new calls
    db.commit()

    got = _scrape(client)
    assert got[("cc_database_up", ())] == 1
    assert got[("cc_calls_active", (("department", "sales"), ("source", "sip")))] == 2
    assert got[("cc_calls_active", (("department", "complaints"), ("source", "sip")))] == 1
    assert got[("cc_calls_waiting", (("department", "sales"), ("source", "sip")))] == 1
    assert got[("cc_calls_ended_last_hour",
                (("department", "sales"), ("reason", "caller_hangup")))] == 1
    assert ("cc_calls_ended_last_hour", (("department", "sales"), ("reason", "abandoned"))) \
        not in got
    assert got[("cc_supervision_overdue_checks", ())] == 1
    assert got[("cc_workers", ())] == 2
    assert got[("cc_agents_max_calls", ())] == 20
    assert got[("cc_agents_active_calls", ())] == 4
    assert got[("cc_agents_free_calls", ())] == 16
    assert got[("cc_agents_load", ())] == 0.2
    assert ("process_cpu_seconds_total", ()) in got  # the process metrics are still there


def test_with_no_worker_the_load_is_full(client) -> None:  # type: ignore[no-untyped-def]
    got = _scrape(client)
    assert got[("cc_workers", ())] == 0 and got[("cc_agents_load", ())] == 1.0


def _value(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


def test_the_supervisors_actions_are_counted() -> None:
    lost_before = _value("cc_calls_lost_total", department="sales")
    unanswered = {r: _value("cc_calls_unanswered_total", department="unknown", reason=r)
                  for r in (ABANDONED, NO_AGENT)}
    again = {r: _value("cc_supervision_redispatches_total", reason=r)
             for r in ("waiting", "agent_lost")}

    died = Plan("waiting", close_open=True, restart_wait=True, dispatch=True)
    supervision_metrics.count(died, "sales", lost=1)
    supervision_metrics.redispatched(died)
    supervision_metrics.redispatched(Plan("waiting", dispatch=True))
    supervision_metrics.count(Plan("closed", unanswered=ABANDONED), None, lost=0)

    assert _value("cc_calls_lost_total", department="sales") == lost_before + 1
    assert _value("cc_calls_unanswered_total", department="unknown", reason=ABANDONED) == \
        unanswered[ABANDONED] + 1
    assert _value("cc_calls_unanswered_total", department="unknown", reason=NO_AGENT) == \
        unanswered[NO_AGENT]
    assert _value("cc_supervision_redispatches_total", reason="agent_lost") == \
        again["agent_lost"] + 1
    assert _value("cc_supervision_redispatches_total", reason="waiting") == again["waiting"] + 1


def test_a_database_that_does_not_answer_is_reported_not_raised(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from sqlalchemy import create_engine
    from sqlalchemy.orm import Session

    from app.metrics import DatabaseCollector
    from core.config import Settings

    engine = create_engine(f"sqlite:///{tmp_path}/no/such/dir/cc.db")
    with Session(engine) as db:
        families = list(DatabaseCollector(db, Settings(_env_file=None)).collect())
    assert [(f.name, f.samples[0].value) for f in families] == [("cc_database_up", 0)]
