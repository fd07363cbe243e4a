"""The worker's own call admission (AGENT_MAX_CALLS), independent of livekit's estimate."""

from __future__ import annotations

import json
from types import SimpleNamespace

from agent.capacity import CallAdmission


class Request:
    """Stands in for livekit's JobRequest: records the decision."""

    def __init__(self, job_id: str, source: str = "sip") -> None:
        self.job = SimpleNamespace(id=job_id, metadata=json.dumps({"source": source}))
        self.decision: str | None = None

    async def accept(self) -> None:
        self.decision = "accept"

    async def reject(self, *, terminate: bool = True) -> None:
        self.decision = "reject-terminate" if terminate else "reject"


def _server(running: list[str]) -> SimpleNamespace:
    return SimpleNamespace(active_jobs=[SimpleNamespace(job=SimpleNamespace(id=j, metadata=""))
                                        for j in running])


async def test_a_cold_burst_is_admitted_up_to_the_cap_and_the_rest_offered_back() -> None:
    admit = CallAdmission(_server([]), max_calls=5)
    requests = [Request(f"AJ_{i}") for i in range(7)]
    for request in requests:
        await admit(request)
    assert [r.decision for r in requests] == ["accept"] * 5 + ["reject"] * 2


async def test_running_jobs_count_once_and_finished_ones_free_their_slot() -> None:
    server = _server([])
    admit = CallAdmission(server, max_calls=2)
    first, second = Request("AJ_1"), Request("AJ_2")
    await admit(first)
    await admit(second)
    server.active_jobs = _server(["AJ_1", "AJ_2"]).active_jobs  # both now running
    assert admit.in_use() == (2, 0)
    third = Request("AJ_3")
    await admit(third)
    assert third.decision == "reject"

    server.active_jobs = _server(["AJ_2"]).active_jobs  # AJ_1 hung up
    fourth = Request("AJ_4")
    await admit(fourth)
    assert fourth.decision == "accept" and admit.in_use() == (2, 0)


async def test_a_job_that_never_starts_does_not_hold_a_slot_forever(monkeypatch) -> None:
    clock = [1000.0]
    monkeypatch.setattr("agent.capacity.time.monotonic", lambda: clock[0])
    admit = CallAdmission(_server([]), max_calls=1)
    await admit(Request("AJ_lost"))
    assert admit.in_use() == (1, 0)
    clock[0] += 31
    assert admit.in_use() == (0, 0)


async def test_browser_calls_get_their_share_and_phones_keep_the_rest() -> None:
    admit = CallAdmission(_server([]), max_calls=4, browser_share=0.5)
    browsers = [Request(f"AJ_b{i}", "browser") for i in range(3)]
    for request in browsers:
        await admit(request)
    assert [r.decision for r in browsers] == ["accept", "accept", "reject"]
    phones = [Request(f"AJ_p{i}") for i in range(3)]
    for request in phones:
        await admit(request)
    assert [r.decision for r in phones] == ["accept", "accept", "reject"]
