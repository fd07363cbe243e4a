"""a fourth batch of routing examples (app/seed/routing/batch4/: complaints about the
assistant itself, compensation, misleading sales, delivery that never came; orders and
switching providers; "none of those" back to Reception) and more question variants for the
example knowledge entries

What is added, to which rows, and what downgrade removes: app/seed/batches.py.

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-27 14:00:00.000000
"""
from collections.abc import Sequence

from app.seed.batches import add_batch, remove_batch

revision: str = '0012'
down_revision: str | None = '0011'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    add_batch("batch4")


def downgrade() -> None:
    remove_batch("batch4")
