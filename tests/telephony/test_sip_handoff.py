"""Department handoff by SIP transfer (HANDOFF_MODE / department handoff_mode
"sip_transfer"): the call itself moves to the other department's number, the conversation
follows by reference, and the two call records are linked."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.live.sipp_runner import Call, dtmf, hang_up, pause, transferred
from tests.telephony.conftest import Directory

pytestmark = pytest.mark.live
HEADER = "X-CC-Handoff"


@pytest.fixture
def sales_by_transfer(directory: Directory) -> Iterator[None]:
    """Sales is reached by SIP transfer (its own deployment) for the duration of a test."""
    sales = next(d for d in directory.api.get("/api/v1/departments").json()["items"]
                 if d["slug"] == "sales")
    resp = directory.api.patch(f"/api/v1/departments/{sales['id']}",
                               json={"handoff_mode": "sip_transfer"})
    assert resp.status_code == 200, resp.text
    try:
        yield
    finally:
        directory.api.patch(f"/api/v1/departments/{sales['id']}", json={"handoff_mode": None})


def _ok(call) -> None:  # type: ignore[no-untyped-def]
    assert call.result.returncode == 0, \
        f"sipp failed:\n{call.result.stdout[-3000:]}\n{call.result.error_log}"


async def test_handoff_moves_the_call_and_the_context_follows(
    directory: Directory, phone, sales_by_transfer: None
) -> None:
    reception, sales = directory.numbers["reception"], directory.numbers["sales"]
    known_r = {c["id"] for c in directory.calls_to(reception)}
    known_s = {c["id"] for c in directory.calls_to(sales)}

    first = await phone(Call(reception, steps=[pause(3000), dtmf("2")],
                             ending=transferred("200 OK", after=hang_up())))
    _ok(first)
    assert first.result.header("REFER", "Refer-To") == [f"tel:{sales}"]
    (reference,) = first.result.header("REFER", HEADER)
    assert 20 <= len(reference) <= 64 and "+" not in reference  # opaque, no number, no text
    left = directory.wait_for_call(reception, lambda r: r["status"] == "ended",
                                   "the reception call to end", known_r)
    assert (left["end_reason"], left["outcome"]) == ("transferred_to_department", "handed_over")
    moved = next(e for e in left["events"] if e["kind"] == "handoff_transferred")
    assert (moved["data"]["to"], moved["data"]["target"]) == ("sales", f"tel:{sales}")

    # the carrier follows the REFER: a new INVITE to the sales number with the header
    second = await phone(Call(sales, invite_headers={HEADER: reference}, steps=[pause(6000)]))
    _ok(second)
    assert second.ear.heard_seconds() >= 1.0
    arrived = directory.wait_for_call(sales, lambda r: r["status"] == "ended",
                                      "the sales call to end", known_s)
    assert arrived["parent_call_id"] == left["id"]
    assert arrived["outcome"] == "abandoned"  # the caller said nothing to sales
    received = next(e for e in arrived["events"] if e["kind"] == "handoff_received")
    assert (received["data"]["from"], received["data"]["from_call_id"]) == \
        ("reception", left["id"])
    greeting = next(e for e in arrived["events"] if e["kind"] == "greeting")
    assert "أحمد" in greeting["data"]["text"] or "Ahmed" in greeting["data"]["text"]
    assert directory.call(left["id"])["child_call_ids"] == [arrived["id"]]


async def test_rejected_handoff_transfer_keeps_the_caller_with_reception(
    directory: Directory, phone, sales_by_transfer: None
) -> None:
    reception = directory.numbers["reception"]
    known = {c["id"] for c in directory.calls_to(reception)}
    stays = pause(3000) + hang_up()
    call = await phone(Call(reception, steps=[pause(3000), dtmf("2")],
                            ending=transferred("603 Declined", after=stays)))
    _ok(call)
    record = directory.wait_for_call(reception, lambda r: r["status"] == "ended",
                                     "the call to end", known)
    failed = next(e for e in record["events"] if e["kind"] == "transfer_failed")
    assert failed["data"]["to_department"] == "sales"
    assert record["current_department"] == "reception"
    assert (record["end_reason"], record["outcome"]) == ("caller_hangup", "failed")


async def test_unknown_reference_gets_the_normal_greeting(directory: Directory, phone) -> None:
    sales = directory.numbers["sales"]
    known = {c["id"] for c in directory.calls_to(sales)}
    call = await phone(Call(sales, invite_headers={HEADER: "no-such-reference-0123456789"},
                            steps=[pause(4000)]))
    _ok(call)
    record = directory.wait_for_call(sales, lambda r: r["status"] == "ended", "the call", known)
    assert (record["parent_call_id"], record["outcome"]) == (None, "abandoned")
    kinds = [e["kind"] for e in record["events"]]
    assert "handoff_reference_ignored" in kinds and "handoff_received" not in kinds
    greeting = next(e for e in record["events"] if e["kind"] == "greeting")
    assert greeting["data"]["text"].startswith(("مرحباً! أنا سارة", "Hello! I'm Sarah"))
