"""NOTIFY only while the relay sleeps: notifying commits are serialised by PostgreSQL.

Revision ID: 0003
Revises: 0002
"""
from alembic import op

from naloxone_kernel.eventstore import SCHEMA_V2, SCHEMA_V3

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    for statement in SCHEMA_V3:
        op.execute(statement)


def downgrade() -> None:
    op.execute(next(s for s in SCHEMA_V2 if "FUNCTION" in s))
    op.execute("DROP TABLE IF EXISTS outbox_relay_state")
