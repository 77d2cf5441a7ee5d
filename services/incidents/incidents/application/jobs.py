"""Incidents' scheduled job: personal fields past retention are shredded, and a PersonalDataShredded says so.

Retention is configuration (INCIDENTS_RETENTION_DAYS, per record type), counted from when
the recorded fact happened. The job is the kernel's (`naloxone_kernel.personal_data.retention_job`,
the same for every service holding personal data): candidates come from the key store, a page
at a time; each is one command whose key deletion and event commit together, keyed by the
record, so a rerun, or two runs at once, shred each record once.
"""

from __future__ import annotations

from naloxone_kernel.personal_data import retention_job

from ..domain import Administration
from .handlers import RECORD_TYPE

JOBS = (retention_job(RECORD_TYPE, Administration, "shred personal fields of administrations past their retention "
                                                   "period (INCIDENTS_RETENTION_DAYS) and record PersonalDataShredded"),)
