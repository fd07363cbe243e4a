"""Token-endpoint fixtures: a migrated (seeded) temp SQLite DB and an app built from env vars."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from tests.support.environment import clear_settings_caches

API_KEY = "tokentestkey"
API_SECRET = "token-test-secret-0123456789abcdef0123"
ADMIN_KEY = "token-test-admin-key-0123456789"


@pytest.fixture(scope="session")
def token_db(tmp_path_factory: pytest.TempPathFactory) -> str:
    from core.migrate import upgrade

    url = f"sqlite:///{Path(tmp_path_factory.mktemp('tokendb')) / 'cc.db'}"
    upgrade("head", database_url=url)
    return url


@pytest.fixture
def make_client(token_db: str, monkeypatch: pytest.MonkeyPatch
                ) -> Iterator[Callable[..., TestClient]]:
    """make_client(TOKEN_RATE_LIMIT_PER_MINUTE="3", ...) -> a TestClient on a fresh app."""
    clients: list[TestClient] = []

    def make(**env: str) -> TestClient:
        from app.main import create_app

        base = {"DATABASE_URL": token_db, "LIVEKIT_URL": "ws://10.0.0.9:7880",
                "LIVEKIT_API_KEY": API_KEY, "LIVEKIT_API_SECRET": API_SECRET,
                "ADMIN_API_KEY": ADMIN_KEY, "AGENT_NAME": "cc-test-agent",
                "TOKEN_RATE_LIMIT_PER_MINUTE": "1000"}
        for name in ("LIVEKIT_PUBLIC_URL", "TOKEN_REQUIRES_AUTH", "TOKEN_TTL_SECONDS",
                     "NODE_MODULES_DIR"):
            monkeypatch.delenv(name, raising=False)
        for name, value in {**base, **env}.items():
            monkeypatch.setenv(name, value)
        clear_settings_caches()
        client = TestClient(create_app())
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.close()
    clear_settings_caches()


@pytest.fixture
def client(make_client: Callable[..., TestClient]) -> TestClient:
    return make_client()
