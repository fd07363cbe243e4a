"""Every benchmark, one after another, printing each table as it completes (`make bench`).

Defaults keep a full run around 10-15 minutes on a 2-core machine; the options trim it.
"""

from __future__ import annotations

import argparse
import os
import platform
import time
from collections.abc import Callable

from bench import (
    answer_latency,
    density,
    provisioning,
    recording,
    speech_accuracy,
    steady_state,
    token_throughput,
    turn_overhead,
    voice_turn,
    warm_transfer,
)


def machine() -> str:
    model = "unknown"
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
        mem_kb = int(next(x for x in open("/proc/meminfo") if x.startswith("MemTotal"))
                     .split()[1])
    except (OSError, StopIteration):
        mem_kb = 0
    return (f"{os.cpu_count()} CPUs ({model}), {mem_kb / 1024 / 1024:.0f} GiB RAM, "
            f"{platform.system()} {platform.release()}, Python {platform.python_version()}, "
            f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}")


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--calls", type=int, default=20, help="answer-latency calls")
    p.add_argument("--rooms", type=int, default=4, help="turn-overhead rooms")
    p.add_argument("--turns", type=int, default=6, help="turn-overhead turns per room")
    p.add_argument("--n", default="10,25,50", help="density: simultaneous calls per level")
    p.add_argument("--probe", default="75", help="density: higher N tried while all answer")
    p.add_argument("--configs", default="default,warm,thread",
                   help=f"density worker configurations ({', '.join(density.CONFIGS)})")
    p.add_argument("--sizes", default="10,100,1000", help="provisioning sizes")
    p.add_argument("--voice-levels", default="1,4", help="voice turns: calls at once per level")
    p.add_argument("--voice-calls", type=int, default=5, help="voice turns: calls per level")
    p.add_argument("--steady-targets", default="2,4,6,8,10,15,20,25,30",
                   help="steady state: concurrent calls aimed at per level (ramp stops at "
                   "the first level with answer p95 > 2 s or a dropped call)")
    p.add_argument("--steady-hold", type=float, default=45.0, help="steady state: s per call")
    p.add_argument("--steady-window", type=float, default=120.0,
                   help="steady state: s of arrivals per level")
    p.add_argument("--steady-workers", default="1,2",
                   help="steady state: one ramp per worker count (scale-out table)")
    p.add_argument("--only", default="", help="comma-separated subset: answer,turn,density,"
                   "steady,provisioning,token,voice,speech,recording,warm")
    p.add_argument("--warm-calls", type=int, default=5, help="warm transfers to measure")
    args = p.parse_args()
    ints = lambda text: [int(x) for x in text.split(",") if x]  # noqa: E731
    steps: dict[str, Callable[[], str]] = {
        "answer": lambda: answer_latency.run(args.calls),
        "turn": lambda: turn_overhead.run(args.rooms, args.turns),
        "provisioning": lambda: provisioning.run(ints(args.sizes)),
        "token": lambda: token_throughput.run(),
        "recording": lambda: recording.run([1, 10], 60.0),
        "warm": lambda: warm_transfer.run(args.warm_calls),
        "density": lambda: density.run(args.configs.split(","), ints(args.n),
                                       ints(args.probe)),
        "steady": lambda: steady_state.run(ints(args.steady_targets), args.steady_hold,
                                           args.steady_window, ints(args.steady_workers)),
        "voice": lambda: voice_turn.run(ints(args.voice_levels), args.voice_calls),
        "speech": lambda: speech_accuracy.run(),
    }
    only = [s for s in args.only.split(",") if s] or list(steps)
    print(f"## Benchmarks\n\nMachine: {machine()}\n", flush=True)
    for name in only:
        started = time.monotonic()
        try:
            table = steps[name]()
        except Exception as exc:  # one failing benchmark must not hide the others' tables
            table = f"### {name}: FAILED: {type(exc).__name__}: {exc}"
        print(f"{table}\n\n_{name}: {time.monotonic() - started:.0f} s_\n", flush=True)


if __name__ == "__main__":
    main()
