"""No call is lost: callers who arrive before a worker registers, while it is full, or whose
agent dies are answered when an agent can take them (the API's supervisor dispatches again,
driven by livekit-server's webhooks); records of dead agents are closed with a reason; idle
and over-long calls end with theirs. The session's worker is stopped, killed and restarted
here with other limits, and restored at the end of the module."""

from __future__ import annotations

import asyncio
import os
import signal
from collections.abc import Iterator

import httpx
import pytest
from livekit import api as lkapi
from livekit import rtc

from tests.live.sipp_runner import Call, hung_up_by_peer
from tests.live_services import ApiProcess, WorkerProcess
from tests.support.speech import phone_ulaw
from tests.telephony.conftest import (
    Directory,
    end_call,
    events_of,
    greeted,
    hold_call,
    logged_call,
    until,
)

pytestmark = pytest.mark.live
LIMITS = {"AGENT_MAX_CALLS": "1", "IDLE_PROMPT_SECONDS": "6", "MAX_CALL_SECONDS_SIP": "40"}


@pytest.fixture(scope="module")
def worker(agent_worker: WorkerProcess) -> Iterator[WorkerProcess]:
    yield agent_worker
    agent_worker.restart()  # the session's settings again, for the modules after this one


def ensure(worker: WorkerProcess, **env: str) -> None:
    """The worker running with the session's settings plus `env`."""
    if worker.exited() is not None or worker.env != {**worker.base_env, **env}:
        worker.restart(**env)


def _record(directory: Directory, number: str, known: set[str], check, what: str,  # type: ignore[no-untyped-def]
            timeout: float = 60) -> dict:
    return directory.wait_for_call(number, check, what, known, timeout)


class BrowserCaller:
    """The /call page's path without the page: a token from the API, a livekit.rtc client."""

    def __init__(self, api: ApiProcess) -> None:
        self.api = api
        self.room = rtc.Room()

    async def join(self, department: str = "sales") -> str:
        resp = httpx.post(f"{self.api.base_url}/api/v1/token",
                          json={"department": department, "language": "en"}, timeout=30)
        assert resp.status_code == 201, resp.text
        grant = resp.json()
        await self.room.connect(grant["server_url"], grant["participant_token"])
        return grant["room_name"]

    def agent_here(self) -> bool:
        return any(p.kind == rtc.ParticipantKind.PARTICIPANT_KIND_AGENT
                   for p in self.room.remote_participants.values())


async def test_calls_that_arrive_before_a_worker_registers_are_answered_when_it_does(
        worker: WorkerProcess, directory: Directory, phone, api_server: ApiProcess,
        lk: lkapi.LiveKitAPI) -> None:
    ensure(worker)
    worker.stop()
    ready = httpx.get(f"{api_server.base_url}/ready", timeout=30)
    assert ready.status_code == 503 and ready.json()["checks"]["agents"].startswith("error")
    number = directory.numbers["sales"]
    known = {c["id"] for c in directory.calls_to(number)}
    ringing = await hold_call(phone, number)
    browser = BrowserCaller(api_server)
    room = await browser.join()
    try:
        await asyncio.sleep(3)  # both callers wait: nobody is there to answer
        assert not browser.agent_here()
        worker.restart()
        await until(browser.agent_here, "an agent in the browser call")
        record = await asyncio.to_thread(
            _record, directory, number, known, greeted, "the phone call answered")
        assert events_of(record, "answered_after_wait")
        await end_call(lk, record["room_name"])
        call = await ringing
        assert call.result.returncode == 0, call.result.stdout[-2000:]
        assert call.ear.heard_seconds() >= 1.0  # the greeting, once an agent came
    finally:
        await browser.room.disconnect()
        await end_call(lk, room)
    assert httpx.get(f"{api_server.base_url}/ready", timeout=30).json()["capacity"]["workers"] >= 1


async def _closed(directory: Directory, call_id: str) -> dict:
    """The record `call_id` once it is ended."""
    async def ended() -> dict | None:
        record = await asyncio.to_thread(directory.call, call_id)
        return record if record["status"] == "ended" else None

    return await until(ended, f"record {call_id} closed")  # type: ignore[return-value]


async def _answered_call(directory: Directory, phone, number: str):  # type: ignore[no-untyped-def]
    known = {c["id"] for c in directory.calls_to(number)}
    ringing = await hold_call(phone, number)
    record = await asyncio.to_thread(_record, directory, number, known, greeted,
                                     "an answered call")
    return ringing, record, known


async def _job_pid(worker: WorkerProcess, room: str) -> int:
    started = await logged_call([worker], room)
    if not started:
        raise AssertionError(f"no job process logged for {room}")
    return int(started[0]["pid"])


async def test_a_killed_job_process_leaves_a_closed_record_and_the_caller_a_new_agent(
        worker: WorkerProcess, directory: Directory, phone, lk: lkapi.LiveKitAPI) -> None:
    ensure(worker)
    number = directory.numbers["complaints"]
    ringing, first, known = await _answered_call(directory, phone, number)
    os.kill(await _job_pid(worker, first["room_name"]), signal.SIGKILL)
    lost = await _closed(directory, first["id"])
    assert lost["end_reason"] == "agent_lost" and lost["duration_seconds"] > 0
    resumed = await asyncio.to_thread(
        _record, directory, number, known | {first["id"]},
        lambda r: r["parent_call_id"] == first["id"] and greeted(r),
        "a new agent on the same call")
    assert resumed["room_name"] == first["room_name"] and events_of(resumed, "resumed")
    await end_call(lk, first["room_name"])
    assert (await ringing).result.returncode == 0


async def test_a_killed_worker_loses_no_record_and_its_callers_are_answered_again(
        worker: WorkerProcess, directory: Directory, phone, lk: lkapi.LiveKitAPI) -> None:
    ensure(worker)
    number = directory.numbers["reception"]
    ringing, first, known = await _answered_call(directory, phone, number)
    os.killpg(worker.pid or 0, signal.SIGKILL)  # the worker and every job process
    lost = await _closed(directory, first["id"])
    assert lost["end_reason"] == "agent_lost"
    ensure(worker, **LIMITS)  # a new worker (the limited one the next tests use)
    resumed = await asyncio.to_thread(
        _record, directory, number, known | {first["id"]},
        lambda r: r["parent_call_id"] == first["id"] and greeted(r),
        "the caller answered by the new worker")
    await end_call(lk, resumed["room_name"])
    assert (await ringing).result.returncode == 0


async def test_a_caller_the_full_worker_turns_away_is_answered_when_a_line_frees(
        worker: WorkerProcess, directory: Directory, phone, api_server: ApiProcess,
        lk: lkapi.LiveKitAPI) -> None:
    ensure(worker, **LIMITS)  # one call at a time
    number = directory.numbers["sales"]
    ringing, first, known = await _answered_call(directory, phone, number)
    # browser calls may use half the agents: with one line busy, none is left for them
    busy = httpx.post(f"{api_server.base_url}/api/v1/token", json={"department": "sales"},
                      timeout=30)
    assert busy.status_code == 503 and busy.json()["error"] == "busy"
    assert int(busy.headers["Retry-After"]) > 0
    waiting = await hold_call(phone, number)
    await asyncio.sleep(6)  # the second caller rings: turned away, no agent, no record yet
    assert not [c for c in directory.calls_to(number) if c["id"] not in known | {first["id"]}]
    await end_call(lk, first["room_name"])  # the first caller hangs up: a line frees
    answered = await asyncio.to_thread(
        _record, directory, number, known | {first["id"]},
        greeted, "the waiting caller answered")
    assert events_of(answered, "answered_after_wait")[0]["waited_seconds"] >= 6
    await end_call(lk, answered["room_name"])
    for call in (await ringing, await waiting):
        assert call.result.returncode == 0


async def test_a_silent_caller_is_asked_then_told_goodbye(
        worker: WorkerProcess, directory: Directory, phone) -> None:
    ensure(worker, **LIMITS)
    number = directory.numbers["complaints"]
    known = {c["id"] for c in directory.calls_to(number)}
    call = await phone(Call(number, ending=hung_up_by_peer(90_000)), timeout=120)
    assert call.result.returncode == 0  # the agent hung up
    record = directory.wait_for_call(number, lambda r: r["status"] == "ended",
                                     "the idle call to end", known)
    kinds = [e["kind"] for e in record["events"]]
    assert kinds.index("greeting") < kinds.index("idle_prompt") < kinds.index("limit_reached")
    assert record["end_reason"] == "idle"


async def test_a_call_ends_at_its_longest_allowed_duration(
        worker: WorkerProcess, directory: Directory, phone, artifacts_dir) -> None:
    ensure(worker, **LIMITS)  # phone calls last at most 40 s
    number = directory.numbers["sales"]
    known = {c["id"] for c in directory.calls_to(number)}
    hello = phone_ulaw("Hello, are you there?", artifacts_dir / "speech")

    async def talk(ear, mouth) -> None:  # type: ignore[no-untyped-def]
        await ear.wait_until_heard(1.0)
        while True:  # keeps talking, never idle: only the duration limit ends this call
            await mouth.say(hello)
            await asyncio.sleep(3)

    async def talk_until_hung_up(ear, mouth) -> None:  # type: ignore[no-untyped-def]
        task = asyncio.create_task(talk(ear, mouth))
        try:
            await asyncio.to_thread(directory.wait_for_call, number,
                                    lambda r: r["status"] == "ended", "the limit", known, 90)
        finally:
            task.cancel()

    call = await phone(Call(number, sipp_audio=False, ending=hung_up_by_peer(90_000)),
                       timeout=120, talk=talk_until_hung_up)
    assert call.result.returncode == 0
    record = directory.wait_for_call(number, lambda r: r["status"] == "ended", "the call",
                                     known)
    assert record["end_reason"] == "time_limit"
    assert 38 <= record["duration_seconds"] <= 60
    assert "idle_prompt" not in [e["kind"] for e in record["events"]]
