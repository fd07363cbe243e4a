"""Alembic history on SQLite and PostgreSQL: up to head, down to base, up again; and the
models agree with the migrations (`alembic check`)."""

from __future__ import annotations

import pytest
from alembic import command
from sqlalchemy import inspect, select

from core.db import make_engine
from core.migrate import alembic_config, downgrade, upgrade
from core.models import Department
from tests.support.fixtures import BACKENDS, database_url, pg_server  # noqa: F401

TABLES = {"departments", "phone_numbers", "trunks", "call_records", "call_events"}


@pytest.mark.parametrize("backend", BACKENDS)
def test_upgrade_downgrade_upgrade_and_check(backend: str,
                                             request: pytest.FixtureRequest) -> None:
    url = database_url(backend, request, "cc_migrations")
    engine = make_engine(url)
    try:
        upgrade("head", url)
        assert TABLES <= set(inspect(engine).get_table_names())
        with engine.connect() as conn:
            seeded = set(conn.scalars(select(Department.slug)))
        assert {"reception", "sales", "complaints"} <= seeded

        downgrade("base", url)
        assert not TABLES & set(inspect(engine).get_table_names())

        upgrade("head", url)
        assert TABLES <= set(inspect(engine).get_table_names())
        command.check(alembic_config(url))  # raises if models and migrations drifted
    finally:
        engine.dispose()
