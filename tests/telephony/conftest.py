"""Telephony fixtures: department numbers provisioned through the admin API (which syncs them
to the live livekit-server), the agent worker running, sipp as the phone."""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from livekit import api as lkapi

from livekit_stack import LocalStack
from tests.live.rtp_capture import CallerEar, CallerMouth, open_ear
from tests.live.sipp_runner import Call, SippResult, hung_up_by_peer, place_call
from tests.live_services import ApiProcess, WorkerProcess

# UK numbers reserved for drama (Ofcom), valid for phonenumbers, never a real line
HUMAN_LINES = {"reception": "tel:+442079460101", "sales": "tel:+442079460102",
               "complaints": "tel:+442079460103"}


@dataclass
class Directory:
    """The provisioned numbers, one per department, and the admin API client."""
    numbers: dict[str, str]
    api: httpx.Client

    def calls_to(self, number: str) -> list[dict]:
        return self.api.get("/api/v1/calls", params={"number": number, "limit": 50}).json()[
            "items"]

    def call(self, call_id: str) -> dict:
        return self.api.get(f"/api/v1/calls/{call_id}").json()

    def wait_for_call(self, number: str, check, what: str, known: set[str] = frozenset(),  # type: ignore[no-untyped-def,assignment]
                      timeout: float = 30) -> dict:
        """The newest call record to `number` not in `known` whose detail passes `check`."""
        deadline = time.monotonic() + timeout
        detail: dict = {}
        while time.monotonic() < deadline:
            fresh = [c for c in self.calls_to(number) if c["id"] not in known]
            if fresh:
                detail = self.call(fresh[0]["id"])
                if check(detail):
                    return detail
            time.sleep(0.3)
        raise AssertionError(f"timed out waiting for {what}; last record: {detail}")


def provision(client: httpx.Client) -> Directory:
    """One number per department, with its human line, through the admin API (which syncs
    them to LiveKit)."""
    depts = {d["slug"]: d for d in client.get("/api/v1/departments").json()["items"]}
    numbers: dict[str, str] = {}
    base = 442079460200 + int(str(uuid.uuid4().int)[:2]) * 3
    for i, slug in enumerate(("reception", "sales", "complaints")):
        resp = client.patch(f"/api/v1/departments/{depts[slug]['id']}",
                            json={"human_transfer_target": HUMAN_LINES[slug]})
        assert resp.status_code == 200, resp.text
        resp = client.post("/api/v1/numbers",
                           json={"e164": f"+{base + i}", "department_id": depts[slug]["id"]})
        assert resp.status_code == 201, resp.text
        assert resp.json()["sync_status"] == "synced", resp.json()
        numbers[slug] = resp.json()["e164"]
    return Directory(numbers, client)


@pytest.fixture(scope="session")
def directory(api_server: ApiProcess, agent_worker: WorkerProcess) -> Iterator[Directory]:
    client = api_server.client()
    try:
        yield provision(client)
    finally:
        client.close()


async def end_call(lk: lkapi.LiveKitAPI, room: str) -> None:
    """Hang up from the far side: deleting the room makes livekit-sip send the caller BYE."""
    await lk.room.delete_room(lkapi.DeleteRoomRequest(room=room))


def events_of(record: dict, kind: str) -> list[dict]:
    return [e["data"] for e in record["events"] if e["kind"] == kind]


def call_started(worker: WorkerProcess, room: str) -> dict | None:
    """The worker's log line (JSON) of the call it started in `room`, if it took that call."""
    for line in worker.log_text().splitlines():
        if line.startswith("{") and room in line and '"call started' in line:
            return dict(json.loads(line))
    return None


def greeted(record: dict) -> bool:
    """The greeting was played out (its transcript is written once it was spoken)."""
    return any(d["role"] == "assistant" for d in events_of(record, "transcript"))


async def until(check: Callable[[], Awaitable[object] | object], what: str,
                 timeout: float = 60) -> object:
    deadline = asyncio.get_running_loop().time() + timeout
    while asyncio.get_running_loop().time() < deadline:
        result = check()
        if asyncio.iscoroutine(result):
            result = await result
        if result:
            return result
        await asyncio.sleep(0.3)
    raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")


async def hold_call(phone, number: str, hold_ms: int = 120_000,  # type: ignore[no-untyped-def]
                    node: int = 0) -> asyncio.Task[PhoneCall]:
    """A phone call (to the stack's node `node`) that stays on the line until the far side
    hangs up (end_call)."""
    task = asyncio.create_task(phone(Call(number, ending=hung_up_by_peer(hold_ms)),
                                     timeout=hold_ms / 1000 + 30, node=node))
    await asyncio.sleep(0)
    return task


@dataclass
class PhoneCall:
    result: SippResult
    ear: CallerEar


Talk = Callable[[CallerEar, CallerMouth], Awaitable[None]]


@pytest.fixture(scope="module")
def phone_stack(live_stack: LocalStack) -> LocalStack:
    """The stack the phone calls (a module with its own stack overrides this)."""
    return live_stack


@pytest.fixture
async def phone(phone_stack: LocalStack, artifacts_dir: Path) -> AsyncIterator:
    """phone(call, talk=None, node=0) -> PhoneCall: place a sipp call (to the livekit-sip of
    the stack's node `node`) while a receiver records what it hears. With `talk` (a call with
    sipp_audio=False), the test speaks during the call: `talk(ear, mouth)` runs while sipp
    holds the call, and should end it (end_call)."""
    transports = []

    async def dial(call: Call, timeout: float = 90, talk: Talk | None = None,
                   node: int = 0) -> PhoneCall:
        transport, ear, ear_port = await open_ear(phone_stack.cfg.host)
        transports.append(transport)
        workdir = artifacts_dir / f"phone-{call.number}-{uuid.uuid4().hex[:6]}"
        sipp = asyncio.create_task(place_call(phone_stack, call, workdir, ear_port=ear_port,
                                              timeout=timeout, node=node))
        if talk is not None:
            mouth = CallerMouth(ear)
            mouth.start()
            try:
                await talk(ear, mouth)
            except BaseException:
                sipp.cancel()  # place_call kills sipp
                raise
            finally:
                await mouth.stop()
        return PhoneCall(await sipp, ear)

    yield dial
    for transport in transports:
        transport.close()
