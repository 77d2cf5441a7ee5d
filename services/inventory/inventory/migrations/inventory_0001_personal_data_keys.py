"""Inventory's own tables: the kernel's personal-data key store, one data key per take-home supply
(revision inventory_0001 on the kernel's event store, 0002)."""

from naloxone_kernel.personal_data import downgrade_key_store, upgrade_key_store

revision, down_revision, branch_labels, depends_on = "inventory_0001", None, ("inventory",), "0002"
upgrade, downgrade = upgrade_key_store, downgrade_key_store
