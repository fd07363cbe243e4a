"""Turn overhead: end of a user's turn (text on `lk.chat`) -> first agent audio frame,
minus the providers' own time.

A browser-like participant (livekit.rtc) joins a room the agent is dispatched to (English,
reception), waits for the greeting to end (agent state `listening`), sends a line the
offline engine answers with text (no tool call), and waits for the reply's audio.
`--rooms` rooms x `--turns` turns, one room at a time. From the worker log (bench.worker):
when the agent got the text, when it started speaking (first TTS frame pushed) and the
LLM ttft / TTS ttfb livekit-agents measured for that reply. The client also records when
the first loud audio of the reply arrived (what a caller hears).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time
import uuid
from dataclasses import dataclass

import numpy as np
from livekit import api, rtc

from bench.harness import Bench
from bench.tables import SUMMARY_HEADERS, markdown_table, summary_row
from bench.turns import events_by_room, turn_after
from tests.live.rtc_helpers import token

LINE = "Hello, can you help me with something please?"


@dataclass
class TextTurn:
    room: str
    sent_at: float
    heard_at: float | None = None
    received_at: float | None = None  # the agent's user-turn event
    speaking_at: float | None = None
    llm_ttft: float = 0.0
    tts_ttfb: float = 0.0


class Listener:
    def __init__(self) -> None:
        self.room = rtc.Room()
        self.loud_at: list[float] = []
        self._tasks: set[asyncio.Task[None]] = set()
        self.room.on("track_subscribed", self._on_track)

    def _on_track(self, track: rtc.Track, _pub, _participant) -> None:  # type: ignore[no-untyped-def]
        if track.kind != rtc.TrackKind.KIND_AUDIO:
            return

        async def listen() -> None:
            async for ev in rtc.AudioStream(track, sample_rate=16000, num_channels=1):
                samples = np.frombuffer(ev.frame.data, dtype=np.int16).astype(np.float64)
                if samples.size and np.sqrt(np.mean(samples ** 2)) > 300:
                    self.loud_at.append(time.time())
        task = asyncio.create_task(listen())
        self._tasks.add(task)

    def agent_state(self) -> str:
        for p in self.room.remote_participants.values():
            if p.kind == rtc.ParticipantKind.PARTICIPANT_KIND_AGENT:
                return p.attributes.get("lk.agent.state", "")
        return ""

    async def wait_state(self, state: str, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.agent_state() == state:
                return True
            await asyncio.sleep(0.05)
        return False

    async def close(self) -> None:
        await self.room.disconnect()
        for task in self._tasks:
            task.cancel()


async def one_room(bench: Bench, lk: api.LiveKitAPI, turns: int) -> list[TextTurn]:
    assert bench.stack is not None
    name = f"web-bench-{uuid.uuid4().hex[:8]}"
    await lk.room.create_room(api.CreateRoomRequest(name=name, empty_timeout=30))
    await lk.agent_dispatch.create_dispatch(api.CreateAgentDispatchRequest(
        agent_name=bench.agent_name, room=name,
        metadata=json.dumps({"department": "reception", "language": "en",
                             "source": "browser"})))
    listener = Listener()
    await listener.room.connect(bench.stack.cfg.livekit_url,
                                token(bench.stack, name, "web-bench"))
    out: list[TextTurn] = []
    try:
        # greeting: wait until it is spoken and over
        if not await listener.wait_state("speaking", 30):
            return out
        for _ in range(turns):
            if not await listener.wait_state("listening", 30):
                break
            await asyncio.sleep(0.3)
            turn = TextTurn(name, time.time())
            await listener.room.local_participant.send_text(LINE, topic="lk.chat")
            deadline = time.monotonic() + 20
            while time.monotonic() < deadline and not any(
                    t > turn.sent_at for t in listener.loud_at):
                await asyncio.sleep(0.01)
            turn.heard_at = next((t for t in listener.loud_at if t > turn.sent_at), None)
            out.append(turn)
    finally:
        await listener.close()
    return out


def attach(turns: list[TextTurn], bench: Bench) -> None:
    assert bench.worker is not None
    rooms = events_by_room(bench.worker.log_path)
    for t in turns:
        events = rooms.get(t.room, [])
        t.received_at = next((e["at"] for e in events if e.get("bench") == "user"
                              and e["at"] >= t.sent_at - 0.5), None)
        measured = turn_after(events, t.received_at or t.sent_at, uses_llm=True)
        t.speaking_at, t.llm_ttft, t.tts_ttfb = (measured.speaking_at, measured.llm_ttft,
                                                 measured.tts_ttfb)


def _d(a: float | None, b: float | None) -> float | None:
    return None if a is None or b is None else b - a


def report(turns: list[TextTurn]) -> str:
    rows = [
        summary_row("text sent -> turn at agent (lk.chat)", [_d(t.sent_at, t.received_at)
                                                           for t in turns]),
        summary_row("turn at agent -> first TTS frame pushed", [_d(t.received_at, t.speaking_at)
                                                              for t in turns]),
        summary_row("  of which LLM ttft (offline rules)", [t.llm_ttft for t in turns]),
        summary_row("  of which TTS ttfb (espeak-ng)", [t.tts_ttfb for t in turns]),
        summary_row("turn overhead: sent -> first frame - ttft - ttfb",
                    [None if t.speaking_at is None else
                     t.speaking_at - t.sent_at - t.llm_ttft - t.tts_ttfb for t in turns]),
        summary_row("agent overhead: at agent -> first frame - ttft - ttfb",
                    [None if t.speaking_at is None or t.received_at is None else
                     t.speaking_at - t.received_at - t.llm_ttft - t.tts_ttfb for t in turns]),
        summary_row("text sent -> first loud audio at the client", [_d(t.sent_at, t.heard_at)
                                                                  for t in turns]),
    ]
    return (f"### Turn overhead (text turns over lk.chat, {len(turns)} turns)\n\n"
            + markdown_table(SUMMARY_HEADERS, rows))


async def measure(bench: Bench, rooms: int, turns: int) -> list[TextTurn]:
    assert bench.stack is not None
    cfg = bench.stack.cfg
    out: list[TextTurn] = []
    async with api.LiveKitAPI(cfg.livekit_http_url, cfg.api_key, cfg.api_secret) as lk:
        for _ in range(rooms):
            out += await one_room(bench, lk, turns)
    await asyncio.sleep(1)  # the worker's last log lines
    attach(out, bench)
    return out


def run(rooms: int = 4, turns: int = 6, env: dict[str, str] | None = None) -> str:
    with Bench("turn-overhead") as bench:
        bench.restart_worker(**(env or {}))
        return report(asyncio.run(measure(bench, rooms, turns)))


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--rooms", type=int, default=4, help="rooms, one after another")
    p.add_argument("--turns", type=int, default=6, help="text turns per room")
    args = p.parse_args()
    print(run(args.rooms, args.turns), flush=True)


if __name__ == "__main__":
    main()
