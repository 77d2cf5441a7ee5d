"""The training service's background processes: relay, projector, rebuild, expiry."""

from __future__ import annotations

import uuid
from datetime import date

from naloxone_kernel.db import create_pool
from naloxone_kernel.logging import configure_logging, correlation_id_var, get_logger
from naloxone_kernel.projector import ProjectorRunner, rebuild
from naloxone_kernel.readiness import kafka_check, postgres_check
from naloxone_kernel.relay import OutboxRelay
from naloxone_kernel.repository import CommandContext
from naloxone_kernel.workers import run_worker

from ..adapters.repository import officer_repository
from ..application.handlers import TrainingCommands
from ..config import TrainingSettings
from ..projections import TrainingQueries, TrainingReadModel

log = get_logger("training")


def _checks(settings: TrainingSettings) -> dict:
    return {"postgres": postgres_check(settings.database_url), "kafka": kafka_check(settings.kafka_bootstrap)}


async def run_relay(settings: TrainingSettings) -> None:
    configure_logging("training-relay", settings.log_level)
    relay = OutboxRelay(settings.database_url, settings.kafka_bootstrap, client_id="training-relay")
    await run_worker(relay, name="training-relay", host=settings.host, ops_port=settings.relay_ops_port,
                     checks=_checks(settings))


async def run_projector(settings: TrainingSettings) -> None:
    configure_logging("training-projector", settings.log_level)
    runner = ProjectorRunner(TrainingReadModel(), settings.database_url, settings.kafka_bootstrap,
                             topic_prefix=settings.topic_prefix)
    await run_worker(runner, name="training-projector", host=settings.host, ops_port=settings.projector_ops_port,
                     checks=_checks(settings))


async def run_rebuild(settings: TrainingSettings, *, into: str | None, swap: bool) -> int:
    configure_logging("training-rebuild", settings.log_level)
    return await rebuild(TrainingReadModel(), settings.database_url, settings.kafka_bootstrap,
                         topic_prefix=settings.topic_prefix, target_schema=into, swap=swap)


async def run_expiry(settings: TrainingSettings, *, today: date) -> int:
    """The scheduled process that turns "time passed" into CertificationExpired events.

    Candidates come from the read model; the aggregate decides. The idempotency key is
    derived from (officer, day), so running twice on one day appends nothing new.
    """
    configure_logging("training-expiry", settings.log_level)
    pool = await create_pool(settings.database_url, min_size=1, max_size=4)
    try:
        commands = TrainingCommands(officer_repository(pool, settings.events_topic))
        correlation_id = uuid.uuid4().hex
        correlation_id_var.set(correlation_id)
        expired = 0
        candidates = await TrainingQueries(pool).lapsed_certifications(today)
        for n, (force_id, officer_id) in enumerate(candidates, start=1):
            ctx = CommandContext(actor="system:certification-expiry", correlation_id=correlation_id,
                                 idempotency_key=f"expiry:{officer_id}:{today.isoformat()}",
                                 fingerprint=f"expiry:{today.isoformat()}")
            if await commands.expire_certification(force_id, officer_id, today, ctx):
                expired += 1
            if n % 100 == 0 or n == len(candidates):
                log.info("expiry progress", checked=n, of=len(candidates), expired=expired)
        return expired
    finally:
        await pool.close()
