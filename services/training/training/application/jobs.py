"""Training's scheduled job: certifications past their last day become CertificationExpired.

Candidates come from the read model, page by page (any number of officers); the
aggregate decides. The idempotency key is (officer, day), so a rerun on the same day
appends nothing new.
"""

from __future__ import annotations

from datetime import date

from naloxone_kernel.commands import Outcome
from naloxone_kernel.repository import CommandContext
from naloxone_kernel.service import Job, JobContext

from .handlers import ExpireCertification, expire_certification

PAGE = 500


async def expire(job: JobContext, today: date) -> int:
    expired = checked = 0
    total = await job.queries.count_lapsed(today)
    after = None
    while True:
        page = await job.queries.lapsed_certifications(today, after=after, limit=PAGE)
        if not page:
            break
        for force_id, officer_id in page:
            ctx = CommandContext(actor="system:certification-expiry", correlation_id=job.correlation_id,
                                 idempotency_key=f"expiry:{officer_id}:{today.isoformat()}",
                                 fingerprint=f"expiry:{today.isoformat()}")
            result = await job.runner.run(ctx, expire_certification(
                ExpireCertification(force_id=force_id, officer_id=officer_id, today=today)))
            expired += result.outcome is Outcome.CHANGED and not result.replayed
            checked += 1
        after = page[-1][1]
        job.progress(checked, total, expired=expired)
    return expired


JOBS = (Job("expire", "emit CertificationExpired for certifications past their last day", expire),)
