"""Diversion's options: the kit's and the personal-data machinery's (env prefix DIVERSION_).

Referrals hold personal data (a pseudonym, how to contact the person, a note), so diversion
carries the same settings as incidents and inventory: pseudonym secrets (the same per-force
pseudonyms, given the same secrets), the key that wraps its data keys, and retention.
"""

from pydantic import Field

from naloxone_kernel.personal_data import PersonalDataSettings

#: Seven years from the referral, as for the administrations it often follows; each
#: deployment's data-protection officer sets its own (DIVERSION_RETENTION_DAYS='{"referral": N}').
DEFAULT_REFERRAL_RETENTION_DAYS = 7 * 365 + 2


class DiversionSettings(PersonalDataSettings):
    retention_days: dict[str, int] = Field(default_factory=lambda: {"referral": DEFAULT_REFERRAL_RETENTION_DAYS})
