"""Shared fixtures. The live stack is real: Redis + livekit-server + livekit-sip on free ports,
bound to CC_TEST_HOST_IP (the private network namespace `make test` creates) or loopback.
One stack per test session; logs kept under test-artifacts/ and printed when a test fails."""

from __future__ import annotations

import os
import secrets
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from livekit import api as lkapi

from app.supervision.webhook import LIVEKIT_WEBHOOK_PATH
from livekit_stack import LocalStack, StackConfig, StackError, StackPorts
from livekit_stack.probes import free_port

pytest_plugins = ["tests.live_services"]

REPO_ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = REPO_ROOT / "test-artifacts"
TEST_HOST = os.environ.get("CC_TEST_HOST_IP", "127.0.0.1")

_stacks: list[LocalStack] = []


def report_logs(stack: LocalStack) -> None:
    """Show the tails of `stack`'s logs if the session fails (as the session stack's)."""
    _stacks.append(stack)


@pytest.fixture(scope="session")
def artifacts_dir() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


@pytest.fixture(scope="session")
def live_stack(artifacts_dir: Path) -> Iterator[LocalStack]:
    """The real local LiveKit stack for this test session (missing binary = failure)."""
    # the session's API server (tests/live_services.py) will listen on this port: LiveKit's
    # webhooks reach its call supervision
    webhook = f"http://{TEST_HOST}:{free_port(TEST_HOST)}{LIVEKIT_WEBHOOK_PATH}"
    cfg = StackConfig(
        host=TEST_HOST,
        webhook_urls=(webhook,),
        ports=StackPorts.free(TEST_HOST),
        api_key="testkey",
        api_secret=secrets.token_hex(24),
        workdir=artifacts_dir / f"stack-{time.strftime('%Y%m%d-%H%M%S')}-{os.getpid()}",
        log_level="debug",
    )
    stack = LocalStack(cfg, start_timeout=45)
    try:
        stack.start()
    except StackError as exc:
        pytest.fail(f"local LiveKit stack did not start: {exc}", pytrace=False)
    report_logs(stack)
    try:
        yield stack
    finally:
        stack.stop()


@pytest.fixture
async def lk(live_stack: LocalStack) -> AsyncIterator[lkapi.LiveKitAPI]:
    """A livekit-api client for the live stack."""
    cfg = live_stack.cfg
    client = lkapi.LiveKitAPI(cfg.livekit_http_url, cfg.api_key, cfg.api_secret)
    try:
        yield client
    finally:
        await client.aclose()


def pytest_terminal_summary(terminalreporter, exitstatus, config):  # type: ignore[no-untyped-def]
    """On failure, show where the stack logs are and their last lines."""
    if exitstatus == 0:
        return
    for stack in _stacks:
        terminalreporter.section(f"live stack logs in {stack.log_dir}")
        for log in sorted(stack.log_dir.glob("*.log")):
            lines = log.read_text(errors="replace").splitlines()[-15:]
            terminalreporter.write_line(f"--- {log.name} (last {len(lines)} lines)")
            for line in lines:
                terminalreporter.write_line(line[:300])
