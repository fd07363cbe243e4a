"""LiveKit stopped: changes are still saved (pending, with the reason); once it is back, the
next sync repairs everything. Uses a private stack so the session's stack stays up."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from pydantic import SecretStr

from core.config import Settings
from livekit_stack import LocalStack, StackConfig, StackError, StackPorts
from tests.conftest import TEST_HOST
from tests.support import factories
from tests.support.fixtures import ADMIN_KEY


@pytest.fixture
def own_stack_cfg(artifacts_dir: Path, tmp_path: Path) -> StackConfig:
    return StackConfig(host=TEST_HOST, ports=StackPorts.free(TEST_HOST), api_key="downkey",
                       api_secret=secrets.token_hex(24),
                       workdir=artifacts_dir / f"stack-down-{tmp_path.name}")


@pytest.fixture
def stacks() -> Iterator[list[LocalStack]]:
    """Every stack the test starts is stopped at the end, whatever happens."""
    started: list[LocalStack] = []
    yield started
    for stack in started:
        stack.stop()


def _start(cfg: StackConfig, started: list[LocalStack]) -> LocalStack:
    stack = LocalStack(cfg, start_timeout=45)
    started.append(stack)
    try:
        return stack.start()
    except StackError as exc:
        pytest.fail(f"private LiveKit stack did not start: {exc}", pytrace=False)


async def test_change_saved_while_livekit_is_down_then_repaired(
        app: FastAPI, settings: Settings, db, own_stack_cfg: StackConfig,  # type: ignore[no-untyped-def]
        stacks: list[LocalStack]) -> None:
    cfg = own_stack_cfg
    settings.livekit_url, settings.livekit_api_key = cfg.livekit_http_url, cfg.api_key
    settings.livekit_api_secret, settings.sip_auto_sync = SecretStr(cfg.api_secret), True
    sales, billing = factories.department(db), factories.department(db)
    client = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://cc.test",
                               headers={"Authorization": f"Bearer {ADMIN_KEY}"})
    async with client:
        stack = _start(cfg, stacks)
        num = (await client.post("/api/v1/numbers", json={
            "e164": factories.next_e164(), "department_id": sales.id})).json()
        assert num["sync_status"] == "synced"

        stack.stop()
        moved = await client.patch(f"/api/v1/numbers/{num['id']}",
                                   json={"department_id": billing.id})
        assert moved.status_code == 200, moved.text
        body = moved.json()
        assert body["department"] == billing.slug  # saved regardless
        assert body["sync_status"] == "pending" and "unreachable" in body["sync_error"]
        extra = await client.post("/api/v1/numbers", json={
            "e164": factories.next_e164(), "department_id": sales.id})
        assert extra.status_code == 201 and extra.json()["sync_status"] == "pending"
        failed = (await client.post("/api/v1/sip/sync")).json()
        assert not failed["ok"] and "unreachable" in failed["error"]

        _start(cfg, stacks)  # same ports, empty Redis: LiveKit lost everything too
        repaired = (await client.post("/api/v1/sip/sync")).json()
        assert repaired["ok"], repaired
        assert repaired["writes"] == 3  # default trunk + 2 rules, recreated
        for number_id in (num["id"], extra.json()["id"]):
            row = (await client.get(f"/api/v1/numbers/{number_id}")).json()
            assert row["sync_status"] == "synced" and row["sync_error"] is None
            assert row["livekit_rule_id"]
