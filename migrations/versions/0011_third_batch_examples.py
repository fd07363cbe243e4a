"""a third batch of routing examples (app/seed/routing/batch3/: MSA, Gulf, Levantine,
Egyptian, Iraqi and Maghrebi Arabic, spoken-style English) and more question variants for the
example knowledge entries

What is added, to which rows, and what downgrade removes: app/seed/batches.py.

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-27 12:00:00.000000
"""
from collections.abc import Sequence

from app.seed.batches import add_batch, remove_batch

revision: str = '0011'
down_revision: str | None = '0010'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    add_batch("batch3")


def downgrade() -> None:
    remove_batch("batch3")
