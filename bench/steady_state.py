"""Steady-state capacity: calls arrive at a fixed rate and each lasts a set time, so the number
of calls held settles at rate x hold; the rate is ramped level by level until a level fails.

Arrivals are uniform (one call every 60/rate seconds, no randomness; `--arrivals poisson`
draws exponential gaps with the same mean from a fixed seed) for `--window` seconds. Each
call (one sipp process, an RTP receiver as the earpiece) listens to the greeting, presses 1
after `--dtmf-after` ms (the agent answers "you're already with reception": a DTMF turn, TTS
but no LLM in the offline mode), stays on the line and hangs up `--hold` s after the 200 OK.
Levels target `--targets` concurrent calls (rate = target x 60 / hold calls per minute); the
ramp stops after the first level where answer p95 > `--max-p95` ms or a call was dropped
(no 200 OK, sipp failed, or no greeting heard). Same stack for every level; the workers are
started once per ramp (`--workers`: how many, same agent name, livekit-server hands each job
to the least loaded).

Per level: calls held at once (peak, from each call's 200 OK to its BYE), placed / answered /
dropped, answer latency (INVITE -> first loud RTP at the caller) p50/p95, DTMF replies, audio
at the caller (RTP loss from sequence gaps over the whole call; in the greeting, packets
arriving > 60 ms apart and silent frames between its first and last loud frame), CPU seconds
per call-minute of each process (the workers with their job processes, livekit-server,
livekit-sip, the API; the sipp phones apart: they are the callers, not us) and the workers'
memory per call (peak PSS minus PSS before the level, over the peak held).
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import json
import math
import os
import random
import time
from collections.abc import Sequence
from dataclasses import dataclass, field

from bench.density import prime_dispatch, wait_warm
from bench.harness import Bench, Sampler, cpu_snapshot, pss_mb, tree
from bench.phone import CallTiming, attach_server_logs, caller_number, dial_many
from bench.tables import markdown_table, percentile
from bench.turns import Turn, dtmf_turns, events_by_room
from tests.live.sipp_runner import Call, dtmf, pause

DEFAULT_TARGETS = [2, 4, 6, 8, 10, 15, 20, 25, 30]
# cpu_snapshot's components, and their short names in the tables
COMPONENTS = {"worker": "worker", "livekit-server": "server", "livekit-sip": "sip",
              "API": "API", "sipp phones": "sipp", "bench ears": "ears"}
IDLE_SECONDS = 5.0
WARM_PROCESSES = os.cpu_count() or 1  # livekit's default idle processes


# ---------------------------------------------------------------- pure (tests/bench)

@dataclass
class Plan:
    target: int  # calls held at once in steady state: rate x hold
    rate: float  # calls per minute
    offsets: list[float]  # each call's start, seconds from the start of the level


def plan_level(target: int, hold: float, window: float, arrivals: str = "uniform",
               seed: int = 0) -> Plan:
    """The arrivals of one level: `target` calls held at once, each `hold` seconds long,
    arriving for `window` seconds (uniformly, or as a Poisson process of the same rate)."""
    if target < 1 or hold <= 0 or window <= 0:
        raise ValueError("target, hold and window must be positive")
    rate = target * 60.0 / hold
    gap = 60.0 / rate
    if arrivals == "uniform":
        offsets = [i * gap for i in range(max(1, math.ceil(window / gap - 1e-9)))]
    elif arrivals == "poisson":
        rng, offsets, at = random.Random(seed), [], 0.0
        while at < window:
            offsets.append(at)
            at += rng.expovariate(1.0 / gap)
    else:
        raise ValueError(f"arrivals: uniform or poisson, not {arrivals!r}")
    return Plan(target, rate, offsets)


def peak_concurrency(intervals: Sequence[tuple[float, float]]) -> int:
    """Most intervals (start, end) open at one instant; one ending as another starts does
    not overlap it."""
    edges = sorted([(s, 1) for s, _ in intervals] + [(e, -1) for _, e in intervals])
    held = peak = 0
    for _, step in edges:  # at equal times -1 sorts before +1
        held += step
        peak = max(peak, held)
    return peak


def is_dropped(call: CallTiming) -> bool:
    return not call.ok or call.answered_at is None or call.first_loud_at is None


# ---------------------------------------------------------------- measuring

@dataclass
class Level:
    workers: int
    plan: Plan
    calls: list[CallTiming] = field(default_factory=list)
    turns: list[Turn] = field(default_factory=list)
    cpu: dict[str, float] = field(default_factory=dict)  # component -> CPU seconds
    idle_cpu: dict[str, float] = field(default_factory=dict)  # % of a core with no call up
    idle_pss: float = 0.0
    peak_pss: float = 0.0
    seconds: float = 0.0

    @property
    def held(self) -> list[tuple[float, float]]:
        return [(c.answered_at, c.ended_at) for c in self.calls
                if c.answered_at is not None and c.ended_at is not None]

    @property
    def peak(self) -> int:
        return peak_concurrency(self.held)

    @property
    def call_minutes(self) -> float:
        return sum(end - start for start, end in self.held) / 60

    @property
    def dropped(self) -> int:
        return sum(1 for c in self.calls if is_dropped(c))

    def answer_ms(self, pct: float) -> float | None:
        return percentile([c.answer_latency * 1000 for c in self.calls
                           if c.answer_latency is not None], pct)

    def holds(self, max_p95_ms: float) -> bool:
        p95 = self.answer_ms(95)
        return self.dropped == 0 and p95 is not None and p95 <= max_p95_ms


def _call(number: str, i: int, run: int, dtmf_after_ms: int, hold: float) -> Call:
    rest = max(0, int(hold * 1000) - dtmf_after_ms)
    return Call(number, caller=caller_number(i, run),
                steps=[pause(dtmf_after_ms), dtmf("1"), pause(rest)])


async def run_level(bench: Bench, plan: Plan, run: int, hold: float,
                    dtmf_after_ms: int) -> Level:
    assert bench.stack is not None
    level = Level(len(bench.workers), plan)
    await prime_dispatch(bench, run)
    roots = [w.pid for w in bench.workers if w.pid is not None]
    level.idle_pss = pss_mb([p for r in roots for p in tree(r)])
    before = cpu_snapshot(bench)
    await asyncio.sleep(IDLE_SECONDS)
    after = cpu_snapshot(bench)
    level.idle_cpu = {k: 100 * (after[k] - before.get(k, 0.0)) / IDLE_SECONDS for k in after}
    calls = [_call(bench.numbers["reception"], i, run, dtmf_after_ms, hold)
             for i in range(len(plan.offsets))]
    sampler = Sampler(roots, interval=5.0)
    cpu0 = cpu_snapshot(bench)
    started = time.monotonic()
    sampler.start()
    try:
        level.calls = await dial_many(
            bench.stack, calls, bench.dir / f"steady-{level.workers}w-{plan.target}",
            offsets=plan.offsets, timeout=hold + 90, greeting_within=dtmf_after_ms / 1000)
    finally:
        sampler.stop()
    level.seconds = time.monotonic() - started
    cpu1 = cpu_snapshot(bench)
    level.cpu = {k: cpu1[k] - cpu0.get(k, 0.0) for k in cpu1}
    level.peak_pss = sampler.peak_pss
    for worker in bench.workers:
        attach_server_logs(level.calls, worker.log_path, bench.sip_log)
        rooms = events_by_room(worker.log_path)
        for call in level.calls:
            if call.room in rooms:
                level.turns += dtmf_turns(rooms[call.room])
    calls_json = bench.dir / f"steady-{level.workers}w-{plan.target}" / "calls.json"
    calls_json.write_text(json.dumps([dataclasses.asdict(c) for c in level.calls], indent=1))
    return level


async def ramp(bench: Bench, workers: int, targets: list[int], hold: float, window: float,
               dtmf_after_ms: int, max_p95_ms: float, arrivals: str,
               first_run: int = 0, stt: str = "") -> list[Level]:
    # livekit-agents' own admission stays out of the way: AGENT_MAX_CALLS above the target
    env = {"AGENT_MAX_CALLS": str(max(targets) + 10)}
    if stt:
        env["STT_PROVIDER"] = stt
    bench.start_workers(workers, **env)
    for worker in bench.workers:  # livekit's warm pool: CPU count (2) processes each
        await wait_warm(worker, WARM_PROCESSES)
    levels: list[Level] = []
    for i, target in enumerate(targets):
        plan = plan_level(target, hold, window, arrivals, seed=target)
        print(f"  {workers} worker(s), target {target}: {plan.rate:.1f} calls/min, "
              f"{len(plan.offsets)} calls over {window:.0f} s", flush=True)
        level = await run_level(bench, plan, first_run + i + 1, hold, dtmf_after_ms)
        levels.append(level)
        print(f"    held {level.peak}, dropped {level.dropped}, answer p95 "
              f"{level.answer_ms(95) or 0:.0f} ms", flush=True)
        if not level.holds(max_p95_ms):
            break
    return levels


# ---------------------------------------------------------------- report

def _ms(value: float | None) -> int | None:
    return None if value is None else round(value)


def _share(part: float, whole: float) -> float | None:
    return 100 * part / whole if whole else None


def report(levels: list[Level], hold: float, window: float, arrivals: str,
           stt: str = "") -> str:
    rows, idle = [], []
    for lv in levels:
        answered = [c for c in lv.calls if c.answered_at is not None]
        greetings = [c.greeting for c in lv.calls if c.greeting is not None]
        replies = sum(1 for t in lv.turns if t.speaking_at is not None)
        minutes = lv.call_minutes
        rows.append([
            lv.workers, lv.plan.target, round(lv.plan.rate, 1), lv.peak, len(lv.calls),
            len(answered), lv.dropped, _ms(lv.answer_ms(50)), _ms(lv.answer_ms(95)),
            f"{replies}/{len(lv.calls)}",
            _share(sum(c.rtp_lost for c in lv.calls), sum(c.rtp_expected for c in lv.calls)),
            sum(g.late_gaps for g in greetings),
            _ms(percentile([g.late_ms for g in greetings], 95)),
            _ms(percentile([g.silent_ms for g in greetings], 50)),
            *((lv.cpu.get(k, 0.0) / minutes if minutes else None) for k in COMPONENTS),
            (lv.peak_pss - lv.idle_pss) / lv.peak if lv.peak else None,
        ])
        idle.append(f"{lv.plan.target}: " + ", ".join(
            f"{short} {lv.idle_cpu.get(k, 0.0):.0f} %" for k, short in COMPONENTS.items()))
    headers = ["workers", "target", "calls/min", "peak held", "placed", "answered",
               "dropped", "answer p50 ms", "answer p95 ms", "DTMF replies", "RTP loss %",
               "greeting gaps", "gap ms p95", "greeting silence ms p50",
               *(f"CPU {short}" for short in COMPONENTS.values()), "PSS MB/call"]
    return (f"### Steady state, {levels[0].workers if levels else 0} worker(s) ({arrivals} "
            f"arrivals for {window:.0f} s per level, each call held {hold:.0f} s, "
            f"STT_PROVIDER={stt or 'default'})\n\n"
            + markdown_table(headers, rows, digits=1)
            + "\n\n`CPU x`: CPU seconds per call-minute held (level total over the level's "
            "call-minutes; `sipp` and `ears` are the callers). `greeting gaps`: packets "
            "arriving > 60 ms apart inside greetings (all calls); `gap ms p95`: their "
            "length beyond 20 ms per call. Idle before each level, % of one core: "
            + "; ".join(idle) + ".")


def scale_out(ramps: dict[int, list[Level]], max_p95_ms: float) -> str:
    """Per worker count: the highest level that held (no drop, answer p95 within bound)."""
    rows = []
    for workers, levels in ramps.items():
        good = [lv for lv in levels if lv.holds(max_p95_ms)]
        best = good[-1] if good else None
        failed = next((lv for lv in levels if not lv.holds(max_p95_ms)), None)
        rows.append([
            workers, best.plan.target if best else None, best.peak if best else None,
            _ms(best.answer_ms(95)) if best else None,
            (best.cpu.get("worker", 0.0) / best.call_minutes) if best and best.call_minutes
            else None,
            ((best.peak_pss - best.idle_pss) / best.peak) if best and best.peak else None,
            (f"target {failed.plan.target}: held {failed.peak}, dropped {failed.dropped}, "
             f"p95 {_ms(failed.answer_ms(95))} ms") if failed else "none (ramp ended)",
        ])
    headers = ["workers", "highest target held", "peak held", "answer p95 ms",
               "CPU worker s/call-min", "PSS MB/call", "first level that failed"]
    return ("### Scale-out (same box, one ramp per worker count)\n\n"
            + markdown_table(headers, rows, digits=1))


def run(rates: list[int] | None = None, hold_seconds: float = 45.0,
        window_seconds: float = 120.0, workers: list[int] | None = None,
        dtmf_after_ms: int = 5000, max_p95_ms: float = 2000.0,
        arrivals: str = "uniform", stt: str = "") -> str:
    """`rates`: the levels, as target calls held at once (rate = target x 60 / hold per
    minute). One ramp per entry of `workers` (e.g. [1, 2]: one worker, then two). `stt`:
    the workers' STT_PROVIDER ("": the product's default, local speech-to-text with VAD on
    every call; "none": keys and text only)."""
    targets = rates or DEFAULT_TARGETS
    tables, ramps = [], {}
    with Bench("steady", rtp_ports=2000) as bench:
        run_no = 0
        for n in workers or [1]:
            try:
                levels = asyncio.run(ramp(bench, n, targets, hold_seconds, window_seconds,
                                          dtmf_after_ms, max_p95_ms, arrivals, run_no,
                                          stt))
            except Exception as exc:  # keep the tables of the ramps that finished
                tables.append(f"### Steady state, {n} worker(s): FAILED: "
                              f"{type(exc).__name__}: {exc}")
                break
            run_no += len(levels)
            ramps[n] = levels
            tables.append(report(levels, hold_seconds, window_seconds, arrivals, stt))
    if len(ramps) > 1:
        tables.append(scale_out(ramps, max_p95_ms))
    return "\n\n".join(tables)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--targets", default=",".join(map(str, DEFAULT_TARGETS)),
                   help="levels: concurrent calls aimed at (rate = target x 60 / hold)")
    p.add_argument("--hold", type=float, default=45.0, help="seconds each call lasts")
    p.add_argument("--window", type=float, default=120.0, help="seconds of arrivals per level")
    p.add_argument("--workers", default="1", help="worker counts, one ramp each: e.g. 1,2")
    p.add_argument("--dtmf-after", type=int, default=5000, help="ms after answer to press 1")
    p.add_argument("--max-p95", type=float, default=2000.0,
                   help="a level fails above this answer p95 (ms)")
    p.add_argument("--arrivals", choices=["uniform", "poisson"], default="uniform")
    p.add_argument("--stt", default="", help="the workers' STT_PROVIDER (default: the "
                   "product's, local speech-to-text with VAD per call; none: keys only)")
    args = p.parse_args()
    ints = lambda text: [int(x) for x in text.split(",") if x]  # noqa: E731
    print(run(ints(args.targets), args.hold, args.window, ints(args.workers), args.dtmf_after,
              args.max_p95, args.arrivals, args.stt), flush=True)


if __name__ == "__main__":
    main()
