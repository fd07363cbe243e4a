"""Where a held call's CPU goes: one call to reception that listens to the greeting, presses
1 after 5 s and stays on the line; once the greeting and the reply are over, the CPU used by
every thread of the worker's process tree (job process, worker, speech service) is read from
/proc/<pid>/task/*/stat over `--window` s and summed by process role and thread name.

This is the per-call cost that bounds steady-state capacity (bench/steady_state.py): what a
call costs while nobody speaks.
"""

from __future__ import annotations

import argparse
import asyncio
from collections import defaultdict
from pathlib import Path

from bench.density import prime_dispatch, wait_warm
from bench.harness import CLK_TCK, Bench, tree
from bench.phone import caller_number, dial_many
from bench.steady_state import WARM_PROCESSES
from bench.tables import markdown_table
from tests.live.sipp_runner import Call, dtmf, pause


def thread_cpu(pids: list[int]) -> dict[tuple[int, str], float]:
    """(pid, thread name) -> utime + stime seconds of every thread of `pids`."""
    out: dict[tuple[int, str], float] = defaultdict(float)
    for pid in pids:
        try:
            tids = list(Path(f"/proc/{pid}/task").iterdir())
        except OSError:
            continue
        for task in tids:
            try:
                stat = (task / "stat").read_text()
            except OSError:
                continue
            name = stat[stat.index("(") + 1:stat.rindex(")")]
            fields = stat.rsplit(")", 1)[1].split()
            out[(pid, name)] += (int(fields[11]) + int(fields[12])) / CLK_TCK
    return out


async def measure(bench: Bench, settle: float, window: float) -> dict[str, float]:
    assert bench.stack is not None and bench.worker is not None
    await prime_dispatch(bench, 1)
    call = Call(bench.numbers["reception"], caller=caller_number(1, 2),
                steps=[pause(5000), dtmf("1"), pause(int((settle + window + 10) * 1000))])
    dialing = asyncio.create_task(dial_many(bench.stack, [call], bench.dir / "held",
                                            timeout=settle + window + 60))
    await asyncio.sleep(settle)
    pids = tree(bench.worker.pid)
    before = thread_cpu(pids)
    await asyncio.sleep(window)
    after = thread_cpu(pids)
    used = {k: after[k] - before.get(k, 0.0) for k in after}
    job = max({pid for pid, _ in used}, key=lambda p: sum(v for (q, _), v in used.items()
                                                         if q == p))
    by_name: dict[str, float] = defaultdict(float)
    for (pid, name), seconds in used.items():
        role = "job" if pid == job else "worker" if pid == bench.worker.pid else "other"
        by_name[f"{role}: {name.strip()}"] += seconds
    timing = (await dialing)[0]
    if not timing.ok:
        raise RuntimeError(f"the held call failed: {timing.error}")
    return by_name


def run(stt: str = "", settle: float = 20.0, window: float = 30.0) -> str:
    with Bench("held-call", rtp_ports=100) as bench:
        bench.start_workers(1, **({"STT_PROVIDER": stt} if stt else {}))
        asyncio.run(wait_warm(bench.workers[0], WARM_PROCESSES))
        used = asyncio.run(measure(bench, settle, window))
    rows = [[name, seconds / window * 10, 100 * seconds / window]
            for name, seconds in sorted(used.items(), key=lambda kv: -kv[1]) if seconds > 0]
    total = sum(used.values())
    rows.append(["total", total / window * 10, 100 * total / window])
    return (f"### One held call, STT_PROVIDER={stt or 'default'} ({window:.0f} s from "
            f"{settle:.0f} s after dialling; `job`: the call's process, `other`: warm "
            "processes, speech service)\n\n"
            + markdown_table(["process: thread", "CPU-s per 10 s", "% of a core"], rows, 2))


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--stt", default="", help="the worker's STT_PROVIDER (default: the "
                   "product's; none: keys only)")
    p.add_argument("--settle", type=float, default=20.0, help="s after dialling to start")
    p.add_argument("--window", type=float, default=30.0, help="s measured")
    args = p.parse_args()
    print(run(args.stt, args.settle, args.window), flush=True)


if __name__ == "__main__":
    main()
