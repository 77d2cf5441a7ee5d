"""Incidents' own options, on top of the kit's and the personal-data machinery's (env prefix INCIDENTS_)."""

from pydantic import Field

from naloxone_kernel.personal_data import PersonalDataSettings

#: Seven years and two leap days: a common police retention period for a record of this kind,
#: to be set by each deployment's data-protection officer (INCIDENTS_RETENTION_DAYS='{"administration": N}').
DEFAULT_RETENTION_DAYS = 7 * 365 + 2


class IncidentsSettings(PersonalDataSettings):
    retention_days: dict[str, int] = Field(default_factory=lambda: {"administration": DEFAULT_RETENTION_DAYS})
    #: The window after an overdose in which outreach to the same person is targeted.
    outreach_window_hours: int = 72
