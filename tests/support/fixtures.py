"""Database fixtures for SQLite and a real PostgreSQL: migrate once per session with Alembic,
then one outer transaction per test that is rolled back (the app's commits become savepoint
releases), so tests never see each other's rows.

Import into a conftest: `from tests.support.fixtures import *  # noqa: F403`.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from pydantic import SecretStr
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from app.deps import get_session
from app.main import create_app
from core.config import Settings, get_settings
from core.db import make_engine
from core.migrate import upgrade
from livekit_stack.probes import free_port
from tests.conftest import TEST_HOST
from tests.support.environment import environment
from tests.support.postgres import PostgresServer, PostgresUnavailable

ADMIN_KEY = "test-admin-key-0123456789"
BACKENDS = ["sqlite", "postgres"]

_pg: dict[str, object] = {"server": None, "users": 0}


@pytest.fixture(scope="session")
def pg_server() -> Iterator[PostgresServer]:
    """One private Postgres for the whole session, however many conftests import this."""
    if _pg["server"] is None:
        try:
            _pg["server"] = PostgresServer(host=TEST_HOST).start()
        except PostgresUnavailable as exc:
            pytest.fail(f"PostgreSQL leg cannot run: {exc}", pytrace=False)
    _pg["users"] = int(_pg["users"]) + 1  # type: ignore[call-overload]
    server = _pg["server"]
    assert isinstance(server, PostgresServer)
    try:
        yield server
    finally:
        _pg["users"] = int(_pg["users"]) - 1  # type: ignore[call-overload]
        if _pg["users"] == 0:
            server.stop()
            _pg["server"] = None


def database_url(backend: str, request: pytest.FixtureRequest, name: str) -> str:
    if backend == "postgres":
        return request.getfixturevalue("pg_server").create_database(name)
    path: Path = request.getfixturevalue("tmp_path_factory").mktemp(name) / "test.db"
    return f"sqlite:///{path}"


def _savepoint_capable(engine: Engine) -> Engine:
    """pysqlite's own transaction handling breaks SAVEPOINT; let SQLAlchemy emit BEGIN."""
    if engine.dialect.name == "sqlite":
        @event.listens_for(engine, "connect")
        def _no_driver_tx(dbapi_conn, _record):  # type: ignore[no-untyped-def]
            dbapi_conn.isolation_level = None

        @event.listens_for(engine, "begin")
        def _begin(conn):  # type: ignore[no-untyped-def]
            conn.exec_driver_sql("BEGIN")
    return engine


_engines: dict[str, Engine] = {}


@pytest.fixture(params=BACKENDS)
def db_engine(request: pytest.FixtureRequest) -> Engine:
    """A migrated database per backend (created on first use in the session)."""
    backend = request.param
    if backend not in _engines:
        url = database_url(backend, request, "cc_tests")
        upgrade("head", url)
        _engines[backend] = _savepoint_capable(make_engine(url))
    return _engines[backend]


@pytest.fixture
def db(db_engine: Engine) -> Iterator[Session]:
    connection = db_engine.connect()
    outer = connection.begin()
    session = Session(bind=connection, join_transaction_mode="create_savepoint",
                      expire_on_commit=False)
    try:
        yield session
    finally:
        session.close()
        outer.rollback()
        connection.close()


@pytest.fixture(params=BACKENDS)
def process_db(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A fresh migrated database of each backend as this process's DATABASE_URL, for code
    that opens its own sessions (session_scope()): the agent's call records, the webhook
    delivery loop."""
    url = database_url(request.param, request, "cc_process")
    upgrade("head", url)
    with environment(monkeypatch, DATABASE_URL=url):
        yield url


@pytest.fixture
def settings() -> Settings:
    """No LiveKit by default: auto-sync off, and a closed port if something syncs anyway."""
    return Settings(_env_file=None, admin_api_key=SecretStr(ADMIN_KEY), sip_auto_sync=False,
                    livekit_url=f"http://{TEST_HOST}:{free_port(TEST_HOST)}",
                    livekit_timeout_seconds=2.0)


@pytest.fixture
def app(db: Session, settings: Settings) -> FastAPI:
    application = create_app()

    def session_override() -> Iterator[Session]:
        try:
            yield db
            db.commit()
        except BaseException:
            db.rollback()
            raise

    application.dependency_overrides[get_session] = session_override
    application.dependency_overrides[get_settings] = lambda: settings
    return application


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app, headers={"Authorization": f"Bearer {ADMIN_KEY}"}) as test_client:
        yield test_client
