"""`contact-center sip sync [--dry-run]` against the live stack, on a migrated SQLite file."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

import pytest
from livekit import api as lkapi
from typer.testing import CliRunner, Result

from cli.main import cli
from core.db import session_scope
from core.migrate import upgrade
from core.models import Department
from livekit_stack import LocalStack
from tests.support import factories
from tests.support.environment import environment
from tests.support.livekit import managed_rules

T = TypeVar("T")


@pytest.fixture
def cli_env(tmp_path: Path, live_stack: LocalStack,
            monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    upgrade("head", url)
    cfg = live_stack.cfg
    with environment(monkeypatch, DATABASE_URL=url, LIVEKIT_URL=cfg.livekit_http_url,
                     LIVEKIT_API_KEY=cfg.api_key, LIVEKIT_API_SECRET=cfg.api_secret,
                     ENVIRONMENT="dev"):
        yield


def _in_thread(fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """The CLI runs its own event loop (asyncio.run); doing that on another thread leaves the
    test session's loop on the main thread alone."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(fn, *args, **kwargs).result(timeout=60)


def _run_cli(*argv: str) -> Result:
    return _in_thread(CliRunner().invoke, cli, list(argv), terminal_width=200)


def _rules_on_server(stack: LocalStack) -> set[str]:
    async def read() -> set[str]:
        cfg = stack.cfg
        async with lkapi.LiveKitAPI(cfg.livekit_http_url, cfg.api_key, cfg.api_secret) as lk:
            return set(await managed_rules(lk))
    return _in_thread(asyncio.run, read())


def test_sip_sync_cli_plans_applies_and_is_then_quiet(
        cli_env: None, clean_livekit: lkapi.LiveKitAPI, live_stack: LocalStack) -> None:
    with session_scope() as session:
        sales = session.query(Department).filter_by(slug="sales").one()
        e164 = factories.number(session, sales).e164

    plan = _run_cli("sip", "sync", "--dry-run")
    assert plan.exit_code == 0, plan.output
    assert "dry run" in plan.output and "create" in plan.output and e164 in plan.output
    assert _rules_on_server(live_stack) == set()

    applied = _run_cli("sip", "sync", "--json")
    assert applied.exit_code == 0, applied.output
    assert json.loads(applied.output)["writes"] == 2
    assert _rules_on_server(live_stack) == {e164}

    quiet = _run_cli("sip", "sync")
    assert quiet.exit_code == 0, quiet.output
    assert "nothing to change" in quiet.output and "writes: 0" in quiet.output
