"""api limits and personal data

- call_records.caller holds the raw SIP From user: 64 -> 255 characters (the agent cuts
  longer values to fit);
- trunks.auth_password (plain text) -> trunks.auth_password_encrypted, encrypted with
  DATA_ENCRYPTION_KEY (core/encryption.py: LiveKit needs the password back, so no hash);
- an index on call_records.ended_at for the retention purge (CALL_RETENTION_DAYS).

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-26 21:00:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from core.config import get_settings
from core.encryption import SecretBox

revision: str = '0004'
down_revision: str | None = '0003'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

trunks = sa.table('trunks', sa.column('id', sa.Integer),
                  sa.column('auth_password', sa.String),
                  sa.column('auth_password_encrypted', sa.Text))


def _rewrite(source: str, target: str, convert) -> None:  # type: ignore[no-untyped-def]
    """Copy every trunk's password from one column to the other through `convert`."""
    bind = op.get_bind()
    rows = bind.execute(sa.select(trunks.c.id, trunks.c[source])
                        .where(trunks.c[source].is_not(None))).all()
    for trunk_id, value in rows:
        bind.execute(trunks.update().where(trunks.c.id == trunk_id)
                     .values({target: convert(value)}))


def upgrade() -> None:
    box = SecretBox.from_settings(get_settings())
    with op.batch_alter_table('call_records', schema=None) as batch_op:
        batch_op.alter_column('caller', existing_type=sa.String(length=64),
                              type_=sa.String(length=255), existing_nullable=True)
        batch_op.create_index(batch_op.f('ix_call_records_ended_at'), ['ended_at'],
                              unique=False)
    with op.batch_alter_table('trunks', schema=None) as batch_op:
        batch_op.add_column(sa.Column('auth_password_encrypted', sa.Text(), nullable=True))
    _rewrite('auth_password', 'auth_password_encrypted', box.encrypt)
    with op.batch_alter_table('trunks', schema=None) as batch_op:
        batch_op.drop_column('auth_password')


def downgrade() -> None:
    box = SecretBox.from_settings(get_settings())
    with op.batch_alter_table('trunks', schema=None) as batch_op:
        batch_op.add_column(sa.Column('auth_password', sa.String(length=256), nullable=True))
    _rewrite('auth_password_encrypted', 'auth_password', box.decrypt)
    with op.batch_alter_table('trunks', schema=None) as batch_op:
        batch_op.drop_column('auth_password_encrypted')
    op.execute("UPDATE call_records SET caller = substr(caller, 1, 64) "
               "WHERE length(caller) > 64")
    with op.batch_alter_table('call_records', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_call_records_ended_at'))
        batch_op.alter_column('caller', existing_type=sa.String(length=255),
                              type_=sa.String(length=64), existing_nullable=True)
