"""Inventory's scheduled jobs.

- `expire`: kits and batches past their expiry date become KitExpired / BatchExpired.
  Candidates (batches past expiry not yet marked) come from the read model a page at a
  time; each batch and its kits decide together.
- `retention`: take-home supplies whose hand-over is older than the retention period
  (INVENTORY_RETENTION_DAYS) have their data key destroyed and record
  TakeHomeSupplyPersonalDataShredded (the kernel's retention job, as incidents runs it).
"""

from __future__ import annotations

from datetime import date

from naloxone_kernel.personal_data import retention_job
from naloxone_kernel.service import Job, JobContext

from ..domain import TakeHomeSupply
from .handlers import RECORD_TYPE, ExpireBatch, expire

PAGE = 200


async def expire_kits(job: JobContext, today: date) -> int:
    return await job.once_a_day_for_each(
        today, total=await job.queries.count_expiring_batches(today),
        page=lambda after: job.queries.expiring_batches(today, after=after, limit=PAGE),
        decision=lambda force_id, batch_id: expire(ExpireBatch(force_id=force_id, batch_id=batch_id, today=today)))


JOBS = (
    Job("expire", "emit KitExpired and BatchExpired for stock past its expiry date", expire_kits),
    retention_job(RECORD_TYPE, TakeHomeSupply, "shred personal fields of take-home supplies past their retention "
                                               "period (INVENTORY_RETENTION_DAYS) and record "
                                               "TakeHomeSupplyPersonalDataShredded"),
)
