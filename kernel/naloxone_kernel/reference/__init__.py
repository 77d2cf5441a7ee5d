"""Reference data shared by every service (pure Python, no I/O)."""

from naloxone_kernel.reference.forces import (
    COUNTRIES,
    FORCES,
    FORCES_BY_ID,
    REGIONS,
    Country,
    Force,
    forces_in_region,
    get_force,
)

__all__ = [
    "COUNTRIES",
    "FORCES",
    "FORCES_BY_ID",
    "REGIONS",
    "Country",
    "Force",
    "forces_in_region",
    "get_force",
]
