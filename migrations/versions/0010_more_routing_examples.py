"""more routing examples (app/seed/routing/batch2/: Gulf, Levantine, Egyptian and Iraqi
Arabic, spoken-style English) and more question variants for the example knowledge entries

What is added, to which rows, and what downgrade removes: app/seed/batches.py.

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-27 04:00:00.000000
"""
from collections.abc import Sequence

from app.seed.batches import add_batch, remove_batch

revision: str = '0010'
down_revision: str | None = '0009'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    add_batch("batch2")


def downgrade() -> None:
    remove_batch("batch2")
