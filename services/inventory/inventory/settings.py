"""Inventory's own options, on top of the kit's and the personal-data machinery's (env prefix INVENTORY_).

Take-home supplies hold personal data (a pseudonym, age band and sex, a note), so inventory
carries the same settings as incidents: pseudonym secrets (the same per-force pseudonyms
as incidents and diversion compute, given the same secrets), the key that wraps its data
keys, and retention per record type.
"""

from pydantic import Field

from naloxone_kernel.personal_data import PersonalDataSettings

#: Three years from the hand-over: long enough to count repeat supply to the same person
#: across the usual reporting periods; each deployment's data-protection officer sets its own
#: (INVENTORY_RETENTION_DAYS='{"take_home_supply": N}').
DEFAULT_SUPPLY_RETENTION_DAYS = 3 * 365 + 1


class InventorySettings(PersonalDataSettings):
    retention_days: dict[str, int] = Field(
        default_factory=lambda: {"take_home_supply": DEFAULT_SUPPLY_RETENTION_DAYS})
    #: How long before expiry an officer's kit is due a swap (the swap-due list's default).
    swap_lead_days: int = 60
