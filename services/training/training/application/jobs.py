"""Training's scheduled job: certifications past their last day become CertificationExpired.

Candidates come from the read model (any number, a page at a time); the aggregate decides.
"""

from __future__ import annotations

from datetime import date

from naloxone_kernel.service import Job, JobContext

from .handlers import ExpireCertification, expire_certification

PAGE = 500


async def expire(job: JobContext, today: date) -> int:
    return await job.once_a_day_for_each(
        today, total=await job.queries.count_lapsed(today),
        page=lambda after: job.queries.lapsed_certifications(today, after=after, limit=PAGE),
        decision=lambda force_id, officer_id: expire_certification(
            ExpireCertification(force_id=force_id, officer_id=officer_id, today=today)))


JOBS = (Job("expire", "emit CertificationExpired for certifications past their last day", expire),)
