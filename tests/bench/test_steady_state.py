"""The steady-state benchmark's pure parts: level planning, calls held at once, RTP loss and
greeting gaps at the caller (no timing assertions, no stack)."""

from __future__ import annotations

import pytest

from bench.phone import CallTiming
from bench.rtp_quality import greeting_quality, rtp_loss, unwrap
from bench.steady_state import Level, is_dropped, peak_concurrency, plan_level


def test_uniform_plan_arrives_at_rate_times_hold() -> None:
    plan = plan_level(25, hold=45, window=120)
    assert plan.rate == pytest.approx(25 * 60 / 45)  # 33.3 calls a minute
    gap = 45 / 25  # one call every 1.8 s
    assert plan.offsets[:3] == pytest.approx([0, gap, 2 * gap])
    assert len(plan.offsets) == 67  # 0, 1.8, ... 118.8 s: every start inside the window
    assert plan.offsets[-1] == pytest.approx(118.8)


def test_uniform_plan_fills_the_window_exactly() -> None:
    plan = plan_level(5, hold=20, window=60)  # 15 calls a minute, one every 4 s
    assert plan.offsets == pytest.approx([4.0 * i for i in range(15)])
    assert len(plan_level(1, hold=600, window=60).offsets) == 1  # rarer than the window


def test_poisson_plan_is_seeded_and_keeps_the_mean_rate() -> None:
    a = plan_level(30, hold=45, window=3600, arrivals="poisson", seed=7)
    b = plan_level(30, hold=45, window=3600, arrivals="poisson", seed=7)
    assert a.offsets == b.offsets
    assert all(x < y for x, y in zip(a.offsets, a.offsets[1:], strict=False))
    assert a.offsets[-1] < 3600
    assert len(a.offsets) == pytest.approx(2400, rel=0.1)  # 40 a minute for an hour
    assert a.offsets != plan_level(30, hold=45, window=3600, arrivals="poisson").offsets


def test_plan_rejects_nonsense() -> None:
    with pytest.raises(ValueError):
        plan_level(0, hold=45, window=60)
    with pytest.raises(ValueError):
        plan_level(5, hold=45, window=60, arrivals="bursty")


def test_peak_concurrency_counts_overlaps() -> None:
    assert peak_concurrency([]) == 0
    assert peak_concurrency([(0, 10)]) == 1
    assert peak_concurrency([(0, 10), (5, 15), (8, 9), (20, 30)]) == 3
    assert peak_concurrency([(0, 10), (10, 20)]) == 1  # one ends as the next starts
    # steady state: a call every 2 s, each 10 s long -> 5 held at once
    assert peak_concurrency([(2 * i, 2 * i + 10) for i in range(50)]) == 5


def _call(answered: float | None, ended: float | None, *, ok: bool = True,
          loud: float | None = 1.0) -> CallTiming:
    return CallTiming("+1555", ok=ok, invite_at=0.0, answered_at=answered, ended_at=ended,
                      first_loud_at=loud)


def test_level_counts_held_calls_and_drops() -> None:
    level = Level(1, plan_level(2, hold=10, window=20))
    level.calls = [_call(0.5, 10.5), _call(5.5, 15.5), _call(10.5, 20.5),
                   _call(None, None, ok=False), _call(16.0, 26.0, loud=None)]
    assert level.peak == 2
    assert level.call_minutes == pytest.approx(40 / 60)
    assert level.dropped == 2  # no answer; answered but no greeting heard
    assert is_dropped(level.calls[3]) and is_dropped(level.calls[4])
    assert not is_dropped(level.calls[0])
    assert not level.holds(2000)  # a dropped call fails the level whatever the latency


def test_level_holds_only_within_the_answer_bound() -> None:
    level = Level(1, plan_level(1, hold=10, window=10))
    level.calls = [_call(0.3, 10.3, loud=0.8 + i / 10) for i in range(10)]  # 0.8 .. 1.7 s
    assert level.answer_ms(50) == pytest.approx(1250)
    assert level.holds(2000)
    assert not level.holds(1500)


def test_rtp_loss_from_sequence_gaps_across_wraparound() -> None:
    assert rtp_loss([]) == (0, 0)
    assert rtp_loss([10, 11, 12, 13]) == (4, 0)
    assert rtp_loss([10, 11, 14, 15]) == (6, 2)
    assert rtp_loss([10, 12, 11, 13]) == (4, 0)  # reordered, not lost
    assert rtp_loss([10, 11, 11, 13]) == (4, 1)  # a duplicate does not hide a loss
    assert unwrap([65534, 65535, 0, 2]) == [65534, 65535, 65536, 65538]
    assert rtp_loss([65534, 65535, 0, 2]) == (5, 1)


def test_greeting_gaps_and_silence() -> None:
    # 20 ms packets from t=0; one stall of 100 ms after the 10th packet (4 frames late)
    arrivals = [i * 0.02 for i in range(10)] + [0.28 + i * 0.02 for i in range(40)]
    loud = [t for t in arrivals if not 0.4 <= t < 0.5]  # 5 silent frames mid-greeting
    g = greeting_quality(arrivals, loud, start=0.0, until=0.8)
    assert g.late_gaps == 1
    assert g.late_ms == pytest.approx(80)  # 100 ms gap, 20 of it the frame itself
    assert g.silent_ms == pytest.approx(100)
    assert g.seconds == pytest.approx(0.8)
    # what comes after `until` (the reply to the caller's key) is not the greeting
    assert greeting_quality(arrivals, loud, start=0.0, until=0.3).seconds == pytest.approx(0.28)
    assert greeting_quality(arrivals, [], start=0.0, until=1.0).seconds == 0
