"""Inventory's own tables: the kernel's personal-data key store (one data key per take-home supply).

Revision ID: inventory_0001
Depends on: 0002 (the kernel's event store)
"""

from naloxone_kernel.personal_data import downgrade_key_store, upgrade_key_store

revision = "inventory_0001"
down_revision = None
branch_labels = ("inventory",)
depends_on = "0002"

upgrade, downgrade = upgrade_key_store, downgrade_key_store
