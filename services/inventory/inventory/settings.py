"""Inventory's own options, on top of the kit's (env prefix INVENTORY_)."""

from naloxone_kernel.settings import ServiceProcessSettings


class InventorySettings(ServiceProcessSettings):
    #: How long before expiry an officer's kit is due a swap (the swap-due list's default).
    swap_lead_days: int = 60
