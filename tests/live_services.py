"""Session fixtures for the product's own processes in live tests, shared by the agent,
telephony and browser tests: one migrated SQLite DB, one agent worker
(`contact-center agent start`, offline providers) and one API server (`contact-center api`),
all pointed at the live LiveKit stack with the same agent name."""

from __future__ import annotations

import dataclasses
import os
import secrets
import signal
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from app import db as app_db
from app.config import get_settings
from sip.stack import LocalStack
from sip.stack.probes import free_port

REPO_ROOT = Path(__file__).resolve().parents[1]
PROVIDER_ENV = ("OPENAI_API_KEY", "OPENAI_BASE_URL", "ELEVEN_API_KEY", "TTS_PROVIDER")
ADMIN_KEY = "test-admin-" + secrets.token_hex(8)


def _clear_caches() -> None:
    get_settings.cache_clear()
    app_db.get_engine.cache_clear()
    app_db.get_sessionmaker.cache_clear()


@pytest.fixture(scope="session")
def agent_db(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """DATABASE_URL of a freshly migrated (and seeded) SQLite DB, used by get_settings()."""
    from app.migrate import upgrade

    path = Path(tmp_path_factory.mktemp("agentdb")) / "cc.db"
    url = f"sqlite:///{path}"
    upgrade("head", database_url=url)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("DATABASE_URL", url)
        for name in PROVIDER_ENV:  # offline mode in tests, whatever the developer's env says
            mp.delenv(name, raising=False)
        _clear_caches()
        yield url
    _clear_caches()


@pytest.fixture(scope="session")
def service_env(live_stack: LocalStack, agent_db: str) -> dict[str, str]:
    """Environment shared by the worker and the API processes."""
    cfg = live_stack.cfg
    env = {k: v for k, v in os.environ.items() if k not in PROVIDER_ENV}
    env.update(DATABASE_URL=agent_db, LIVEKIT_URL=cfg.livekit_url, LIVEKIT_API_KEY=cfg.api_key,
               LIVEKIT_API_SECRET=cfg.api_secret, AGENT_NAME=f"cc-test-{secrets.token_hex(3)}",
               ADMIN_API_KEY=ADMIN_KEY, LOG_LEVEL="DEBUG", PYTHONUNBUFFERED="1")
    return env


@dataclasses.dataclass
class ServiceProcess:
    proc: subprocess.Popen[bytes]
    log_path: Path

    def log_text(self) -> str:
        return self.log_path.read_text(errors="replace")

    def wait_until(self, check, what: str, timeout: float) -> None:  # type: ignore[no-untyped-def]
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if check():
                return
            if self.proc.poll() is not None:
                raise AssertionError(f"process exited ({self.proc.returncode}) before {what}; "
                                     f"log: {self.log_path}")
            time.sleep(0.2)
        raise AssertionError(f"no {what} after {timeout}s; log: {self.log_path}")

    def wait_for_log(self, needle: str, timeout: float) -> None:
        self.wait_until(lambda: needle in self.log_text(), repr(needle), timeout)

    def stop(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=5)


def _spawn(argv: list[str], env: dict[str, str], log_name: str, artifacts: Path) -> ServiceProcess:
    log_path = artifacts / f"{log_name}-{time.strftime('%Y%m%d-%H%M%S')}-{os.getpid()}.log"
    with log_path.open("wb") as log:
        proc = subprocess.Popen(argv, cwd=REPO_ROOT, env=env, stdout=log,
                                stderr=subprocess.STDOUT, start_new_session=True)
    return ServiceProcess(proc, log_path)


@dataclasses.dataclass
class WorkerProcess(ServiceProcess):
    agent_name: str = ""


@pytest.fixture(scope="session")
def agent_worker(live_stack: LocalStack, service_env: dict[str, str],
                 artifacts_dir: Path) -> Iterator[WorkerProcess]:
    """`contact-center agent start` against the live stack, offline providers, temp DB."""
    env = {**service_env, "AGENT_HTTP_PORT": str(free_port(live_stack.cfg.host))}
    started = _spawn([str(REPO_ROOT / ".venv/bin/contact-center"), "agent", "start"], env,
                     "agent-worker", artifacts_dir)
    worker = WorkerProcess(started.proc, started.log_path, agent_name=env["AGENT_NAME"])
    try:
        worker.wait_for_log("registered worker", timeout=60)
        yield worker
    finally:
        worker.stop()


@dataclasses.dataclass
class ApiProcess(ServiceProcess):
    base_url: str = ""

    def client(self) -> httpx.Client:
        return httpx.Client(base_url=self.base_url, timeout=30,
                            headers={"Authorization": f"Bearer {ADMIN_KEY}"})


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=1) as resp:  # noqa: S310 (test-local URL)
            return resp.status == 200
    except OSError:
        return False


def start_api(stack: LocalStack, env: dict[str, str], artifacts: Path) -> ApiProcess:
    """`contact-center api` on a free port of the stack's host, healthy when returned."""
    host = stack.cfg.host
    port = free_port(host)
    started = _spawn([str(REPO_ROOT / ".venv/bin/contact-center"), "api"],
                     {**env, "API_HOST": host, "API_PORT": str(port)}, "api-server", artifacts)
    server = ApiProcess(started.proc, started.log_path, base_url=f"http://{host}:{port}")
    try:
        server.wait_until(lambda: _healthy(f"{server.base_url}/health"), "/health", 30)
    except BaseException:
        server.stop()
        raise
    return server


@pytest.fixture(scope="session")
def api_server(live_stack: LocalStack, service_env: dict[str, str],
               artifacts_dir: Path) -> Iterator[ApiProcess]:
    """`contact-center api` on a free port, same DB and agent name as the worker."""
    server = start_api(live_stack, service_env, artifacts_dir)
    try:
        yield server
    finally:
        server.stop()
