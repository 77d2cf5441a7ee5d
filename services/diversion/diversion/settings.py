"""Diversion's options: the kit's and the personal-data machinery's (env prefix DIVERSION_)."""

from naloxone_kernel.personal_data import PersonalDataSettings


class DiversionSettings(PersonalDataSettings):
    """Pseudonym secrets and the wrapping key of referrals' data keys (see kernel personal_data)."""
