"""Diversion's own tables: the kernel's personal-data key store (one data key per referral).

Revision ID: diversion_0001
Depends on: 0002 (the kernel's event store)
"""

from naloxone_kernel.personal_data import downgrade_key_store, upgrade_key_store

revision = "diversion_0001"
down_revision = None
branch_labels = ("diversion",)
depends_on = "0002"

upgrade, downgrade = upgrade_key_store, downgrade_key_store
