"""a third batch of routing examples (app/seed/routing/batch3/: MSA, Gulf, Levantine,
Egyptian, Iraqi and Maghrebi Arabic, spoken-style English) and more question variants for the
example knowledge entries

Examples are added to the default departments that exist, unless the department has that
line already; question variants only to knowledge entries still marked `example` (facts an
operator replaced are theirs). Downgrade removes the added examples; variants stay.

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-27 12:00:00.000000
"""
from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

from app.seed import default_knowledge, default_routing_examples

revision: str = '0011'
down_revision: str | None = '0010'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BATCH = ("batch3",)
departments = sa.table("departments", sa.column("id", sa.Integer),
                       sa.column("slug", sa.String))
examples = sa.table(
    "routing_examples", sa.column("department_id", sa.Integer), sa.column("language", sa.String),
    sa.column("text", sa.String), sa.column("created_at", sa.DateTime(timezone=True)),
    sa.column("updated_at", sa.DateTime(timezone=True)))
knowledge = sa.table("knowledge_entries", sa.column("id", sa.Integer),
                     sa.column("key", sa.String), sa.column("example", sa.Boolean),
                     sa.column("questions", sa.JSON))


def _batch(conn: sa.Connection) -> list[tuple[int, str, str]]:
    ids = dict(conn.execute(sa.select(departments.c.slug, departments.c.id)).all())
    return [(ids[r["department"]], r["language"], r["text"])
            for r in default_routing_examples(BATCH) if r["department"] in ids]


def upgrade() -> None:
    conn = op.get_bind()
    have = set(conn.execute(sa.select(examples.c.department_id, examples.c.language,
                                      examples.c.text)).all())
    now = datetime.now(UTC)
    rows = [{"department_id": d, "language": lang, "text": text, "created_at": now,
             "updated_at": now} for d, lang, text in dict.fromkeys(_batch(conn))
            if (d, lang, text) not in have]
    if rows:
        op.bulk_insert(examples, rows)
    seeded = {e["key"]: e["questions"] for e in default_knowledge()}
    for row in conn.execute(sa.select(knowledge.c.id, knowledge.c.key, knowledge.c.questions)
                            .where(knowledge.c.example.is_(True))).all():
        current = row.questions or {}
        merged = {lang: list(dict.fromkeys([*current.get(lang, []), *extra]))
                  for lang, extra in seeded.get(row.key, {}).items()}
        merged = {**current, **merged}
        if merged != current:
            conn.execute(sa.update(knowledge).where(knowledge.c.id == row.id)
                         .values(questions=merged))


def downgrade() -> None:
    conn = op.get_bind()
    for d, lang, text in _batch(conn):
        conn.execute(sa.delete(examples).where(examples.c.department_id == d,
                                               examples.c.language == lang,
                                               examples.c.text == text))
