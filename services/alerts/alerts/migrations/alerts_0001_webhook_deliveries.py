"""Alerts' own table: webhook deliveries waiting, retried or done.

Outside any read-model schema on purpose: a rebuild of a view, or the delivery consumer
starting afresh, never forgets what was already delivered (delivery ids are derived
from the subscription and the event, so a second insert of the same delivery is a no-op).

Revision ID: alerts_0001
Depends on: 0002 (the kernel's event store)
"""

from alembic import op

from naloxone_kernel.migrations import execute_script

revision = "alerts_0001"
down_revision = None
branch_labels = ("alerts",)
depends_on = "0002"

DDL = """
CREATE TABLE IF NOT EXISTS webhook_deliveries (
    delivery_id     uuid PRIMARY KEY,
    subscription_id uuid NOT NULL,
    force_id        text NOT NULL,
    url             text NOT NULL,
    event_id        uuid NOT NULL,
    event_type      text NOT NULL,
    body            bytea NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now(),
    attempts        integer NOT NULL DEFAULT 0,
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    delivered_at    timestamptz,
    abandoned_at    timestamptz,
    last_status     integer,
    last_error      text
);
CREATE INDEX IF NOT EXISTS webhook_deliveries_due ON webhook_deliveries (next_attempt_at)
    WHERE delivered_at IS NULL AND abandoned_at IS NULL;
CREATE INDEX IF NOT EXISTS webhook_deliveries_by_subscription ON webhook_deliveries (subscription_id, created_at)
"""


def upgrade() -> None:
    execute_script(op, DDL)


def downgrade() -> None:
    op.execute("DROP TABLE IF EXISTS webhook_deliveries")
