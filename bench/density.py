"""Density: N simultaneous SIP calls on one box (livekit-server, livekit-sip, the worker and
N sipp phones share the 2 cores).

All N calls dial the reception number at once (one sipp process each, an RTP receiver as
the earpiece). Each caller listens to the greeting for `--dtmf-after` ms, presses 1 (the
agent answers "you're already with reception": a DTMF turn with TTS but no LLM), stays
`--hold` ms more and hangs up. Reported per N: calls answered (200 OK and a non-silent
greeting heard), answer latency (INVITE -> first loud RTP), DTMF turn overhead (digit at
the agent -> first audio frame pushed, minus TTS ttfb), the worker's memory (RSS and PSS
summed over the worker and its job processes, peak while the calls are up) and CPU (% of
one core, averaged over the run, per component).

Worker configurations (`--configs`) are environment overrides for the worker:
  default  livekit's defaults: one process per call, CPU-count warm processes
  warm     one process per call, a warm process for every call expected (AGENT_IDLE_PROCESSES)
  thread   calls as threads of the worker process (AGENT_JOB_EXECUTOR=thread), a warm
           slot for every call expected (AGENT_IDLE_PROCESSES)
A configuration stops at the first N where not every call was answered.
"""

from __future__ import annotations

import argparse
import asyncio
import time
from dataclasses import dataclass, field

from bench.harness import Bench, Sampler, Service, cpu_snapshot, pss_mb, rss_mb, tree
from bench.phone import CallTiming, attach_server_logs, caller_number, dial_many
from bench.tables import markdown_table, percentile
from bench.turns import Turn, dtmf_turns, events_by_room
from tests.live.sipp_runner import Call, dtmf, pause

CONFIGS: dict[str, dict[str, str]] = {
    "default": {},
    "warm": {"AGENT_JOB_EXECUTOR": "process", "AGENT_IDLE_PROCESSES": "{n}"},
    "thread": {"AGENT_JOB_EXECUTOR": "thread", "AGENT_IDLE_PROCESSES": "{n}"},
}


@dataclass
class Level:
    config: str
    n: int
    calls: list[CallTiming] = field(default_factory=list)
    turns: list[Turn] = field(default_factory=list)
    idle_rss: float = 0.0
    idle_pss: float = 0.0
    peak_rss: float = 0.0
    peak_pss: float = 0.0
    peak_procs: int = 0
    seconds: float = 0.0
    cpu: dict[str, float] = field(default_factory=dict)  # component -> % of one core

    @property
    def answered(self) -> int:
        return sum(1 for c in self.calls if c.answered_at is not None
                   and c.first_loud_at is not None)

    def holds(self) -> bool:
        return self.answered == self.n


# livekit-server v1.13.5 pkg/agent/client.go: which agent names have workers is cached for a
# minute and dropped whenever a worker registers; refreshing it is a 5 s multi-RPC, and while
# it runs every dispatch lookup holds one of 50 dispatcher slots (3 per SIP call: room,
# participant, publisher), so only ~16 calls of a burst are dispatched and the rest wait the
# full 5 s. A contact center in service has it warm; so does the bench, with one short call.
CHECK_ENABLED_SECONDS = 5.5


async def prime_dispatch(bench: Bench, run: int) -> None:
    """One short call, then wait out livekit-server's agent-name check (see above)."""
    assert bench.stack is not None
    prime = Call(bench.numbers["reception"], caller=caller_number(99999, run),
                 steps=[pause(500)])
    await dial_many(bench.stack, [prime], bench.dir / f"prime-{run}", timeout=30)
    await asyncio.sleep(CHECK_ENABLED_SECONDS)


async def run_level(bench: Bench, config: str, n: int, run: int, dtmf_after: int,
                    hold: int) -> Level:
    assert bench.stack is not None and bench.worker is not None
    level = Level(config, n)
    await prime_dispatch(bench, run)
    pids = tree(bench.worker.pid)
    level.idle_rss, level.idle_pss = rss_mb(pids), pss_mb(pids)
    calls = [Call(bench.numbers["reception"], caller=caller_number(i, run),
                  steps=[pause(dtmf_after), dtmf("1"), pause(hold)]) for i in range(n)]
    sampler = Sampler(bench.worker.pid)
    cpu0 = cpu_snapshot(bench)
    started = time.monotonic()
    sampler.start()
    try:
        level.calls = await dial_many(bench.stack, calls, bench.dir / f"density-{config}-{n}",
                                      timeout=90)
    finally:
        sampler.stop()
    level.seconds = time.monotonic() - started
    cpu1 = cpu_snapshot(bench)
    level.cpu = {k: 100 * (cpu1[k] - cpu0.get(k, 0.0)) / level.seconds for k in cpu1}
    level.peak_rss, level.peak_pss, level.peak_procs = \
        sampler.peak_rss, sampler.peak_pss, sampler.peak_procs
    attach_server_logs(level.calls, bench.worker.log_path, bench.sip_log)
    rooms = events_by_room(bench.worker.log_path)
    for call in level.calls:
        if call.room in rooms:
            level.turns += dtmf_turns(rooms[call.room])
    return level


def _p(values: list[float | None], pct: float, scale: float = 1000.0) -> float | None:
    v = percentile([x * scale for x in values if x is not None], pct)
    return v


def report(levels: list[Level]) -> str:
    rows = []
    for lv in levels:
        answer = [c.answer_latency for c in lv.calls]
        to_200 = [c.since_invite(c.answered_at) for c in lv.calls]
        overhead = [t.overhead for t in lv.turns]
        per_call = (lv.peak_pss - lv.idle_pss) / lv.n if lv.n else 0.0
        rows.append([lv.config, lv.n, f"{lv.answered}/{lv.n}", _p(answer, 50), _p(answer, 95),
                     _p(to_200, 95), f"{len(lv.turns)}", _p(overhead, 50), _p(overhead, 95),
                     lv.peak_procs, lv.peak_rss, lv.peak_pss, per_call,
                     lv.cpu.get("worker"), lv.cpu.get("livekit-server"),
                     lv.cpu.get("livekit-sip"), lv.cpu.get("sipp phones")])
    headers = ["worker", "N", "answered", "answer p50 ms", "answer p95 ms", "INVITE->200 p95 ms",
               "DTMF turns", "turn ovh p50 ms", "turn ovh p95 ms", "worker procs",
               "worker RSS MB", "worker PSS MB", "PSS/call MB", "CPU% worker",
               "CPU% server", "CPU% sip", "CPU% sipp"]
    return "### Density (N simultaneous SIP calls, one box)\n\n" + markdown_table(headers, rows)


async def wait_warm(worker: Service, idle: int, timeout: float = 120) -> None:
    """Until `worker` logged `idle` initialized job processes/runners (bounded)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        text = worker.log_text()
        if text.count('"process initialized"') + text.count('"job runner initialized"') >= idle:
            break
        await asyncio.sleep(0.5)
    await asyncio.sleep(2)


async def measure(bench: Bench, configs: list[str], ns: list[int], probe: list[int],
                  dtmf_after: int, hold: int) -> list[Level]:
    levels: list[Level] = []
    run = 0
    for config in configs:
        for n in ns + probe:
            if levels and levels[-1].config == config and not levels[-1].holds():
                break  # the last N did not hold: do not try higher
            # a fresh worker per level, its warm pool sized for this N where configured
            env = {k: v.format(n=n) for k, v in CONFIGS[config].items()}
            bench.restart_worker(AGENT_MAX_CALLS=str(n + 10), **env)
            assert bench.worker is not None
            await wait_warm(bench.worker, int(env.get("AGENT_IDLE_PROCESSES", "0")))
            run += 1
            level = await run_level(bench, config, n, run, dtmf_after, hold)
            levels.append(level)
            print(f"  {config} N={n}: {level.answered}/{n} answered", flush=True)
    return levels


def run(configs: list[str] | None = None, ns: list[int] | None = None,
        probe: list[int] | None = None, dtmf_after: int = 7000, hold: int = 4000) -> str:
    with Bench("density", rtp_ports=1000) as bench:
        levels = asyncio.run(measure(bench, configs or ["default", "thread"],
                                     ns or [10, 25, 50], probe or [], dtmf_after, hold))
        return report(levels)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--configs", default="default,thread",
                   help=f"worker configurations, comma-separated: {', '.join(CONFIGS)}")
    p.add_argument("--n", default="10,25,50", help="simultaneous calls per level")
    p.add_argument("--probe", default="", help="higher N tried while every call is answered")
    p.add_argument("--dtmf-after", type=int, default=7000, help="ms after answer to press 1")
    p.add_argument("--hold", type=int, default=4000, help="ms on the line after the digit")
    args = p.parse_args()
    ints = [int(x) for x in args.n.split(",") if x]
    probe = [int(x) for x in args.probe.split(",") if x]
    print(run(args.configs.split(","), ints, probe, args.dtmf_after, args.hold), flush=True)


if __name__ == "__main__":
    main()
