"""Seed the default departments: reception (Ahmed), sales (Sarah), complaints (Mohammed).

Revision ID: 0002
Revises: 0001
"""
from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

from app.seed import default_department_rows

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

departments = sa.table(
    "departments",
    sa.column("slug", sa.String), sa.column("display_name", sa.JSON),
    sa.column("persona_name", sa.JSON), sa.column("default_language", sa.String),
    sa.column("instructions", sa.JSON), sa.column("welcome", sa.JSON),
    sa.column("voices", sa.JSON), sa.column("created_at", sa.DateTime(timezone=True)),
    sa.column("updated_at", sa.DateTime(timezone=True)),
)


def upgrade() -> None:
    now = datetime.now(UTC)
    existing = {row[0] for row in op.get_bind().execute(sa.select(departments.c.slug))}
    rows = [{**row, "created_at": now, "updated_at": now}
            for row in default_department_rows() if row["slug"] not in existing]
    if rows:
        op.bulk_insert(departments, rows)


def downgrade() -> None:
    slugs = [row["slug"] for row in default_department_rows()]
    op.execute(departments.delete().where(departments.c.slug.in_(slugs)))
