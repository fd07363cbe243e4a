"""Alembic history on SQLite and PostgreSQL: up to head, down to base, up again; and the
models agree with the migrations (`alembic check`)."""

from __future__ import annotations

import pytest
from alembic import command
from sqlalchemy import func, insert, inspect, select, text, update

from core.config import get_settings
from core.db import make_engine
from core.encryption import SecretBox
from core.migrate import alembic_config, downgrade, upgrade
from core.models import CallRecord, Department, KnowledgeEntry, RoutingExample
from tests.support.fixtures import BACKENDS, database_url, pg_server  # noqa: F401

TABLES = {"departments", "phone_numbers", "trunks", "call_records", "call_events",
          "routing_examples", "knowledge_entries", "callbacks", "callback_attempts"}


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


@pytest.mark.parametrize("backend", BACKENDS)
def test_0004_encrypts_trunk_passwords_and_widens_the_caller(
        backend: str, request: pytest.FixtureRequest) -> None:
    """Plain-text passwords become encrypted ones (and back on downgrade); the caller column
    takes a long SIP From user, which PostgreSQL refused at 64 characters."""
    url = database_url(backend, request, "cc_migration_0004")
    engine = make_engine(url)
    box = SecretBox.from_settings(get_settings())
    try:
        upgrade("0003", url)
        with engine.begin() as conn:
            conn.execute(text(
                "INSERT INTO trunks (name, direction, allowed_addresses, auth_username, "
                "auth_password, outbound_numbers, sync_status, created_at, updated_at) VALUES "
                "('carrier', 'inbound', '[]', 'u', 'pa55-w0rd', '[]', 'synced', "
                "CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"))
        upgrade("head", url)
        columns = {c["name"] for c in inspect(engine).get_columns("trunks")}
        assert "auth_password" not in columns
        with engine.begin() as conn:
            stored = conn.scalar(text("SELECT auth_password_encrypted FROM trunks"))
            conn.execute(insert(CallRecord).values(
                id="c" * 32, room_name="r", source="sip", caller="7" * 255,
                first_department="sales", current_department="sales", language="en"))
        assert "pa55" not in stored and box.decrypt(stored) == "pa55-w0rd"

        downgrade("0003", url)
        with engine.connect() as conn:
            assert conn.scalar(text("SELECT auth_password FROM trunks")) == "pa55-w0rd"
            assert conn.scalar(text("SELECT caller FROM call_records")) == "7" * 64
    finally:
        engine.dispose()


@pytest.mark.parametrize("backend", BACKENDS)
def test_0007_keeps_departments_cold_and_makes_the_example_hours_fact_live(
        backend: str, request: pytest.FixtureRequest) -> None:
    """Existing departments keep cold transfer; the unedited example "hours" fact answers
    from the department's own hours (and back on downgrade); an edited one is left alone."""
    url = database_url(backend, request, "cc_migration_0007")
    engine = make_engine(url)
    hours = select(KnowledgeEntry.answers, KnowledgeEntry.questions).where(
        KnowledgeEntry.key == "hours")
    try:
        upgrade("0005", url)
        with engine.connect() as conn:
            before = conn.execute(hours).one()
        upgrade("head", url)
        with engine.connect() as conn:
            answers, questions = conn.execute(hours).one()
            modes = set(conn.scalars(select(Department.transfer_mode)))
        assert modes == {"cold"}
        assert answers == {"en": "{hours_now} {hours}", "ar": "{hours_now} {hours}"}
        assert "are you open now" in questions["en"] and \
            set(before.questions["en"]) < set(questions["en"])

        downgrade("0005", url)
        with engine.connect() as conn:
            assert tuple(conn.execute(hours).one()) == tuple(before)
        with engine.begin() as conn:  # an operator's own answer survives the upgrade
            conn.execute(update(KnowledgeEntry).where(KnowledgeEntry.key == "hours")
                         .values(answers={"en": "Open 8 to 8."}))
        upgrade("head", url)
        with engine.connect() as conn:
            assert conn.execute(hours).one().answers == {"en": "Open 8 to 8."}
    finally:
        engine.dispose()


@pytest.mark.parametrize("backend", BACKENDS)
def test_0010_adds_the_second_batch_of_examples_and_variants_to_example_facts(
        backend: str, request: pytest.FixtureRequest) -> None:
    """A database made before the second batch gets its examples (none twice) and the new
    question variants of the example facts; a fact the operator replaced is left alone."""
    from app.seed import default_routing_examples

    url = database_url(backend, request, "cc_migration_0010")
    engine = make_engine(url)
    batch2 = {r["text"] for r in default_routing_examples(("batch2",))}
    count = select(func.count()).select_from(RoutingExample)
    entry = select(KnowledgeEntry.questions).where(KnowledgeEntry.key == "address")
    try:
        upgrade("0009", url)
        with engine.begin() as conn:
            before = conn.scalar(count)
            assert not batch2 & set(conn.scalars(select(RoutingExample.text)))
            dept = conn.scalar(select(Department.id).where(Department.slug == "sales"))
            conn.execute(insert(RoutingExample).values(  # the operator had one already
                department_id=dept, language="ar",
                text=next(r["text"] for r in default_routing_examples(("batch2",))
                          if r["department"] == "sales" and r["language"] == "ar")))
            seeded = conn.execute(entry).scalar_one()
            conn.execute(update(KnowledgeEntry).where(KnowledgeEntry.key == "address")
                         .values(questions={**seeded, "ar": seeded["ar"][:2]}))
            conn.execute(update(KnowledgeEntry).where(KnowledgeEntry.key == "hours")
                         .values(example=False, questions={"en": ["when are you open"]}))
        upgrade("0010", url)
        with engine.connect() as conn:
            assert conn.scalar(count) == before + len(batch2)
            assert conn.execute(entry).scalar_one()["ar"] == seeded["ar"]
            hours = select(KnowledgeEntry.questions).where(KnowledgeEntry.key == "hours")
            assert conn.execute(hours).scalar_one() == {"en": ["when are you open"]}
        downgrade("0009", url)
        with engine.connect() as conn:
            assert conn.scalar(count) == before
    finally:
        engine.dispose()


@pytest.mark.parametrize("revision,previous,batch",
                         [("0011", "0010", "batch3"), ("0012", "0011", "batch4")])
@pytest.mark.parametrize("backend", BACKENDS)
def test_a_later_batch_adds_its_examples_and_variants_to_example_facts(
        backend: str, revision: str, previous: str, batch: str,
        request: pytest.FixtureRequest) -> None:
    """A database at the revision before gets the batch (none twice) and the question variants
    added since; a fact the operator replaced is left alone; downgrade removes the batch again."""
    from app.seed import default_knowledge, default_routing_examples

    url = database_url(backend, request, f"cc_migration_{revision}")
    engine = make_engine(url)
    added = {r["text"] for r in default_routing_examples((batch,))}
    count = select(func.count()).select_from(RoutingExample)
    entry = select(KnowledgeEntry.questions).where(KnowledgeEntry.key == "payment")
    try:
        upgrade(previous, url)
        with engine.begin() as conn:
            before = conn.scalar(count)
            assert not added & set(conn.scalars(select(RoutingExample.text)))
            dept = conn.scalar(select(Department.id).where(Department.slug == "complaints"))
            conn.execute(insert(RoutingExample).values(  # the operator had one already
                department_id=dept, language="en",
                text=next(r["text"] for r in default_routing_examples((batch,))
                          if r["department"] == "complaints" and r["language"] == "en")))
            before += 1
            seeded = conn.execute(entry).scalar_one()
            conn.execute(update(KnowledgeEntry).where(KnowledgeEntry.key == "payment")
                         .values(questions={**seeded, "en": seeded["en"][:3]}))
            conn.execute(update(KnowledgeEntry).where(KnowledgeEntry.key == "plans")
                         .values(example=False, questions={"en": ["what does it cost"]}))
        upgrade(revision, url)
        full = next(e["questions"] for e in default_knowledge() if e["key"] == "payment")
        with engine.connect() as conn:
            assert conn.scalar(count) == before + len(added) - 1
            assert conn.execute(entry).scalar_one()["en"] == full["en"]
            plans = select(KnowledgeEntry.questions).where(KnowledgeEntry.key == "plans")
            assert conn.execute(plans).scalar_one() == {"en": ["what does it cost"]}
        downgrade(previous, url)
        with engine.connect() as conn:
            assert conn.scalar(count) == before - 1
    finally:
        engine.dispose()
