"""Telephony fixtures: department numbers provisioned through the admin API (which syncs them
to the live livekit-server), the agent worker running, sipp as the phone."""

from __future__ import annotations

import asyncio
import contextlib
import json
import socket
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from livekit import api as lkapi

from core.webhooks import EVENT_TYPES
from livekit_stack import LocalStack
from livekit_stack.probes import free_port
from tests.live.rtp_capture import CallerEar, CallerMouth, open_ear
from tests.live.sipp_runner import (
    AnsweringPhone,
    Call,
    Callee,
    SippResult,
    answer_call,
    hung_up_by_peer,
    make_tone,
    place_call,
)
from tests.live_services import ApiProcess, WorkerProcess, start_api
from tests.support.webhooks import Receiver

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


async def end_call(lk: lkapi.LiveKitAPI, room: str, answer_within: float = 30) -> None:
    """Hang up from the far side: deleting the room makes livekit-sip send the caller BYE.
    A phone still ringing is answered first (waiting up to `answer_within` s): the agent may
    already be greeting while livekit-sip, which answers once it has subscribed to the
    agent's track, still rings — and a room deleted then is a 486 to the caller, not a BYE."""
    async def not_ringing() -> bool:
        try:
            people = (await lk.room.list_participants(
                lkapi.ListParticipantsRequest(room=room))).participants
        except lkapi.TwirpError:  # no such room (any more)
            return True
        return all(p.attributes.get("sip.callStatus") != "ringing" for p in people)

    with contextlib.suppress(AssertionError):  # still ringing: hang up anyway
        await until(not_ringing, f"the phone in {room} answered", answer_within)
    await lk.room.delete_room(lkapi.DeleteRoomRequest(room=room))


def events_of(record: dict, kind: str) -> list[dict]:
    return [e["data"] for e in record["events"] if e["kind"] == kind]


def call_started(worker: WorkerProcess, room: str) -> dict | None:
    """The worker's log line (JSON) of the call it started in `room`, if it took that call."""
    for line in worker.log_text().splitlines():
        if line.startswith("{") and room in line and '"call started' in line:
            return dict(json.loads(line))
    return None


async def logged_call(workers: list[WorkerProcess], room: str, timeout: float = 30
                      ) -> list[dict]:
    """The "call started" lines of `room` in the logs of `workers` (one per worker that took
    it), waiting up to `timeout` for one: a job process's log lines reach the worker's log
    through livekit's log forwarding, which on a loaded machine can lag behind the call's
    record in the database."""
    def lines() -> list[dict]:
        return [line for w in workers if (line := call_started(w, room)) is not None]

    with contextlib.suppress(AssertionError):
        await until(lambda: asyncio.to_thread(lines), f"a worker's log of {room}", timeout)
    return await asyncio.to_thread(lines)


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


# webhook delivery in the outage's own API processes: fast retries (the test does not wait on
# backoff), enough attempts to outlast the outage
DELIVERY_ENV = {"WEBHOOK_DELIVERY": "true", "WEBHOOK_POLL_SECONDS": "0.2",
                "WEBHOOK_BACKOFF_SECONDS": "0.5", "WEBHOOK_BACKOFF_MAX_SECONDS": "1",
                "WEBHOOK_MAX_ATTEMPTS": "50"}


@dataclass
class WebhookOutage:
    """A subscription to every event whose receiver is down (connection refused), delivered
    by an API process of its own; `recover` stops that API, brings the receiver back and
    starts a second API process on the same database."""

    directory: Directory
    receiver: Receiver
    subscription: int
    env: dict[str, str]
    artifacts: Path
    api: ApiProcess | None = None

    def start(self) -> WebhookOutage:
        self.api = start_api(self.receiver.host, self.env, self.artifacts, "api-webhooks-1")
        return self

    def deliveries(self, call_id: str) -> list[dict]:
        assert self.api is not None
        return self.api.client().get(f"/api/v1/webhooks/{self.subscription}/deliveries",
                                     params={"call_id": call_id}).json()["items"]

    def recover(self, call_id: str) -> None:
        """Once the call's first event has been refused twice: restart the API, receiver up."""
        def refused_twice() -> bool:
            return any(d["event_type"] == "call.started" and d["attempts"] >= 2
                       and "ConnectError" in (d["last_error"] or "")
                       for d in self.deliveries(call_id))

        assert self.api is not None
        self.api.wait_until(refused_twice, "attempts refused while the receiver is down", 30)
        self.api.stop()
        self.receiver.up()
        self.api = start_api(self.receiver.host, self.env, self.artifacts, "api-webhooks-2")

    def events(self, call_id: str, count: int) -> list[dict]:
        """The call's events as the receiver accepted them, once `count` arrived."""
        def of_call(receiver: Receiver) -> list[dict]:
            return [e for e in receiver.events() if e["data"]["call_id"] == call_id]

        self.receiver.wait_for(lambda r: len(of_call(r)) >= count, f"{count} events")
        assert all(d.verified for d in self.receiver.got)
        return of_call(self.receiver)

    def stop(self) -> None:
        if self.api is not None:
            self.api.stop()
        self.receiver.down()
        self.directory.api.delete(f"/api/v1/webhooks/{self.subscription}")


@pytest.fixture
def webhook_outage(directory: Directory, live_stack: LocalStack, service_env: dict[str, str],
                   artifacts_dir: Path) -> Iterator[WebhookOutage]:
    receiver = Receiver(live_stack.cfg.host)  # not listening yet
    created = directory.api.post("/api/v1/webhooks", json={"url": receiver.url,
                                                           "event_types": list(EVENT_TYPES)})
    assert created.status_code == 201, created.text
    receiver.secret = created.json()["secret"]
    outage = WebhookOutage(directory, receiver, created.json()["id"],
                           {**service_env, **DELIVERY_ENV}, artifacts_dir)
    try:
        yield outage.start()
    finally:
        outage.stop()


@dataclass
class Answered:
    """A phone livekit-sip dialled: sipp's result when it is done, and what it heard."""
    sipp: AnsweringPhone
    ear: CallerEar


@dataclass
class OutboundLine:
    """Where the department's outbound trunk (created through the admin API) sends calls:
    one UDP port of the test host, on which each test runs the phone it needs (a colleague
    who answers, is busy, declines, does not answer; the person a callback calls)."""
    trunk_id: int
    host: str
    port: int
    workdir: Path


@pytest.fixture(scope="session")
def outbound_line(directory: Directory, live_stack: LocalStack,
                  artifacts_dir: Path) -> Iterator[OutboundLine]:
    host = live_stack.cfg.host
    port = free_port(host, socket.SOCK_DGRAM)
    trunk = directory.api.post("/api/v1/trunks", json={
        "name": "colleagues-and-callbacks", "direction": "outbound",
        "address": f"{host}:{port}", "transport": "udp",
        "outbound_numbers": ["+442079460100"]})
    assert trunk.status_code == 201 and trunk.json()["sync_status"] == "synced", trunk.text
    yield OutboundLine(trunk.json()["id"], host, port, artifacts_dir)


Ringing = Callable[..., Awaitable[Answered]]


@pytest.fixture
async def ringing(outbound_line: OutboundLine) -> AsyncIterator[Ringing]:
    """ringing(callee, tone_hz=None) -> Answered: the phone on the outbound line for this
    test; it loops a `tone_hz` tone once it answers."""
    transports = []

    async def start(callee: Callee, tone_hz: float | None = None,
                    timeout: float = 150) -> Answered:
        line = outbound_line
        transport, ear, ear_port = await open_ear(line.host)
        transports.append(transport)
        workdir = line.workdir / f"callee-{uuid.uuid4().hex[:6]}"
        workdir.mkdir(parents=True)
        if tone_hz:
            make_tone(workdir / "callee.ulaw", tone_hz, seconds=60)
        phone = await answer_call(line.host, line.port, callee, workdir, ear_port=ear_port,
                                  timeout=timeout)
        return Answered(phone, ear)

    yield start
    for transport in transports:
        transport.close()


def department_id(directory: Directory, slug: str) -> int:
    return next(d["id"] for d in directory.api.get("/api/v1/departments").json()["items"]
                if d["slug"] == slug)


@pytest.fixture
def department_settings(directory: Directory) -> Iterator:
    """department_settings(slug, **fields): PATCH a department for one test, undone after."""
    undo: list[tuple[int, dict]] = []

    def change(slug: str, **fields: object) -> dict:
        dept_id = department_id(directory, slug)
        before = directory.api.get(f"/api/v1/departments/{dept_id}").json()
        undo.append((dept_id, {k: before[k] for k in fields}))
        resp = directory.api.patch(f"/api/v1/departments/{dept_id}", json=fields)
        assert resp.status_code == 200, resp.text
        return resp.json()

    yield change
    for dept_id, fields in reversed(undo):
        directory.api.patch(f"/api/v1/departments/{dept_id}", json=fields)
