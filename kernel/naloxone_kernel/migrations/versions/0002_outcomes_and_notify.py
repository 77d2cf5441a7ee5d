"""Command outcomes in the idempotency record; NOTIFY on outbox insert wakes the relay.

Revision ID: 0002
Revises: 0001
"""
from alembic import op

from naloxone_kernel.eventstore import SCHEMA_V2

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    for statement in SCHEMA_V2:
        op.execute(statement)


def downgrade() -> None:
    op.execute("DROP TRIGGER IF EXISTS outbox_inserted ON outbox")
    op.execute("DROP FUNCTION IF EXISTS outbox_notify()")
