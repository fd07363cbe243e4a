"""calls to unassigned numbers on a trusted trunk: an optional catch-all department

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-27 03:20:00.000000
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0009'
down_revision: str | None = '0008'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('trunks', schema=None) as batch_op:
        batch_op.add_column(sa.Column('unassigned_department_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f('fk_trunks_unassigned_department_id_departments'), 'departments',
            ['unassigned_department_id'], ['id'], ondelete='SET NULL')


def downgrade() -> None:
    with op.batch_alter_table('trunks', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_trunks_unassigned_department_id_departments'),
                                 type_='foreignkey')
        batch_op.drop_column('unassigned_department_id')
