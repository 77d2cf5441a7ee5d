"""The event store: events, outbox, idempotency keys (shipped by the kernel to every service).

Revision ID: 0001
Revises:
"""
from alembic import op

from naloxone_kernel.eventstore import SCHEMA_V1
from naloxone_kernel.migrations import execute_script

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    execute_script(op, SCHEMA_V1)


def downgrade() -> None:
    execute_script(op, "DROP TABLE IF EXISTS idempotency_keys, outbox, events")
