"""Alerts' scheduled job: spikes whose window (and grace) has passed are closed even when no
further administration arrives to move the force's windows on.

`python -m naloxone_kernel alerts job close-spikes [--today DAY]` (run it every few
minutes, e.g. from cron or a Kubernetes CronJob). The clock only decides *whether* a
spike is over by now: what OverdoseSpikeSubsided says (when it subsided, which
administrations) comes from the administrations' occurrence times alone, so the job
yields the same events whenever it runs, and a rerun closes nothing twice. With
`--today DAY` in the past it closes what had ended by the end of that UK day.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from naloxone_kernel.domain import UK
from naloxone_kernel.eventstore import ConcurrencyError
from naloxone_kernel.repository import CommandContext
from naloxone_kernel.service import Job, JobContext

from .handlers import CloseDueSpikes, close_due

#: An appending reactor may win the race for a force's stream; the job simply tries again.
ATTEMPTS = 5


def judged_at(today: date, now: datetime) -> datetime:
    """The job's "now": the wall clock, or the end of `today` (UK) if that is earlier."""
    end_of_day = datetime.combine(today + timedelta(days=1), time(0), tzinfo=UK)
    return min(now, end_of_day)


async def close_spikes(job: JobContext, today: date) -> int:
    now = judged_at(today, datetime.now(UTC))
    forces = await job.queries.forces_with_open_alerts()
    closed = 0
    for done, force_id in enumerate(forces, start=1):
        ctx = CommandContext(actor=f"system:{job.name}", correlation_id=job.correlation_id)
        for attempt in range(1, ATTEMPTS + 1):
            try:
                result = await job.runner.run(ctx, close_due(CloseDueSpikes(force_id=force_id, now=now)))
                break
            except ConcurrencyError:
                if attempt == ATTEMPTS:
                    raise
        closed += len(result.body["alerts_subsided"])
        job.progress(done, len(forces), closed=closed)
    return closed


JOBS = (Job("close-spikes", "close overdose spike alerts whose window and grace period have passed "
                            "(OverdoseSpikeSubsided), judged by occurrence times", close_spikes),)
