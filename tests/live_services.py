"""Session fixtures for the product's own processes in live tests, shared by the agent,
telephony and browser tests: one migrated SQLite DB, one agent worker
(`contact-center agent start`, offline providers) and one API server (`contact-center api`),
all pointed at the live LiveKit stack with the same agent name."""

from __future__ import annotations

import os
import secrets
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlparse

import httpx
import pytest

from livekit_stack import LocalStack, StackConfig
from livekit_stack.probes import free_port, http_ok
from livekit_stack.processes import ManagedProcess, wait_until
from tests.support.environment import clear_settings_caches

REPO_ROOT = Path(__file__).resolve().parents[1]
PROVIDER_ENV = ("OPENAI_API_KEY", "OPENAI_BASE_URL", "ELEVEN_API_KEY", "TTS_PROVIDER",
                "STT_PROVIDER", "SPEECH_URL", "SPEECH_API_KEY", "SPEECH_MODELS")
ADMIN_KEY = "test-admin-" + secrets.token_hex(8)


def migrated_sqlite(tmp_path_factory: pytest.TempPathFactory, name: str) -> str:
    """DATABASE_URL of a freshly migrated (and seeded) SQLite DB."""
    from core.migrate import upgrade

    url = f"sqlite:///{Path(tmp_path_factory.mktemp(name)) / 'cc.db'}"
    upgrade("head", database_url=url)
    return url


@pytest.fixture(scope="session")
def agent_db(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """DATABASE_URL of a freshly migrated (and seeded) SQLite DB, used by get_settings()."""
    url = migrated_sqlite(tmp_path_factory, "agentdb")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("DATABASE_URL", url)
        for name in PROVIDER_ENV:  # offline mode in tests, whatever the developer's env says
            mp.delenv(name, raising=False)
        clear_settings_caches()
        yield url
    clear_settings_caches()


def product_env(cfg: StackConfig, database_url: str, **extra: str) -> dict[str, str]:
    """Environment of the product's processes (workers, API) against the stack `cfg`: its
    keys, a fresh agent name, the test admin key; no provider keys (the offline mode)."""
    env = {k: v for k, v in os.environ.items() if k not in PROVIDER_ENV}
    env.update(DATABASE_URL=database_url, LIVEKIT_URL=cfg.livekit_url,
               LIVEKIT_API_KEY=cfg.api_key, LIVEKIT_API_SECRET=cfg.api_secret,
               AGENT_NAME=f"cc-test-{secrets.token_hex(3)}", ADMIN_API_KEY=ADMIN_KEY,
               LOG_LEVEL="DEBUG", PYTHONUNBUFFERED="1", **extra)
    return env


@pytest.fixture(scope="session")
def service_env(live_stack: LocalStack, agent_db: str, speech_service: SpeechProcess,
                tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """Environment shared by the worker and the API processes (the shared API delivers no
    webhooks and places no callbacks: the tests of those run their own API processes)."""
    return product_env(live_stack.cfg, agent_db, SPEECH_URL=speech_service.url,
                       SPEECH_AUTOSTART="false",
                       RECORDINGS_DIR=str(tmp_path_factory.mktemp("recordings")),
                       WEBHOOK_DELIVERY="false", CALLBACK_SCHEDULER="false")


class ServiceProcess(ManagedProcess):
    """One of the product's own processes in a live test or benchmark: a ManagedProcess
    (own process group, log file, TERM then KILL on stop) run from the repository root,
    with deadline waits."""

    def __init__(self, name: str, argv: list[str], env: dict[str, str], log_path: Path):
        super().__init__(name, argv, log_path, env, cwd=REPO_ROOT)

    def log_text(self) -> str:
        return self.log_path.read_text(errors="replace")

    def wait_until(self, check, what: str, timeout: float) -> None:  # type: ignore[no-untyped-def]
        wait_until(check, what=what, timeout=timeout, process=self, interval=0.2)

    def wait_for_log(self, needle: str, timeout: float) -> None:
        self.wait_until(lambda: needle in self.log_text(), repr(needle), timeout)


def log_path_for(artifacts: Path, name: str) -> Path:
    return artifacts / f"{name}-{time.strftime('%Y%m%d-%H%M%S')}-{os.getpid()}.log"


class SpeechProcess(ServiceProcess):
    url = ""  # its OpenAI-compatible base URL (.../v1)

    def metrics(self) -> str:
        return httpx.get(self.url.removesuffix("/v1") + "/metrics", timeout=10).text


@pytest.fixture(scope="session")
def speech_service(live_stack: LocalStack, artifacts_dir: Path) -> Iterator[SpeechProcess]:
    """`contact-center speech` (the packaged Whisper models) for every live test's worker."""
    host = live_stack.cfg.host
    port = free_port(host)
    env = {k: v for k, v in os.environ.items() if k not in PROVIDER_ENV}
    service = SpeechProcess("speech", [str(REPO_ROOT / ".venv/bin/contact-center"), "speech",
                                       "--host", host, "--port", str(port)],
                            {**env, "PYTHONUNBUFFERED": "1"},
                            log_path_for(artifacts_dir, "speech"))
    service.url = f"http://{host}:{port}/v1"
    service.start()
    try:
        service.wait_until(lambda: http_ok(f"http://{host}:{port}/health"), "speech /health",
                           90)
        yield service
    finally:
        service.stop()


class WorkerProcess(ServiceProcess):
    agent_name = ""
    base_env: dict[str, str] = {}  # noqa: RUF012 (set per instance by the fixture)
    metrics_url = ""  # its Prometheus /metrics (AGENT_METRICS_PORT)

    def metrics(self) -> str:
        return httpx.get(self.metrics_url, timeout=10).text

    def registrations(self) -> int:
        return self.log_text().count("registered worker")

    def restart(self, **env: str) -> None:
        """Stop (if running) and start again with `env` on top of the session's, then wait
        until it registered with LiveKit; restart() with no env restores the session's."""
        before = self.registrations()
        self.stop()
        self.env = {**self.base_env, **env}
        self.start()
        self.wait_until(lambda: self.registrations() > before, "registered worker", 60)


def launch_worker(host: str, env: dict[str, str], artifacts: Path,
                  name: str = "agent-worker") -> WorkerProcess:
    """`contact-center agent start` with `env`, its HTTP and metrics ports free ones on
    `host`; started, not yet registered."""
    metrics_port = free_port(host)
    env = {**env, "AGENT_HTTP_PORT": str(free_port(host)),
           "AGENT_METRICS_PORT": str(metrics_port)}
    worker = WorkerProcess(name, [str(REPO_ROOT / ".venv/bin/contact-center"), "agent",
                                  "start"], env, log_path_for(artifacts, name))
    worker.agent_name = env["AGENT_NAME"]
    worker.base_env = env
    worker.metrics_url = f"http://{host}:{metrics_port}/metrics"
    worker.start()
    return worker


@pytest.fixture(scope="session")
def agent_worker(live_stack: LocalStack, service_env: dict[str, str],
                 artifacts_dir: Path) -> Iterator[WorkerProcess]:
    """`contact-center agent start` against the live stack, offline providers, temp DB."""
    worker = launch_worker(live_stack.cfg.host, service_env, artifacts_dir)
    try:
        worker.wait_for_log("registered worker", timeout=60)
        yield worker
    finally:
        worker.stop()


class ApiProcess(ServiceProcess):
    base_url = ""

    def client(self) -> httpx.Client:
        return httpx.Client(base_url=self.base_url, timeout=30,
                            headers={"Authorization": f"Bearer {ADMIN_KEY}"})


def start_api(host: str, env: dict[str, str], artifacts: Path,
              name: str = "api-server", port: int | None = None) -> ApiProcess:
    """`contact-center api` on `port` (default a free one) of `host` (the stack's), healthy
    when returned."""
    port = port or free_port(host)
    server = ApiProcess(name, [str(REPO_ROOT / ".venv/bin/contact-center"), "api"],
                        {**env, "API_HOST": host, "API_PORT": str(port)},
                        log_path_for(artifacts, name))
    server.base_url = f"http://{host}:{port}"
    server.start()
    try:
        server.wait_until(lambda: http_ok(f"{server.base_url}/health"), "/health", 30)
    except BaseException:
        server.stop()
        raise
    return server


@pytest.fixture(scope="session")
def api_server(live_stack: LocalStack, service_env: dict[str, str],
               artifacts_dir: Path) -> Iterator[ApiProcess]:
    """`contact-center api` where the stack sends its webhooks, same DB and agent name as
    the worker."""
    webhook = urlparse(live_stack.cfg.webhook_urls[0])
    server = start_api(live_stack.cfg.host, service_env, artifacts_dir, port=webhook.port)
    try:
        yield server
    finally:
        server.stop()
