"""Agent fixtures: a migrated temp SQLite DB (the seeded departments are the personas), offline
providers, and a text-only AgentSession driven by livekit's own test harness."""

from __future__ import annotations

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
