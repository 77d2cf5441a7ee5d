"""Inventory's scheduled job: kits and batches past their expiry date become KitExpired / BatchExpired.

Candidates (batches past expiry not yet marked) come from the read model a page at a
time; each batch and its kits decide together.
"""

from __future__ import annotations

from datetime import date

from naloxone_kernel.service import Job, JobContext

from .handlers import ExpireBatch, expire

PAGE = 200


async def expire_kits(job: JobContext, today: date) -> int:
    return await job.once_a_day_for_each(
        today, total=await job.queries.count_expiring_batches(today),
        page=lambda after: job.queries.expiring_batches(today, after=after, limit=PAGE),
        decision=lambda force_id, batch_id: expire(ExpireBatch(force_id=force_id, batch_id=batch_id, today=today)))


JOBS = (Job("expire", "emit KitExpired and BatchExpired for stock past its expiry date", expire_kits),)
