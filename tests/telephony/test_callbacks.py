"""Callbacks through the real stack. A caller asks for a person while the department is
closed by its hours: no REFER, a callback for the opening. An API process whose clock is set
to that opening (CLOCK_OFFSET_SECONDS, the test aid) places it through the department's
callback trunk to a second sipp: the person hears the persona's greeting, and the callback
call's record is a child of the original. A busy line is tried again after the retry delay,
by a restarted API process (the state is the database's), until the attempts run out."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta

import pytest
from livekit import api as lkapi

from core import clock
from core.hours import DAYS
from livekit_stack import LocalStack
from tests.live.sipp_runner import Call, Callee, dtmf, pause
from tests.live_services import ApiProcess, start_api
from tests.telephony.conftest import (
    Directory,
    OutboundLine,
    Ringing,
    department_id,
    end_call,
)

pytestmark = pytest.mark.live
CALLER = "+442079460555"


@pytest.fixture
def scheduler(live_stack: LocalStack, service_env: dict[str, str], artifacts_dir,
              directory: Directory) -> Iterator[Callable[..., ApiProcess]]:
    """scheduler(offset_seconds, **env): an API process that places callbacks, its clock
    moved by `offset_seconds`. Callbacks other tests left pending are cancelled first."""
    pending = directory.api.get("/api/v1/callbacks",
                                params={"status": "pending", "limit": 500}).json()["items"]
    for row in pending:
        directory.api.post(f"/api/v1/callbacks/{row['id']}/cancel")
    started: list[ApiProcess] = []

    def start(offset: float = 0.0, **env: str) -> ApiProcess:
        process = start_api(live_stack.cfg.host, {
            **service_env, "CALLBACK_SCHEDULER": "true", "CALLBACK_POLL_SECONDS": "0.3",
            "CLOCK_OFFSET_SECONDS": str(offset), **env}, artifacts_dir, name="api-scheduler")
        started.append(process)
        return process

    yield start
    for process in started:
        process.stop()


def _wait(check: Callable[[], dict | None], what: str, timeout: float = 60) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if found := check():
            return found
        time.sleep(0.3)
    raise AssertionError(f"timed out waiting for {what}")


def _callback_when(directory: Directory, callback_id: int,
                   done: Callable[[dict], bool]) -> Callable[[], dict | None]:
    def check() -> dict | None:
        row = directory.api.get(f"/api/v1/callbacks/{callback_id}").json()
        return row if done(row) else None
    return check


@pytest.fixture
def reception_opens_tomorrow(directory: Directory) -> Iterator[datetime]:
    """Reception's people are there only tomorrow 09:00-10:00 UTC: closed now."""
    tomorrow = (clock.now() + timedelta(days=1)).date()
    url = f"/api/v1/departments/{department_id(directory, 'reception')}/hours"
    hours = directory.api.put(url, json={"time_zone": "UTC", "weekly": {
        DAYS[tomorrow.weekday()]: [["09:00", "10:00"]]}})
    assert hours.status_code == 200 and not hours.json()["open_now"], hours.text
    try:
        yield datetime.fromisoformat(hours.json()["opens_at"])
    finally:
        directory.api.delete(url)


async def test_after_hours_the_caller_is_called_back_when_the_department_opens(
        directory: Directory, phone, ringing: Ringing, outbound_line: OutboundLine,
        department_settings, reception_opens_tomorrow: datetime, scheduler,
        lk: lkapi.LiveKitAPI) -> None:
    department_settings("reception", callback_trunk_id=outbound_line.trunk_id,
                        human_transfer_target="tel:+442079460101")
    number = directory.numbers["reception"]
    known = {c["id"] for c in directory.calls_to(number)}
    call = await phone(Call(number, caller=CALLER, steps=[pause(3000), dtmf("0"), pause(8000)]))
    assert call.result.returncode == 0, call.result.stdout[-2000:]
    original = await asyncio.to_thread(directory.wait_for_call, number,
                                       lambda r: r["status"] == "ended", "the call", known)

    # closed: said in the greeting, and "0" transfers nobody
    events = {e["kind"]: e["data"] for e in original["events"]}
    assert events["hours_checked"]["open"] is False
    assert "مغلق الآن" in events["greeting"]["text"]  # reception speaks Arabic
    assert call.result.received("REFER") == [] and "transfer_succeeded" not in events
    created = events["callback_created"]
    assert created["via"] == "after_hours"
    assert datetime.fromisoformat(created["next_attempt_at"]) == reception_opens_tomorrow

    # tomorrow at the opening: an API process with its clock there places the call
    person = await ringing(Callee(ring_ms=300))
    scheduler(offset=(reception_opens_tomorrow - clock.now()).total_seconds() + 30)
    row = await asyncio.to_thread(_wait, _callback_when(
        directory, created["callback_id"], lambda r: r["status"] != "pending"
        and r["attempt_log"] and r["attempt_log"][-1]["result"]), "the callback's call")
    assert (row["status"], row["attempts"], row["last_result"]) == ("answered", 1, "answered")

    child = await asyncio.to_thread(_wait, lambda: next(iter(
        directory.call(original["id"])["child_call_ids"]), None) and directory.call(
        directory.call(original["id"])["child_call_ids"][0]), "the callback call's record")
    await person.ear.wait_until_quiet(heard=1.5, quiet=1.2)  # the greeting, heard
    await end_call(lk, child["room_name"])
    assert (await person.sipp.result()).returncode == 0
    child = await asyncio.to_thread(_wait, lambda: (c := directory.call(child["id"]))
                                    and c["status"] == "ended" and c, "the callback to end")
    assert child["parent_call_id"] == original["id"] and child["caller"] == CALLER
    kinds = {e["kind"]: e["data"] for e in child["events"]}
    assert kinds["callback_call"]["callback_id"] == created["callback_id"]
    assert "أتصل بك" in kinds["greeting"]["text"]  # "calling you back", in Arabic
    steps = [e["kind"] for e in directory.call(original["id"])["events"]]
    assert steps[-2:] == ["callback_attempted", "callback_answered"]


async def test_a_busy_line_is_tried_again_by_a_restarted_api_until_attempts_run_out(
        directory: Directory, ringing: Ringing, outbound_line: OutboundLine,
        department_settings, scheduler) -> None:
    department_settings("complaints", callback_trunk_id=outbound_line.trunk_id)
    created = directory.api.post("/api/v1/callbacks", json={
        "number": "+442079460777", "department_id": department_id(directory, "complaints"),
        "language": "en", "reason": "a refund", "max_attempts": 2,
        "earliest_at": clock.now().isoformat()})
    assert created.status_code == 201, created.text
    callback_id = created.json()["id"]
    env = {"CALLBACK_RETRY_SECONDS": "3", "CALLBACK_RING_SECONDS": "5"}

    busy = await ringing(Callee("reject", status="486 Busy Here"))
    first = scheduler(**env)
    row = await asyncio.to_thread(_wait, _callback_when(
        directory, callback_id, lambda r: r["status"] == "pending" and r["attempts"] == 1),
        "the first attempt")
    first.stop()  # the API goes down between attempts; the callback waits in the database
    assert (await busy.sipp.result()).returncode == 0
    assert [(a["result"], a["sip_status"]) for a in row["attempt_log"]] == [("busy", 486)]
    retry_at = datetime.fromisoformat(row["next_attempt_at"]) - \
        datetime.fromisoformat(row["attempt_log"][0]["ended_at"])
    assert timedelta(seconds=2.5) <= retry_at <= timedelta(seconds=3.5)

    nobody = await ringing(Callee("no_answer"))
    scheduler(**env)  # a new API process takes it from there
    row = await asyncio.to_thread(_wait, _callback_when(
        directory, callback_id, lambda r: r["status"] == "failed"), "the last attempt", 90)
    assert (await nobody.sipp.result()).returncode == 0
    assert [a["result"] for a in row["attempt_log"]] == ["busy", "no_answer"]
    assert (row["attempts"], row["last_result"]) == (2, "no_answer")
    assert row["completed_at"] is not None
