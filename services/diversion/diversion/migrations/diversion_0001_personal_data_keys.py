"""Diversion's own tables: the kernel's personal-data key store (one data key per referral).

Revision ID: diversion_0001
Depends on: 0002 (the kernel's event store)
"""

from alembic import op

from naloxone_kernel.migrations import execute_script
from naloxone_kernel.personal_data import KEY_STORE_DDL

revision = "diversion_0001"
down_revision = None
branch_labels = ("diversion",)
depends_on = "0002"


def upgrade() -> None:
    execute_script(op, KEY_STORE_DDL)


def downgrade() -> None:
    op.execute("DROP TABLE IF EXISTS personal_data_shredded")
    op.execute("DROP TABLE IF EXISTS personal_data_keys")
