"""Incidents' own tables: the kernel's personal-data key store.

Revision ID: incidents_0001
Depends on: 0002 (the kernel's event store)
"""

from alembic import op

from naloxone_kernel.migrations import execute_script
from naloxone_kernel.personal_data import KEY_STORE_DDL

revision = "incidents_0001"
down_revision = None
branch_labels = ("incidents",)
depends_on = "0002"


def upgrade() -> None:
    execute_script(op, KEY_STORE_DDL)


def downgrade() -> None:
    op.execute("DROP TABLE IF EXISTS personal_data_shredded")
    op.execute("DROP TABLE IF EXISTS personal_data_keys")
