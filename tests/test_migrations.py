"""Alembic history on SQLite and PostgreSQL: up to head, down to base, up again; and the
models agree with the migrations (`alembic check`)."""

from __future__ import annotations

import pytest
from alembic import command
from sqlalchemy import func, inspect, select

from core.db import make_engine
from core.migrate import alembic_config, downgrade, upgrade
from core.models import Department, KnowledgeEntry, RoutingExample
from tests.support.fixtures import BACKENDS, database_url, pg_server  # noqa: F401

TABLES = {"departments", "phone_numbers", "trunks", "call_records", "call_events",
          "routing_examples", "knowledge_entries"}


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
            per_language = conn.execute(
                select(Department.slug, RoutingExample.language, func.count())
                .join(RoutingExample.department)
                .group_by(Department.slug, RoutingExample.language)).all()
            facts = conn.execute(select(KnowledgeEntry.key, KnowledgeEntry.example)).all()
        assert {"reception", "sales", "complaints"} <= seeded
        assert {(slug, lang) for slug, lang, n in per_language if n >= 40} == \
            {(s, lang) for s in ("reception", "sales", "complaints") for lang in ("ar", "en")}
        assert {"hours", "address", "plans"} <= {key for key, _ in facts}
        assert all(example for _, example in facts)  # seeded facts are marked as examples

        downgrade("base", url)
        assert not TABLES & set(inspect(engine).get_table_names())

        upgrade("head", url)
        assert TABLES <= set(inspect(engine).get_table_names())
        command.check(alembic_config(url))  # raises if models and migrations drifted
    finally:
        engine.dispose()
