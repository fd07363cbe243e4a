"""Scale out: two livekit-server nodes on one Redis (node 1 on CC_TEST_HOST_IP, node 2 on
CC_TEST_PEER_IP, each with its own livekit-sip), two agent workers with the same agent name
(one registered through each node), one API that both nodes send their webhooks to.

Calls through either node's livekit-sip are answered; jobs spread over both workers (each
takes at most two calls); a killed worker's call is closed as `agent_lost` and its caller
answered again by the survivor, which takes the new calls; with node 2 stopped, node 1 serves
new calls. Both workers' /metrics show the calls they took. The module has a stack of its
own: the session's single stack is not touched."""

from __future__ import annotations

import asyncio
import os
import secrets
import signal
import time
from collections.abc import AsyncIterator
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

import httpx
import pytest
from livekit import api as lkapi
from prometheus_client.parser import text_string_to_metric_families

from app.supervision.webhook import LIVEKIT_WEBHOOK_PATH
from livekit_stack import LocalStack, ServerNode, StackConfig, StackError, StackPorts
from livekit_stack.probes import free_port
from tests.conftest import TEST_HOST, report_logs
from tests.live_services import (
    ApiProcess,
    WorkerProcess,
    launch_worker,
    migrated_sqlite,
    product_env,
    start_api,
)
from tests.telephony.conftest import (
    Directory,
    call_started,
    end_call,
    events_of,
    hold_call,
    logged_call,
    provision,
    until,
)

pytestmark = pytest.mark.live
PEER_HOST = os.environ.get("CC_TEST_PEER_IP", TEST_HOST)
MAX_CALLS = 2  # per worker: three calls at once cannot all go to one worker


@dataclass
class Cluster:
    stack: LocalStack
    api: ApiProcess
    workers: list[WorkerProcess]
    directory: Directory
    lk: lkapi.LiveKitAPI  # through node 1

    async def taker(self, room: str) -> int:
        """Index of the worker that took the call in `room`."""
        await logged_call(self.workers, room)  # until one worker's log has it
        found = [i for i, w in enumerate(self.workers) if call_started(w, room)]
        assert len(found) == 1, f"{room}: taken by workers {found}"
        return found[0]


def _start_cluster(cfg: StackConfig, env: dict[str, str], artifacts: Path,
                   resources: ExitStack) -> tuple[LocalStack, ApiProcess, list[WorkerProcess]]:
    workers = []  # first: their imports take longest; they connect once the stack is up
    for index, node in enumerate(cfg.nodes, start=1):  # worker N registers through node N
        worker = launch_worker(TEST_HOST, {**env, "LIVEKIT_URL": node.livekit_url}, artifacts,
                               name=f"cluster-worker-{index}")
        resources.callback(worker.stop)
        workers.append(worker)
    stack = LocalStack(cfg, start_timeout=45)
    resources.callback(stack.stop)
    report_logs(stack)
    try:
        stack.start()
    except StackError as exc:
        pytest.fail(f"the two-node stack did not start: {exc}", pytrace=False)
    api = start_api(TEST_HOST, env, artifacts, name="cluster-api",
                    port=urlparse(cfg.webhook_urls[0]).port)
    resources.callback(api.stop)
    for worker in workers:
        worker.wait_for_log("registered worker", timeout=120)
    return stack, api, workers


@pytest.fixture(scope="module")
async def cluster(artifacts_dir: Path, tmp_path_factory: pytest.TempPathFactory
                  ) -> AsyncIterator[Cluster]:
    api_port = free_port(TEST_HOST)
    cfg = StackConfig(
        host=TEST_HOST, ports=StackPorts.free(TEST_HOST),
        extra_nodes=(ServerNode(PEER_HOST, StackPorts.free(PEER_HOST)),),
        webhook_urls=(f"http://{TEST_HOST}:{api_port}{LIVEKIT_WEBHOOK_PATH}",),
        api_key="clusterkey", api_secret=secrets.token_hex(24), log_level="debug",
        workdir=artifacts_dir / f"cluster-{time.strftime('%Y%m%d-%H%M%S')}-{os.getpid()}")
    # no speech recognition (callers press keys): the calls' audio is not what is tested
    env = product_env(cfg, migrated_sqlite(tmp_path_factory, "clusterdb"),
                      STT_PROVIDER="none", AGENT_MAX_CALLS=str(MAX_CALLS),
                      AGENT_IDLE_PROCESSES="1", WORKER_HEARTBEAT_SECONDS="1")
    with ExitStack() as resources:
        stack, api, workers = await asyncio.to_thread(_start_cluster, cfg, env,
                                                      artifacts_dir, resources)
        client = api.client()
        resources.callback(client.close)
        async with lkapi.LiveKitAPI(cfg.livekit_http_url, cfg.api_key, cfg.api_secret) as lk:
            yield Cluster(stack, api, workers, provision(client), lk)


@pytest.fixture(scope="module")
def phone_stack(cluster: Cluster) -> LocalStack:
    return cluster.stack


def _server_log(cluster: Cluster, node: int) -> str:
    return (cluster.stack.log_dir / f"livekit-server{LocalStack.node_suffix(node)}.log"
            ).read_text(errors="replace")


def _sample(text: str, name: str, **labels: str) -> float:
    """The value of one sample in a Prometheus text exposition (0 if absent)."""
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name == name and labels.items() <= sample.labels.items():
                return float(sample.value)
    return 0.0


def greeting(record: dict) -> bool:
    """An agent took the call and starts greeting (the greeting's transcript, which
    `greeted` waits for, is written only after the whole welcome was spoken)."""
    return bool(events_of(record, "greeting"))


async def _answered(cluster: Cluster, number: str, known: set[str]) -> dict:
    record = await asyncio.to_thread(cluster.directory.wait_for_call, number, greeting,
                                     "an answered call", known, 60)
    known.add(record["id"])
    return record


async def _ensure_worker(cluster: Cluster, index: int) -> None:
    worker = cluster.workers[index]
    if worker.exited() is not None:  # killed by the test before
        await asyncio.to_thread(worker.restart)


async def test_calls_through_either_node_are_answered_and_jobs_spread_over_both_workers(
        cluster: Cluster, phone) -> None:
    for node in (0, 1):  # each worker registered through its own node
        assert "worker registered" in _server_log(cluster, node)
    number = cluster.directory.numbers["sales"]
    known = {c["id"] for c in cluster.directory.calls_to(number)}
    ringing, rooms = [], []
    for node in (0, 1, 0):  # node 1's livekit-sip, node 2's, node 1's
        ringing.append(await hold_call(phone, number, node=node))
        rooms.append((await _answered(cluster, number, known))["room_name"])
    takers = [await cluster.taker(room) for room in rooms]
    assert sorted(set(takers)) == [0, 1], takers  # both workers took calls

    async def api_sees_them() -> bool:
        text = (await asyncio.to_thread(httpx.get, f"{cluster.api.base_url}/metrics")).text
        return (_sample(text, "cc_workers") == 2
                and _sample(text, "cc_agents_active_calls") == 3
                and _sample(text, "cc_calls_active", department="sales", source="sip") == 3)

    await until(api_sees_them, "the API's /metrics showing 2 workers and 3 calls", 20)
    for room in rooms:
        await end_call(cluster.lk, room)
    for call in ringing:
        assert (await call).result.returncode == 0

    for index, worker in enumerate(cluster.workers):  # each worker's /metrics: its calls
        took = float(takers.count(index))

        def counted(w: WorkerProcess = worker, n: float = took) -> bool:
            text = w.metrics()
            return (_sample(text, "cc_calls_answered_total", department="sales",
                            source="sip") == n
                    and _sample(text, "cc_answer_latency_seconds_count", source="sip") == n
                    and _sample(text, "cc_calls_ended_total", department="sales",
                                source="sip") == n
                    and _sample(text, "cc_worker_max_calls", agent_name=w.agent_name)
                    == MAX_CALLS
                    and _sample(text, "cc_worker_load", agent_name=w.agent_name) == 0)

        try:
            await until(lambda c=counted: asyncio.to_thread(c), "the worker's metrics", 20)
        except AssertionError as exc:
            cc = [line for line in worker.metrics().splitlines() if line.startswith("cc_")]
            raise AssertionError(f"worker {index + 1} took {took:.0f} calls; its "
                                 "metrics:\n" + "\n".join(cc)) from exc
        assert _sample(worker.metrics(), "cc_answer_latency_seconds_sum", source="sip") > 0


async def test_a_killed_workers_call_is_recorded_lost_and_new_calls_go_to_the_survivor(
        cluster: Cluster, phone) -> None:
    for index in (0, 1):
        await _ensure_worker(cluster, index)
    number = cluster.directory.numbers["complaints"]
    known = {c["id"] for c in cluster.directory.calls_to(number)}
    ringing = await hold_call(phone, number, node=1)
    first = await _answered(cluster, number, known)
    victim = await cluster.taker(first["room_name"])
    survivor = cluster.workers[1 - victim]
    os.killpg(cluster.workers[victim].pid or 0, signal.SIGKILL)  # the worker and its calls

    async def closed() -> dict | None:
        record = await asyncio.to_thread(cluster.directory.call, first["id"])
        return record if record["status"] == "ended" else None

    lost = await until(closed, "the lost call's record closed")
    assert lost["end_reason"] == "agent_lost"  # type: ignore[index]
    resumed = await asyncio.to_thread(
        cluster.directory.wait_for_call, number,
        lambda r: r["parent_call_id"] == first["id"] and greeting(r),
        "the caller answered again", known, 60)
    known.add(resumed["id"])
    assert await logged_call([survivor], first["room_name"])
    fresh = await hold_call(phone, number, node=0)
    second = await _answered(cluster, number, known)
    assert await logged_call([survivor], second["room_name"])
    for room in (first["room_name"], second["room_name"]):
        await end_call(cluster.lk, room)
    for call in (ringing, fresh):
        assert (await call).result.returncode == 0


async def test_with_one_node_stopped_the_other_serves_new_calls(cluster: Cluster,
                                                                 phone) -> None:
    await _ensure_worker(cluster, 0)  # node 1's (node 2's worker goes with its node)
    # no call left from an earlier test: livekit-sip and livekit-server wait for their calls
    # before they leave the cluster, and a node killed instead stays in its node list
    for room in (await cluster.lk.room.list_rooms(lkapi.ListRoomsRequest())).rooms:
        await end_call(cluster.lk, room.name)
    for proc in reversed(cluster.stack.node_processes(1)):  # node 2: livekit-sip, server
        await asyncio.to_thread(proc.stop)
    number = cluster.directory.numbers["reception"]
    known = {c["id"] for c in cluster.directory.calls_to(number)}
    ringing, rooms = [], []
    for _ in range(2):  # rooms go to the node left (node 2 left the cluster's node list)
        ringing.append(await hold_call(phone, number, node=0))
        rooms.append((await _answered(cluster, number, known))["room_name"])
    assert [await cluster.taker(room) for room in rooms] == [0, 0]  # the worker on node 1
    for room in rooms:
        await end_call(cluster.lk, room)
    for call in ringing:
        assert (await call).result.returncode == 0
