"""Inventory's scheduled job: kits and batches past their expiry date become KitExpired / BatchExpired.

Candidates (batches past expiry not yet marked) come from the read model a page at a
time; each batch and its kits decide together. The idempotency key is (batch, day),
so a rerun on the same day appends nothing new.
"""

from __future__ import annotations

from datetime import date

from naloxone_kernel.commands import Outcome
from naloxone_kernel.repository import CommandContext
from naloxone_kernel.service import Job, JobContext

from .handlers import ExpireBatch, expire

PAGE = 200


async def expire_kits(job: JobContext, today: date) -> int:
    expired = checked = 0
    total = await job.queries.count_expiring_batches(today)
    after = None
    while True:
        page = await job.queries.expiring_batches(today, after=after, limit=PAGE)
        if not page:
            break
        for force_id, batch_id in page:
            ctx = CommandContext(actor="system:kit-expiry", correlation_id=job.correlation_id,
                                 idempotency_key=f"expiry:{batch_id}:{today.isoformat()}",
                                 fingerprint=f"expiry:{today.isoformat()}")
            result = await job.runner.run(ctx, expire(ExpireBatch(force_id=force_id, batch_id=batch_id, today=today)))
            expired += result.outcome is Outcome.CHANGED and not result.replayed
            checked += 1
        after = page[-1][1]
        job.progress(checked, total, batches_expired=expired)
    return expired


JOBS = (Job("expire", "emit KitExpired and BatchExpired for stock past its expiry date", expire_kits),)
