"""Phone calls end to end: sipp dials department numbers provisioned through the admin API,
livekit-sip routes them, the agent worker answers as the department's persona; DTMF hands
the caller over; REFER transfers them to a human."""

from __future__ import annotations

import json

import pytest
from livekit import api as lkapi

from tests.live.sipp_runner import Call, dtmf, hang_up, pause, transferred
from tests.live_services import ApiProcess, WorkerProcess
from tests.telephony.conftest import HUMAN_LINES, Directory, WebhookOutage

pytestmark = pytest.mark.live


def _kinds(record: dict) -> list[str]:
    return [e["kind"] for e in record["events"]]


def _ok(call) -> None:  # type: ignore[no-untyped-def]
    result = call.result
    assert result.returncode == 0, f"sipp failed:\n{result.stdout[-3000:]}\n{result.error_log}"


async def test_sales_number_is_answered_by_sarah(
    directory: Directory, phone, lk: lkapi.LiveKitAPI
) -> None:
    number = directory.numbers["sales"]
    known = {c["id"] for c in directory.calls_to(number)}
    call = await phone(Call(number, steps=[pause(6000)]))
    _ok(call)
    # the caller heard the greeting: non-silent audio within the call
    assert call.ear.heard_seconds() >= 1.0, f"heard {call.ear.heard_seconds()} s"
    record = directory.wait_for_call(number, lambda r: r["status"] == "ended",
                                     "the sales call to end", known)
    assert record["room_name"].startswith("call-sales")
    assert (record["source"], record["first_department"], record["caller"]) == \
        ("sip", "sales", "+15551230000")
    greeting = next(e for e in record["events"] if e["kind"] == "greeting")
    assert greeting["data"]["department"] == "sales"
    assert "Sarah" in greeting["data"]["text"] or "سارة" in greeting["data"]["text"]
    assert record["outcome"] == "abandoned"  # listened, said nothing, hung up
    assert record["summary"].startswith(
        "The caller asked nothing. The caller left without an answer (sales); ar, ")


async def test_reception_dtmf_2_hands_off_to_sales_and_0_transfers_to_a_human(
    directory: Directory, phone, webhook_outage: WebhookOutage
) -> None:
    """Reported by webhooks too: the receiver is down during the call and the API process
    delivering is stopped; another one starts, the receiver comes back, and every event
    arrives once, in order, signed."""
    number = directory.numbers["reception"]
    known = {c["id"] for c in directory.calls_to(number)}
    call = await phone(Call(number, steps=[pause(3000), dtmf("20", tone_ms=2000)],
                            ending=transferred("200 OK", after=hang_up())))
    _ok(call)
    assert call.result.header("REFER", "Refer-To") == [HUMAN_LINES["sales"]]
    record = directory.wait_for_call(number, lambda r: r["status"] == "ended",
                                     "the transferred call to end", known)
    kinds = _kinds(record)
    assert kinds.index("dtmf") < kinds.index("handoff") < kinds.index("transfer_succeeded")
    handoff = next(e for e in record["events"] if e["kind"] == "handoff")
    assert (handoff["data"]["from"], handoff["data"]["to"]) == ("reception", "sales")
    assert record["current_department"] == "sales"
    assert record["end_reason"] == "transferred_to_human"
    assert record["outcome"] == "transferred_to_human"
    assert record["summary_details"]["request"] == "pressed 2 (sales)"

    webhook_outage.recover(record["id"])
    events = webhook_outage.events(record["id"], 4)
    assert [e["type"] for e in events] == ["call.started", "call.handed_over",
                                           "call.transferred", "call.ended"]
    assert len({e["id"] for e in events}) == 4  # each once
    handed, transfer, ended = (e["data"] for e in events[1:])
    assert (handed["from_department"], handed["to_department"], handed["via"]) == \
        ("reception", "sales", "dtmf")
    assert transfer["target"] == HUMAN_LINES["sales"]
    assert (ended["outcome"], ended["departments"], ended["summary"]) == \
        ("transferred_to_human", ["reception", "sales"], record["summary"])
    assert {d["status"] for d in webhook_outage.deliveries(record["id"])} == {"delivered"}


async def test_rejected_transfer_keeps_the_caller_with_the_assistant(
    directory: Directory, phone
) -> None:
    number = directory.numbers["complaints"]
    known = {c["id"] for c in directory.calls_to(number)}
    stays = pause(4000) + hang_up()
    call = await phone(Call(number, steps=[pause(4000), dtmf("0")],
                            ending=transferred("603 Declined", after=stays)))
    _ok(call)  # the caller was still connected 4 s after the failed transfer and hung up
    assert call.result.header("REFER", "Refer-To") == [HUMAN_LINES["complaints"]]
    record = directory.wait_for_call(number, lambda r: r["status"] == "ended",
                                     "the call to end", known)
    failed = next(e for e in record["events"] if e["kind"] == "transfer_failed")
    assert failed["data"]["target"] == HUMAN_LINES["complaints"]
    assert "transfer_succeeded" not in _kinds(record)
    assert record["end_reason"] == "caller_hangup"
    assert record["outcome"] == "failed"  # asked for a person, the transfer failed, left


async def test_caller_hang_up_closes_the_record_with_reason_and_duration(
    directory: Directory, phone
) -> None:
    number = directory.numbers["reception"]
    known = {c["id"] for c in directory.calls_to(number)}
    call = await phone(Call(number, steps=[pause(5000)]))
    _ok(call)
    record = directory.wait_for_call(number, lambda r: r["status"] == "ended",
                                     "the call to end", known)
    assert record["end_reason"] == "caller_hangup"
    assert 4.0 <= record["duration_seconds"] <= 20.0
    assert record["outcome"] == "abandoned"
    assert _kinds(record)[0] == "started" and _kinds(record)[-1] == "ended"


async def test_unprovisioned_number_is_never_answered(
    directory: Directory, phone, lk: lkapi.LiveKitAPI
) -> None:
    """Policy (README, "Numbers that are not provisioned"): livekit-server finds no trunk and
    no rule and tells livekit-sip to DROP the INVITE, its flood protection: no answer, no
    room, no agent, no call record; the carrier gives up on its own timer."""
    number = "+442079460999"
    rooms_before = {r.name for r in (await lk.room.list_rooms(lkapi.ListRoomsRequest())).rooms}
    call = await phone(Call(number), timeout=10)
    assert call.result.returncode != 0  # the phone gave up: nobody ever answered
    assert "100 Processing" in call.result.messages  # livekit-sip did receive the INVITE
    assert call.result.final_responses() == []
    rooms_after = {r.name for r in (await lk.room.list_rooms(lkapi.ListRoomsRequest())).rooms}
    assert not {r for r in rooms_after - rooms_before if number in r}
    assert directory.calls_to(number) == []




async def test_a_trusted_trunks_catch_all_answers_an_unassigned_number(
    directory: Directory, phone, phone_stack
) -> None:
    """The operator trusts the carrier (its address) and asks for a catch-all: a call to a
    number no department has is answered by reception, and its record says so."""
    api = directory.api
    reception = next(d for d in api.get("/api/v1/departments").json()["items"]
                     if d["slug"] == "reception")
    trunk = api.post("/api/v1/trunks", json={
        "name": "trusted-carrier", "direction": "inbound",
        "allowed_addresses": [phone_stack.cfg.host], "unassigned_department_id": reception["id"]})
    assert trunk.status_code == 201 and trunk.json()["sync_status"] == "synced", trunk.text
    number = "+442079460777"
    try:
        call = await phone(Call(number, steps=[pause(5000)]))
        _ok(call)
        assert call.ear.heard_seconds() >= 1.0  # Ahmed's greeting
        record = directory.wait_for_call(number, lambda r: r["status"] == "ended", "the call")
        assert (record["first_department"], record["called_number"]) == ("reception", number)
        assert "unassigned_number" in _kinds(record)
        # a number that has a department still reaches it through the same trunk
        sales = directory.numbers["sales"]
        known = {c["id"] for c in directory.calls_to(sales)}
        _ok(await phone(Call(sales, steps=[pause(3000)])))
        routed = directory.wait_for_call(sales, lambda r: r["status"] == "ended", "sales", known)
        assert routed["first_department"] == "sales" and "unassigned_number" not in \
            _kinds(routed)
    finally:  # the unprovisioned-number policy holds again for the tests after this one
        assert api.delete(f"/api/v1/trunks/{trunk.json()['id']}").status_code == 204


async def test_number_on_a_digest_auth_trunk(directory: Directory, phone) -> None:
    """A trunk created through the admin API with digest auth: the carrier must authenticate."""
    api = directory.api
    trunk = api.post("/api/v1/trunks", json={
        "name": "carrier-with-auth", "direction": "inbound",
        "auth_username": "carrier", "auth_password": "pa55-w0rd-for-tests"})
    assert trunk.status_code == 201, trunk.text
    assert "pa55" not in trunk.text  # the password is write-only
    sales = next(d for d in api.get("/api/v1/departments").json()["items"]
                 if d["slug"] == "sales")
    created = api.post("/api/v1/numbers", json={"e164": "+442079460888", "department_id":
                                                 sales["id"], "trunk_id": trunk.json()["id"]})
    assert created.status_code == 201 and created.json()["sync_status"] == "synced", created.text
    number = created.json()["e164"]

    refused = await phone(Call(number, refused_with=407))
    _ok(refused)
    assert refused.result.final_responses() == [407]

    answered = await phone(Call(number, auth=("carrier", "pa55-w0rd-for-tests"),
                                steps=[pause(4000)]))
    _ok(answered)
    assert answered.ear.heard_seconds() >= 1.0  # Sarah greeted the authenticated caller
    record = directory.wait_for_call(number, lambda r: r["status"] == "ended", "the call")
    assert (record["first_department"], record["outcome"]) == ("sales", "abandoned")


async def test_a_calls_logs_carry_no_caller_number_and_no_dtmf_digit(
    directory: Directory, phone, agent_worker: WorkerProcess, api_server: ApiProcess
) -> None:
    """Personal data: the room is named after the department's number (callee dispatch
    rule), the caller's number is in the call record only, never in a log line of the
    worker (at DEBUG, livekit's lines included) or the API; DTMF keys are logged as pressed,
    with the action, never the digit (a key off the menu leaves no digit in the record)."""
    caller = "+15557654321"
    number = directory.numbers["reception"]
    known = {c["id"] for c in directory.calls_to(number)}
    call = await phone(Call(number, caller=caller,
                            steps=[pause(3000), dtmf("93", tone_ms=1500), pause(9000)]))
    _ok(call)
    record = directory.wait_for_call(number, lambda r: r["status"] == "ended",
                                     "the call to end", known)
    assert record["caller"] == caller  # the record is where the number belongs
    assert record["room_name"].startswith(f"call-reception_{number}_")
    presses = [e["data"] for e in record["events"] if e["kind"] == "dtmf"]
    assert presses == [{"action": None, "department": "reception"},
                       {"digit": "3", "action": "complaints", "department": "reception"}]
    assert record["outcome"] == "handed_over"
    assert record["summary_details"]["request"] == "pressed 3 (complaints)"  # a menu key

    digits = caller.lstrip("+")
    for process in (agent_worker, api_server):
        leaks = [line for line in process.log_text().splitlines() if digits in line]
        assert leaks == [], f"{process.name} logged the caller's number: {leaks[:3]}"
    call_lines = [json.loads(line) for line in agent_worker.log_text().splitlines()
                  if record["id"] in line]
    assert [ev["message"] for ev in call_lines if ev["message"].startswith("DTMF")] == [
        "DTMF key pressed -> no menu action", "DTMF key pressed -> complaints"]
    # reception does not record here: nothing was added to the call's audio path
    (audio_io,) = [ev["message"] for ev in call_lines if ev["message"].startswith("using audio")]
    assert "RecorderIO" not in audio_io, audio_io
