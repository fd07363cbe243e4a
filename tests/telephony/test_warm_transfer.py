"""Warm transfer through the real stack: sipp calls Sales and presses 0; Sales' human line
(a second sipp, reached through an outbound trunk made with the admin API) is dialled into
the same room. Every party speaks at its own frequency (caller 1800 Hz, colleague 2600 Hz;
the hold music is an arpeggio around 523-784 Hz), so what each phone heard, and when, says
who heard whom: the colleague hears the briefing and only then the caller, the caller hears
the hold music and only then the colleague, and after that both hear each other."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import pytest
from livekit import api as lkapi

from tests.live.rtp_capture import CallerEar, CallerMouth, tone_share
from tests.live.sipp_runner import Call, Callee, dtmf, hung_up_by_peer, make_tone, pause
from tests.telephony.conftest import (
    HUMAN_LINES,
    Answered,
    Directory,
    OutboundLine,
    Ringing,
    end_call,
)

pytestmark = pytest.mark.live
CALLER = "+442079460555"
CALLER_HZ, HUMAN_HZ = 1800, 2600
HOLD_NOTES = (523.25, 659.25, 783.99)


def _kinds(record: dict) -> list[str]:
    return [e["kind"] for e in record["events"]]


def _event(record: dict, kind: str) -> dict:
    return next(e["data"] for e in record["events"] if e["kind"] == kind)


BUCKET = 0.5  # seconds; a bucket "carries" a sound when half its packets do


def _buckets(ear: CallerEar) -> list[tuple[float, str]]:
    """What a phone heard, per half second: caller, colleague, hold, voice (speech: the
    greeting, the briefing) or quiet; single packets of speech that look like a tone do not
    decide a bucket."""
    if not ear.timeline:
        return []
    start = ear.timeline[0][0]
    counts: dict[int, dict[str, int]] = {}
    for at, samples in ear.timeline:
        loud = float((samples.astype(float) ** 2).mean() ** 0.5) > 500
        kind = "quiet" if not loud else "caller" if tone_share(samples, CALLER_HZ) >= 0.3 \
            else "colleague" if tone_share(samples, HUMAN_HZ) >= 0.3 \
            else "hold" if max(tone_share(samples, f) for f in HOLD_NOTES) >= 0.5 else "voice"
        bucket = counts.setdefault(int((at - start) / BUCKET), {})
        bucket[kind] = bucket.get(kind, 0) + 1
    return [(start + k * BUCKET, max(v, key=v.get)) for k, v in sorted(counts.items())
            if max(v.values()) >= 10]


def _when(buckets: list[tuple[float, str]], kind: str) -> list[float]:
    return [at for at, heard in buckets if heard == kind]


def _save(name: str, buckets: list[tuple[float, str]], artifacts_dir: Path) -> None:
    if buckets:
        (artifacts_dir / f"warm-{name}-{int(buckets[0][0])}.txt").write_text(
            "\n".join(f"{at - buckets[0][0]:6.1f}s {heard}" for at, heard in buckets))


async def _press_0(directory: Directory, phone, number: str, known: set[str], talk,  # type: ignore[no-untyped-def]
                   colleague: Answered):
    """A caller presses 0 on `number` while `talk` runs; the phone and the ended record."""
    call = await phone(Call(number, caller=CALLER, sipp_audio=False,
                            steps=[pause(2500), dtmf("0")], ending=hung_up_by_peer(120_000)),
                       timeout=150, talk=talk)
    assert call.result.returncode == 0, call.result.stdout[-2000:]
    assert (await colleague.sipp.result()).returncode == 0
    record = await asyncio.to_thread(directory.wait_for_call, number,
                                     lambda r: r["status"] == "ended", "the call to end", known)
    return call, record


@pytest.fixture
def warm_sales(directory: Directory, outbound_line: OutboundLine, department_settings) -> str:
    department_settings("sales", transfer_mode="warm", human_trunk_id=outbound_line.trunk_id,
                        human_transfer_target=HUMAN_LINES["sales"])
    return directory.numbers["sales"]


async def _caller_waits(directory: Directory, number: str, known: set[str], kind: str,
                        timeout: float = 60) -> dict:
    return await asyncio.to_thread(directory.wait_for_call, number,
                                   lambda r: kind in _kinds(r), kind, known, timeout)


async def test_warm_transfer_briefs_the_colleague_then_connects_both_ways(
        directory: Directory, phone, ringing: Ringing, warm_sales: str,
        lk: lkapi.LiveKitAPI, artifacts_dir: Path) -> None:
    known = {c["id"] for c in directory.calls_to(warm_sales)}
    colleague = await ringing(Callee(ring_ms=800), tone_hz=HUMAN_HZ)
    caller_tone = make_tone(artifacts_dir / "caller-1800.ulaw", CALLER_HZ, seconds=90)
    marks: dict[str, float] = {}

    async def talk(ear: CallerEar, mouth: CallerMouth) -> None:
        await _caller_waits(directory, warm_sales, known, "warm_transfer_dialled")
        speaking = asyncio.create_task(mouth.say(caller_tone.read_bytes()))  # from now on
        record = await _caller_waits(directory, warm_sales, known, "warm_transfer_connected")
        marks["connected_seen"] = time.monotonic()
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and not (  # both hear each other for 1 s
                len(ear.tone_times(HUMAN_HZ)) >= 50 and
                len(colleague.ear.tone_times(CALLER_HZ)) >= 50):
            await asyncio.sleep(0.1)
        # the colleague hangs up: the assistant's watcher ends the caller's leg too
        await lk.room.remove_participant(lkapi.RoomParticipantIdentity(
            room=record["room_name"], identity=_event(record, "warm_transfer_dialled")[
                "identity"]))
        speaking.cancel()

    call, record = await _press_0(directory, phone, warm_sales, known, talk, colleague)

    kinds = _kinds(record)
    steps = ["transfer_requested", "hours_checked", "warm_transfer_started",
             "warm_transfer_dialled", "warm_transfer_answered", "warm_transfer_briefed",
             "warm_transfer_connected", "warm_transfer_ended", "ended"]
    assert [k for k in kinds if k in steps][-len(steps):] == steps, kinds
    assert "transfer_succeeded" not in kinds and call.result.received("REFER") == []
    assert record["end_reason"] == "warm_transferred"
    assert _event(record, "warm_transfer_ended") == {"by": "human"}
    briefing = _event(record, "warm_transfer_briefed")["text"]
    assert "0555" in briefing and "Sales" in briefing or "المبيعات" in briefing
    assert "human-" in _event(record, "warm_transfer_dialled")["identity"]
    assert CALLER not in _event(record, "warm_transfer_dialled")["identity"]

    colleague_heard, caller_heard = _buckets(colleague.ear), _buckets(call.ear)
    _save("colleague", colleague_heard, artifacts_dir)
    _save("caller", caller_heard, artifacts_dir)
    # the colleague: the briefing (speech), then the caller, never the hold music
    briefing, caller = _when(colleague_heard, "voice"), _when(colleague_heard, "caller")
    assert len(briefing) * BUCKET >= 2.0, f"no briefing heard: {colleague_heard}"
    assert len(caller) >= 2, f"the colleague never heard the caller: {colleague_heard}"
    assert max(briefing) < min(caller), f"caller heard in the briefing: {colleague_heard}"
    assert _when(colleague_heard, "hold") == []
    # the caller: hold music while waiting, then the colleague, never the briefing's end
    hold, colleague_voice = _when(caller_heard, "hold"), _when(caller_heard, "colleague")
    assert len(hold) * BUCKET >= 2.0, f"no hold music: {caller_heard}"
    assert len(colleague_voice) >= 2, f"the caller never heard the colleague: {caller_heard}"
    assert max(hold) < min(colleague_voice), f"colleague heard on hold: {caller_heard}"
    assert not [at for at in _when(caller_heard, "voice") if min(hold) < at], \
        f"the caller heard speech (the briefing?) after the hold began: {caller_heard}"


@pytest.mark.parametrize("status", ["486 Busy Here", "603 Decline"])
async def test_a_colleague_who_refuses_leaves_the_caller_with_the_assistant(
        directory: Directory, phone, ringing: Ringing, warm_sales: str,
        lk: lkapi.LiveKitAPI, status: str) -> None:
    known = {c["id"] for c in directory.calls_to(warm_sales)}
    colleague = await ringing(Callee("reject", status=status, ring_ms=500))

    async def talk(ear: CallerEar, mouth: CallerMouth) -> None:
        record = await _caller_waits(directory, warm_sales, known, "callback_created")
        failed_at = time.monotonic()
        await ear.wait_until_quiet(heard=1.0, quiet=1.2)  # the assistant explains
        assert ear.first_loud_after(failed_at) is not None
        await end_call(lk, record["room_name"])

    call, record = await _press_0(directory, phone, warm_sales, known, talk, colleague)
    failed = _event(record, "warm_transfer_failed")
    code = int(status[:3])
    assert (failed["stage"], failed["sip_status"]) == ("dial", code)
    assert failed["result"] == {486: "busy", 603: "declined"}[code]
    assert "warm_transfer_connected" not in _kinds(record)
    created = _event(record, "callback_created")
    assert created["via"] == "transfer_failed"
    said = [e["data"]["text"] for e in record["events"] if e["kind"] == "transcript"
            and e["data"]["role"] == "assistant"]
    assert any("none of our colleagues could take your call" in s or "لم يتمكن" in s
               for s in said), said
    assert record["end_reason"] != "warm_transferred"
    callback = directory.api.get(f"/api/v1/callbacks/{created['callback_id']}").json()
    assert (callback["number"], callback["call_id"]) == (CALLER, record["id"])
    directory.api.post(f"/api/v1/callbacks/{created['callback_id']}/cancel")
