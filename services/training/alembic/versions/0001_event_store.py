"""The training event store: events, outbox, idempotency keys.

Revision ID: 0001
Revises:
"""
from alembic import op

from naloxone_kernel.eventstore import EVENT_STORE_DDL, EVENT_STORE_DROP
from naloxone_kernel.migrations import execute_script

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    execute_script(op, EVENT_STORE_DDL)


def downgrade() -> None:
    execute_script(op, EVENT_STORE_DROP)
