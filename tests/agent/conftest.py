"""Agent fixtures: offline providers and a text-only AgentSession driven by livekit's own test
harness, over the migrated temp DB of tests/conftest.py (`agent_db`)."""

from __future__ import annotations

import pytest
from livekit.agents import AgentSession

from agent.assistant import PersonaAgent
from agent.personas import PersonaDirectory, load_directory
from agent.providers import build_providers
from agent.state import CallState
from core.config import Settings, get_settings
from tests.support.fixtures import pg_server, process_db  # noqa: F401


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
        providers = kw.pop("providers", None) or build_providers(settings, d)
        return CallState(room_name=kw.pop("room_name", "test-room"), department=department,
                         language=language, directory=d, providers=providers, **kw)
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
