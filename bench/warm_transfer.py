"""Warm transfer: from "the colleague answers" to "the caller is connected", N runs.

Each run: sipp calls Sales (warm transfer, its human line on an outbound trunk made through
the admin API) and presses 0; a second sipp is the colleague, answering after 500 ms. Both
phones loop a tone (caller 1800 Hz, colleague 2600 Hz) and an RTP receiver stands for each
earpiece, so the moment each one first hears the other is measured where it matters, at the
phone. "Answers" is the colleague's 200 OK (sipp's trace); the agent's own view comes from the
call record (warm_transfer_answered ... _connected). The worker takes text and DTMF only
(STT_PROVIDER=none): nothing listens to the tones.
"""

from __future__ import annotations

import argparse
import asyncio
import socket
import time

from bench.harness import HOST, Bench, admin_client
from bench.phone import MONO_TO_EPOCH, sip_trace
from bench.tables import SUMMARY_HEADERS, markdown_table, summary_row
from livekit_stack.probes import free_port
from tests.live.rtp_capture import CallerEar, open_ear
from tests.live.sipp_runner import Call, Callee, answer_call, dtmf, make_tone, pause, place_call

CALLER_HZ, HUMAN_HZ = 1800, 2600
HOLD_MS = 30_000  # the caller stays this long after pressing 0, then hangs up


def first_heard(ear: CallerEar, hz: float, since: float = 0.0, run: int = 5) -> float | None:
    """When `hz` was first heard for `run` packets in a row (100 ms): a phone hears a party,
    not one packet of speech that looks like a tone. Epoch seconds."""
    times = ear.tone_times(hz, since=since)
    for i in range(len(times) - run + 1):
        if times[i + run - 1] - times[i] <= (run - 1) * 0.02 + 0.03:
            return times[i] + MONO_TO_EPOCH
    return None


def _setup(bench: Bench, port: int) -> str:
    with admin_client(bench.api) as api:  # type: ignore[arg-type]
        trunk = api.post("/api/v1/trunks", json={
            "name": "bench-colleagues", "direction": "outbound", "address": f"{HOST}:{port}",
            "transport": "udp", "outbound_numbers": ["+442079460100"]}).json()
        sales = next(d for d in api.get("/api/v1/departments").json()["items"]
                     if d["slug"] == "sales")
        resp = api.patch(f"/api/v1/departments/{sales['id']}", json={
            "transfer_mode": "warm", "human_trunk_id": trunk["id"],
            "human_transfer_target": "tel:+442079460102"})
        resp.raise_for_status()
    return bench.numbers["sales"]


async def _run(bench: Bench, number: str, port: int, i: int) -> dict[str, float | None]:
    assert bench.stack is not None
    workdir = bench.dir / f"warm-{i:02d}"
    (workdir / "colleague").mkdir(parents=True)
    (workdir / "caller").mkdir()
    make_tone(workdir / "colleague" / "callee.ulaw", HUMAN_HZ, seconds=60)
    make_tone(workdir / "caller" / "caller.ulaw", CALLER_HZ, seconds=60)
    caller_side, caller_ear, caller_port = await open_ear(HOST)
    human_side, human_ear, human_port = await open_ear(HOST)
    try:
        colleague = await answer_call(HOST, port, Callee(ring_ms=500), workdir / "colleague",
                                      ear_port=human_port, timeout=90)
        caller = await place_call(bench.stack, Call(
            number, caller=f"+4420794605{i:02d}", steps=[pause(2500), dtmf("0"),
                                                       pause(HOLD_MS)]),
            workdir / "caller", ear_port=caller_port, timeout=90)
        human = await colleague.result()
    finally:
        caller_side.close()
        human_side.close()
    answered = next((at for at, way, first in sip_trace(human.messages)
                     if way == "sent" and first.startswith("SIP/2.0 200")), None)
    if caller.returncode or answered is None:
        return {"failed": 1.0}
    since = answered - MONO_TO_EPOCH
    brief = human_ear.first_loud_after(since)
    return {"answered": answered,
            "briefing_heard": brief + MONO_TO_EPOCH if brief else None,
            "caller_hears_colleague": first_heard(caller_ear, HUMAN_HZ, since),
            "colleague_hears_caller": first_heard(human_ear, CALLER_HZ, since)}


def _agent_view(bench: Bench, number: str) -> list[dict[str, float]]:
    """Per call, oldest first, what the call record says (seconds)."""
    out = []
    with admin_client(bench.api) as api:  # type: ignore[arg-type]
        for call in reversed(api.get("/api/v1/calls", params={"number": number,
                                                               "limit": 100}).json()["items"]):
            events = {e["kind"]: e["data"] for e in api.get(f"/api/v1/calls/{call['id']}")
                      .json()["events"]}
            if "warm_transfer_connected" in events:
                out.append({"connect": events["warm_transfer_connected"][
                    "answer_to_connect_seconds"],
                    "briefing": events["warm_transfer_briefed"]["seconds"]})
    return out


def report(runs: list[dict[str, float | None]], agent: list[dict[str, float]]) -> str:
    ok = [r for r in runs if "failed" not in r]

    def since_answer(key: str) -> list[float | None]:
        return [r[key] - r["answered"] if r.get(key) and r.get("answered") else None  # type: ignore[operator]
                for r in ok]

    overhead = [heard - agent_run["briefing"] if heard is not None else None
                for heard, agent_run in zip(since_answer("caller_hears_colleague"), agent,
                                            strict=False)] if len(agent) == len(ok) else []
    rows = [
        summary_row("colleague answers -> briefing heard by the colleague",
                    since_answer("briefing_heard")),
        summary_row("briefing spoken (agent)", [a["briefing"] for a in agent]),
        summary_row("colleague answers -> caller connected (agent)",
                    [a["connect"] for a in agent]),
        summary_row("colleague answers -> caller hears the colleague",
                    since_answer("caller_hears_colleague")),
        summary_row("colleague answers -> colleague hears the caller",
                    since_answer("colleague_hears_caller")),
        summary_row("= caller hears the colleague, minus the briefing (overhead)", overhead),
    ]
    head = (f"### Warm transfer ({len(runs)} runs one after another, {len(ok)} connected "
            f"both ways)\n\n")
    return head + markdown_table(SUMMARY_HEADERS, rows)


def run(calls: int = 5) -> str:
    with Bench("warm-transfer") as bench:
        bench.restart_worker(STT_PROVIDER="none")
        port = free_port(HOST, socket.SOCK_DGRAM)
        number = _setup(bench, port)
        runs = []
        for i in range(calls):
            runs.append(asyncio.run(_run(bench, number, port, i)))
            time.sleep(1)  # the previous call's room is gone before the next INVITE
        return report(runs, _agent_view(bench, number))


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--calls", type=int, default=5, help="warm transfers to measure")
    print(run(p.parse_args().calls), flush=True)


if __name__ == "__main__":
    main()
