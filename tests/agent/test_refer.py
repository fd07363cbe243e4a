"""A closing call waits for a SIP transfer under way (agent/refer.py): the carrier may hang up
on us before LiveKit's answer to the transfer reaches the agent."""

from __future__ import annotations

import asyncio
import time

import pytest

from agent import refer


async def _answer(state, after: float, ok: bool) -> None:  # type: ignore[no-untyped-def]
    await asyncio.sleep(after)
    if not ok:
        raise RuntimeError("603 Declined")
    state.end_reason = "transferred_to_department"


async def test_the_record_waits_for_the_transfers_answer(make_state) -> None:  # type: ignore[no-untyped-def]
    state = make_state()
    state.transfer = asyncio.create_task(_answer(state, 0.3, ok=True))
    assert state.end_reason is None
    await refer.settled(state)
    assert state.end_reason == "transferred_to_department"


async def test_a_failed_transfer_leaves_the_call_as_it_was(make_state) -> None:  # type: ignore[no-untyped-def]
    state = make_state()
    state.transfer = asyncio.create_task(_answer(state, 0.1, ok=False))
    await refer.settled(state)
    assert state.transfer.done() and state.end_reason is None


async def test_the_wait_is_bounded_and_leaves_the_transfer_running(
    make_state, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(refer, "SETTLE_SECONDS", 0.2)
    state = make_state()
    state.transfer = asyncio.create_task(_answer(state, 1.0, ok=True))
    started = time.monotonic()
    await refer.settled(state)
    assert time.monotonic() - started < 0.9 and not state.transfer.done()
    await state.transfer
    assert state.end_reason == "transferred_to_department"


async def test_no_transfer_no_wait(make_state) -> None:  # type: ignore[no-untyped-def]
    state = make_state()
    await refer.settled(state)
    assert state.transfer is None and state.end_reason is None
