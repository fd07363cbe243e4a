"""Phone calls for the benchmarks: sipp (tests/live/sipp_runner.place_call, one sipp process
per call) with an RTP receiver as the caller's earpiece (tests/live/rtp_capture.open_ear),
many at once, and the per-call timeline from sipp's message trace, livekit-sip's
"signaling timestamps" and the worker's log."""

from __future__ import annotations

import asyncio
import re
import shutil
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from bench.harness import HOST, sip_events, worker_events
from bench.rtp_quality import Greeting, greeting_quality, rtp_loss
from livekit_stack import LocalStack
from tests.live.rtp_capture import open_ear
from tests.live.sipp_runner import Call, make_caller_audio, place_call

# epoch = monotonic + offset (the ear stamps packets with time.monotonic())
MONO_TO_EPOCH = time.time() - time.monotonic()
_BLOCK = re.compile(r"^-{20,} (\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d+)\n"
                    r"UDP message (sent|received)[^\n]*\n\s*\n([^\n]*)", re.M)


def caller_number(i: int, run: int = 0) -> str:
    """A unique caller per call, so livekit-sip's log (fromUser -> room) identifies its room."""
    return f"+1555{run % 100:02d}{i:05d}"


def sip_trace(messages: str) -> list[tuple[float, str, str]]:
    """(epoch, 'sent'|'received', first line) for each message in a sipp -trace_msg file
    (sipp stamps local time)."""
    out = []
    for stamp, direction, first in _BLOCK.findall(messages):
        at = datetime.strptime(stamp, "%Y-%m-%d %H:%M:%S.%f").timestamp()
        out.append((at, direction, first.strip()))
    return out


@dataclass
class CallTiming:
    caller: str
    ok: bool = False
    returncode: int = -1
    invite_at: float | None = None
    ringing_at: float | None = None
    answered_at: float | None = None
    first_packet_at: float | None = None
    first_loud_at: float | None = None
    heard_seconds: float = 0.0
    ended_at: float | None = None  # BYE sent or received (sipp's trace)
    rtp_expected: int = 0  # downlink packets, first to last sequence number
    rtp_lost: int = 0
    greeting: Greeting | None = None  # when dial_many was told when the caller speaks up
    # filled from the servers' logs
    room: str | None = None
    job_request_at: float | None = None
    call_started_at: float | None = None
    speaking_at: float | None = None
    sip_joined_at: float | None = None
    sip_invite_to_ringing_ms: float | None = None
    sip_invite_to_accept_ms: float | None = None
    error: str = ""
    extra: dict = field(default_factory=dict)

    def since_invite(self, at: float | None) -> float | None:
        if at is None or self.invite_at is None:
            return None
        return at - self.invite_at

    @property
    def answer_latency(self) -> float | None:
        """INVITE sent -> first non-silent greeting RTP packet at the caller (seconds)."""
        return self.since_invite(self.first_loud_at)


async def _one(stack: LocalStack, call: Call, workdir: Path, audio: Path,
               timeout: float, greeting_within: float | None = None) -> CallTiming:
    workdir.mkdir(parents=True, exist_ok=True)
    shutil.copy(audio, workdir / "caller.ulaw")
    transport, ear, port = await open_ear(HOST)
    timing = CallTiming(call.caller)
    try:
        result = await place_call(stack, call, workdir, ear_port=port, timeout=timeout)
    finally:
        transport.close()
    timing.returncode = result.returncode
    timing.ok = result.returncode == 0
    if not timing.ok:
        timing.error = (result.error_log or result.stderr or result.stdout)[-300:]
    for at, direction, first in sip_trace(result.messages):
        if direction == "sent" and first.startswith("INVITE") and timing.invite_at is None:
            timing.invite_at = at
        elif direction == "received" and first.startswith("SIP/2.0 180"):
            timing.ringing_at = timing.ringing_at or at
        elif direction == "received" and first.startswith("SIP/2.0 200") \
                and timing.answered_at is None:
            timing.answered_at = at
        elif first.startswith("BYE") and timing.ended_at is None:
            timing.ended_at = at
    if ear.first_packet_at is not None:
        timing.first_packet_at = ear.first_packet_at + MONO_TO_EPOCH
    if ear.first_loud_at is not None:
        timing.first_loud_at = ear.first_loud_at + MONO_TO_EPOCH
    timing.heard_seconds = ear.heard_seconds()
    timing.rtp_expected, timing.rtp_lost = rtp_loss([seq for _, seq in ear.arrivals])
    if greeting_within is not None and ear.first_loud_at is not None \
            and timing.answered_at is not None:
        until = timing.answered_at - MONO_TO_EPOCH + greeting_within
        timing.greeting = greeting_quality([at for at, _ in ear.arrivals], ear.loud_times,
                                           ear.first_loud_at, until)
    return timing


async def dial_many(stack: LocalStack, calls: list[Call], workdir: Path, *,
                    stagger: float = 0.0, timeout: float = 120,
                    offsets: list[float] | None = None,
                    greeting_within: float | None = None) -> list[CallTiming]:
    """Place `calls` concurrently (one sipp each), starting one every `stagger` seconds, or
    each at its offset (seconds from now) in `offsets`. With `greeting_within` (seconds after
    the 200 OK: when the caller stops just listening), each call's greeting is measured."""
    workdir.mkdir(parents=True, exist_ok=True)
    audio = workdir / "caller.ulaw"
    if not audio.exists():
        audio = make_caller_audio(workdir)

    async def later(i: int, call: Call) -> CallTiming:
        await asyncio.sleep(offsets[i] if offsets is not None else i * stagger)
        return await _one(stack, call, workdir / f"call-{i:03d}", audio, timeout,
                          greeting_within)

    return list(await asyncio.gather(*(later(i, c) for i, c in enumerate(calls))))


def attach_server_logs(timings: list[CallTiming], worker_log: Path, sip_log: Path) -> None:
    """Fill each call's room, dispatch, agent-start and first-speech times from the logs.
    Rooms do not carry the caller's number; livekit-sip's log says which room each caller
    (fromUser) went to."""
    by_caller = {t.caller: t for t in timings}
    for ev in sip_events(sip_log, "signaling timestamps"):
        t = by_caller.get(ev.get("fromUser", ""))
        if t is not None and t.sip_invite_to_accept_ms is None:
            t.room = ev.get("room")
            t.sip_invite_to_ringing_ms = ev.get("inviteToRingingMs")
            t.sip_invite_to_accept_ms = ev.get("inviteToAcceptMs")
    by_room = {t.room: t for t in timings if t.room}

    def call_of(room: str | None) -> CallTiming | None:
        return by_room.get(room) if room else None

    for ev in sip_events(sip_log, "SIP participant joined room"):
        t = call_of(ev.get("room"))
        if t is not None and t.sip_joined_at is None:
            t.sip_joined_at = ev["at"]
    for ev in worker_events(worker_log):
        t = call_of(ev.get("room"))
        if t is None:
            continue
        msg = ev.get("message", "")
        if msg == "received job request" and t.job_request_at is None:
            t.job_request_at = ev["at"]
        elif msg.startswith("call started") and t.call_started_at is None:
            t.call_started_at = ev["at"]
        elif ev.get("bench") == "state" and ev.get("new") == "speaking" \
                and t.speaking_at is None:
            t.speaking_at = ev["at"]
