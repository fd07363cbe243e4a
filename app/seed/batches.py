"""Adding a batch of seed data to databases made before it (migrations 0010, 0011, 0012).

A batch is a folder of routing examples (`routing/<batch>/`) plus whatever question variants
the example knowledge entries gained with it. Examples go to the default departments that
exist, unless the department has that line already; question variants only to knowledge
entries still marked `example` (facts an operator replaced are theirs). Removing a batch
removes its examples; variants stay.
"""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

from app.seed import default_knowledge, default_routing_examples

# the columns these steps touch, as they are at the migrations that call them
_departments = sa.table("departments", sa.column("id", sa.Integer),
                        sa.column("slug", sa.String))
_examples = sa.table(
    "routing_examples", sa.column("department_id", sa.Integer), sa.column("language", sa.String),
    sa.column("text", sa.String), sa.column("created_at", sa.DateTime(timezone=True)),
    sa.column("updated_at", sa.DateTime(timezone=True)))
_knowledge = sa.table("knowledge_entries", sa.column("id", sa.Integer),
                      sa.column("key", sa.String), sa.column("example", sa.Boolean),
                      sa.column("questions", sa.JSON))


def _batch(conn: sa.Connection, batch: str) -> list[tuple[int, str, str]]:
    ids = dict(conn.execute(sa.select(_departments.c.slug, _departments.c.id)).all())
    return [(ids[r["department"]], r["language"], r["text"])
            for r in default_routing_examples((batch,)) if r["department"] in ids]


def add_batch(batch: str) -> None:
    conn = op.get_bind()
    have = set(conn.execute(sa.select(_examples.c.department_id, _examples.c.language,
                                      _examples.c.text)).all())
    now = datetime.now(UTC)
    rows = [{"department_id": d, "language": lang, "text": text, "created_at": now,
             "updated_at": now} for d, lang, text in dict.fromkeys(_batch(conn, batch))
            if (d, lang, text) not in have]
    if rows:
        op.bulk_insert(_examples, rows)
    seeded = {e["key"]: e["questions"] for e in default_knowledge()}
    for row in conn.execute(sa.select(_knowledge.c.id, _knowledge.c.key,
                                      _knowledge.c.questions)
                            .where(_knowledge.c.example.is_(True))).all():
        current = row.questions or {}
        merged = {lang: list(dict.fromkeys([*current.get(lang, []), *extra]))
                  for lang, extra in seeded.get(row.key, {}).items()}
        merged = {**current, **merged}
        if merged != current:
            conn.execute(sa.update(_knowledge).where(_knowledge.c.id == row.id)
                         .values(questions=merged))


def remove_batch(batch: str) -> None:
    conn = op.get_bind()
    for d, lang, text in _batch(conn, batch):
        conn.execute(sa.delete(_examples).where(_examples.c.department_id == d,
                                                _examples.c.language == lang,
                                                _examples.c.text == text))
