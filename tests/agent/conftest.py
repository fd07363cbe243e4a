"""Agent fixtures: a migrated temp SQLite DB (the seeded departments are the personas), offline
providers, and a text-only AgentSession driven by livekit's own test harness."""

from __future__ import annotations

import dataclasses
import os
import secrets
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from livekit.agents import AgentSession

from agent.assistant import PersonaAgent
from agent.personas import PersonaDirectory, load_directory
from agent.providers import build_providers
from agent.state import CallState
from app import db as app_db
from app.config import Settings, get_settings
from sip.stack.probes import free_port

REPO_ROOT = Path(__file__).resolve().parents[2]

PROVIDER_ENV = ("OPENAI_API_KEY", "OPENAI_BASE_URL", "ELEVEN_API_KEY", "TTS_PROVIDER")


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


@pytest.fixture
def settings(agent_db: str) -> Settings:
    s = get_settings()
    assert s.database_url == agent_db
    return s


@pytest.fixture
def directory(settings: Settings) -> PersonaDirectory:
    return load_directory(settings)


@pytest.fixture
def make_state(settings: Settings, directory: PersonaDirectory):  # type: ignore[no-untyped-def]
    def make(department: str = "reception", language: str = "ar", **kw) -> CallState:  # type: ignore[no-untyped-def]
        d = kw.pop("directory", directory)
        return CallState(room_name=kw.pop("room_name", "test-room"), department=department,
                         language=language, directory=d, providers=build_providers(settings, d),
                         **kw)
    return make


@pytest.fixture
async def start_call(make_state):  # type: ignore[no-untyped-def]
    """start_call(department, language, **state) -> (session, state, greeting RunResult)."""
    sessions: list[AgentSession] = []

    async def start(department: str = "reception", language: str = "ar", *,  # type: ignore[no-untyped-def]
                    directory: PersonaDirectory | None = None, **kw):
        if directory is not None:
            kw["directory"] = directory
        state = make_state(department, language, **kw)
        session = AgentSession[CallState](llm=state.providers.llm, userdata=state)
        sessions.append(session)
        greeting = await session.start(PersonaAgent(state.persona, state), capture_run=True)
        return session, state, greeting

    yield start
    for session in sessions:
        await session.aclose()


# ---------------------------------------------------------------------------------------------
# live: the real worker as a subprocess against the real local LiveKit stack


@dataclasses.dataclass
class WorkerProcess:
    proc: subprocess.Popen[bytes]
    log_path: Path
    agent_name: str

    def log_text(self) -> str:
        return self.log_path.read_text(errors="replace")

    def wait_for_log(self, needle: str, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if needle in self.log_text():
                return
            if self.proc.poll() is not None:
                raise AssertionError(f"agent worker exited ({self.proc.returncode}); "
                                     f"log: {self.log_path}")
            time.sleep(0.2)
        raise AssertionError(f"{needle!r} not in the worker log after {timeout}s: {self.log_path}")


@pytest.fixture(scope="session")
def agent_worker(live_stack, agent_db: str, artifacts_dir: Path) -> Iterator[WorkerProcess]:  # type: ignore[no-untyped-def]
    """`contact-center agent start` against the live stack, offline providers, temp DB."""
    cfg = live_stack.cfg
    name = f"cc-test-{secrets.token_hex(3)}"
    env = {k: v for k, v in os.environ.items() if k not in PROVIDER_ENV}
    env.update(DATABASE_URL=agent_db, LIVEKIT_URL=cfg.livekit_url, LIVEKIT_API_KEY=cfg.api_key,
               LIVEKIT_API_SECRET=cfg.api_secret, AGENT_NAME=name, LOG_LEVEL="DEBUG",
               AGENT_HTTP_PORT=str(free_port(cfg.host)), PYTHONUNBUFFERED="1")
    log_path = artifacts_dir / f"agent-worker-{time.strftime('%Y%m%d-%H%M%S')}-{os.getpid()}.log"
    with log_path.open("wb") as log:
        proc = subprocess.Popen([str(REPO_ROOT / ".venv/bin/contact-center"), "agent", "start"],
                                cwd=REPO_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
                                start_new_session=True)
    worker = WorkerProcess(proc, log_path, name)
    try:
        worker.wait_for_log("registered worker", timeout=60)
        yield worker
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=5)
