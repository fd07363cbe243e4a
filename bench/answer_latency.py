"""Answer latency: sipp INVITE sent -> first non-silent greeting RTP packet at the caller.

Calls are placed one after another (the latency of an idle system; see bench.density for
calls at once) to the reception number; each caller listens for `--hold` ms and hangs up.
The breakdown uses sipp's message trace (INVITE, 180, 200), livekit-sip's "signaling
timestamps" log line, the worker's log (job request received, `call started` = entrypoint
ready, agent state -> speaking = first TTS frame pushed) and the caller's RTP receiver.
"""

from __future__ import annotations

import argparse
import asyncio

from bench.harness import Bench
from bench.phone import CallTiming, attach_server_logs, caller_number, dial_many
from bench.tables import SUMMARY_HEADERS, markdown_table, summary, summary_row
from tests.live.sipp_runner import Call, pause

# consecutive phases of one call: they add up to the answer latency
PHASES = [
    ("INVITE -> job request at worker (room + agent dispatch)", "invite_at", "job_request_at"),
    ("job request -> entrypoint ready (agent start)", "job_request_at", "call_started_at"),
    ("entrypoint ready -> 200 OK at caller", "call_started_at", "answered_at"),
    ("200 OK -> first TTS frame pushed (agent speaking)", "answered_at", "speaking_at"),
    ("first TTS frame -> first loud RTP at caller", "speaking_at", "first_loud_at"),
    ("= INVITE -> first loud RTP packet (answer latency)", "invite_at", "first_loud_at"),
]
# reference points
MARKS = [
    ("INVITE -> 180 Ringing (sipp)", "invite_at", "ringing_at"),
    ("INVITE -> SIP participant in room (livekit-sip log)", "invite_at", "sip_joined_at"),
    ("INVITE -> 200 OK (sipp)", "invite_at", "answered_at"),
    ("INVITE -> first RTP packet, any level", "invite_at", "first_packet_at"),
]


def delta(t: CallTiming, start: str, end: str) -> float | None:
    a, b = getattr(t, start), getattr(t, end)
    return None if a is None or b is None else b - a


def breakdown_rows(timings: list[CallTiming]) -> list[list]:
    rows = [summary_row(name, [delta(t, s, e) for t in timings])
            for name, s, e in PHASES + MARKS]
    rows += [summary_row("livekit-sip inviteToRingingMs",
                         [t.sip_invite_to_ringing_ms for t in timings], scale=1.0),
             summary_row("livekit-sip inviteToAcceptMs",
                         [t.sip_invite_to_accept_ms for t in timings], scale=1.0)]
    return rows


async def measure(bench: Bench, calls: int, hold_ms: int, run: int = 1) -> list[CallTiming]:
    assert bench.stack is not None and bench.worker is not None
    number = bench.numbers["reception"]
    # one call first, not counted: the worker's warm processes are ready after it (a worker
    # reports itself registered before its forkserver has finished preloading)
    await dial_many(bench.stack, [Call(number, caller=caller_number(999, run),
                                       steps=[pause(hold_ms)])],
                    bench.dir / f"answer-{run}-warmup", timeout=90)
    timings: list[CallTiming] = []
    for i in range(calls):
        call = Call(number, caller=caller_number(i, run), steps=[pause(hold_ms)])
        timings += await dial_many(bench.stack, [call], bench.dir / f"answer-{run}-{i:03d}",
                                   timeout=60)
    attach_server_logs(timings, bench.worker.log_path, bench.sip_log)
    return timings


def report(timings: list[CallTiming]) -> str:
    ok = sum(t.ok and t.first_loud_at is not None for t in timings)
    head = (f"### Answer latency ({len(timings)} calls one after another, {ok} answered and "
            f"heard)\n\n")
    return head + markdown_table(SUMMARY_HEADERS, breakdown_rows(timings))


def run(calls: int = 20, hold_ms: int = 2500, env: dict[str, str] | None = None,
        minimal: bool = True) -> str:
    """The product's worker, then (same stack, same run) the minimal worker: the ratio of
    their answer latencies is the product's own cost."""
    with Bench("answer-latency") as bench:
        bench.restart_worker(**(env or {}))
        timings = asyncio.run(measure(bench, calls, hold_ms))
        failed = [t for t in timings if not t.ok]
        text = report(timings)
        if failed:
            text += f"\n\n{len(failed)} calls failed, e.g.: {failed[0].error}"
        if minimal:
            bench.restart_worker("bench.minimal_worker", **(env or {}))
            floor = asyncio.run(measure(bench, calls, hold_ms, run=2))
            text += "\n\n" + report(floor).replace("### Answer latency",
                                                    "### Answer latency, minimal worker")
            text += "\n\n" + ratio_line(timings, floor)
        return text


def ratio_line(ours: list[CallTiming], floor: list[CallTiming]) -> str:
    a = summary(t.answer_latency for t in ours)
    b = summary(t.answer_latency for t in floor)
    if not a["p50"] or not b["p50"]:
        return "ratio: -"
    return (f"ratio ours / minimal worker: p50 {a['p50'] / b['p50']:.2f}, "
            f"p95 {a['p95'] / b['p95']:.2f} ({a['p50'] * 1000:.0f} / {b['p50'] * 1000:.0f} ms)")


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--calls", type=int, default=20, help="calls to place (default 20)")
    p.add_argument("--hold", type=int, default=2500, help="ms each caller stays on the line")
    args = p.parse_args()
    print(run(args.calls, args.hold), flush=True)


if __name__ == "__main__":
    main()
