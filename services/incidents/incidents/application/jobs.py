"""Incidents' scheduled job: personal fields past retention are shredded, and a PersonalDataShredded says so.

Retention is configuration (INCIDENTS_RETENTION_DAYS, per record type), counted from when
the recorded fact happened. Candidates come from the key store itself (every record that
still has a key and is older than the cut-off), a page at a time; each is one command
whose key deletion and event commit together. The idempotency key is the record, so a
rerun, or two runs at once, shred each record once.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from naloxone_kernel.commands import Outcome
from naloxone_kernel.personal_data import PersonalData, run_with_keys
from naloxone_kernel.repository import CommandContext
from naloxone_kernel.service import Job, JobContext

from naloxone_kernel.domain import UK as LONDON
from .handlers import RECORD_TYPE, ShredForRetention, shred_for_retention

PAGE = 200


def retention_cutoff(today: date, days: int) -> datetime:
    """The start of the first UK day still within retention: facts before it are past retention."""
    return datetime.combine(today - timedelta(days=days), time(0), tzinfo=LONDON)


async def shred_past_retention(job: JobContext, today: date) -> int:
    personal = PersonalData.of(job.settings)
    days = personal.retention_days.get(RECORD_TYPE)
    if days is None:
        job.progress(0, 0, shredded=0)
        return 0
    pool, mapper = job.runner.store.pool, job.runner.mapper
    before = retention_cutoff(today, days)
    now = datetime.now(LONDON)
    shredded = 0
    seen: set = set()
    while True:
        page = [c for c in await personal.keys(pool).past_retention(RECORD_TYPE, before, limit=PAGE)
                if c[1] not in seen]
        if not page:
            break
        for force_id, administration_id in page:
            seen.add(administration_id)
            ctx = CommandContext(actor="system:retention", correlation_id=job.correlation_id,
                                 idempotency_key=f"retention:{RECORD_TYPE}:{administration_id}",
                                 fingerprint=f"retention:{administration_id}")
            result = await run_with_keys(pool, mapper, personal, ctx, lambda keys, a=administration_id, f=force_id:
                                         shred_for_retention(ShredForRetention(f, a, now), keys))
            shredded += result.outcome is Outcome.CHANGED and not result.replayed
        job.progress(shredded, shredded, shredded=shredded)
    return shredded


JOBS = (Job("retention", "shred personal fields of administrations past their retention period "
                         "(INCIDENTS_RETENTION_DAYS) and record PersonalDataShredded", shred_past_retention),)
