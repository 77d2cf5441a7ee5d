"""A service's background processes, built the same way for every service.

relay: the outbox to the service's topic. projector: every read model of the service,
one consumer group each, in one process. reactor: the service's reactions to other
services' events. worker: a loop of the service's own beside them (`ServiceParts.worker`,
e.g. alerts' webhook deliveries). rebuild: a replay into fresh schemas, swapped in live.
job: a scheduled process that turns the passing of time into events.
"""

from __future__ import annotations

import sys
import time
from datetime import date

from .commands import CommandRunner
from .db import create_pool
from .eventstore import EventStore
from .logging import configure_logging, correlation_id_var, get_logger
from .projector import ProjectorRunner, rebuild
from .reactor import Reactor
from .readiness import kafka_check, postgres_check
from .registry import ServiceEntry
from .relay import OutboxRelay
from .service import JobContext, ServiceParts, mapper_for
from .settings import ServiceProcessSettings
from .workers import WorkerGroup, run_worker

log = get_logger("process")


def _worker(entry: ServiceEntry, parts: ServiceParts, settings: ServiceProcessSettings, kind: str):
    if kind == "relay":
        return OutboxRelay(settings.database_url, settings.kafka_bootstrap, client_id=f"{entry.name}-relay")
    if kind == "projector":
        if not parts.read_models:
            raise SystemExit(f"{entry.name} has no read models to project")
        return WorkerGroup([
            # the consumer group is the service's own: two services keeping the same kernel read
            # model (partner agreements) must each see every event, not share them out
            ProjectorRunner(model, settings.database_url, settings.kafka_bootstrap, topic_prefix=settings.topic_prefix,
                            group_id=f"{settings.topic_prefix}{entry.name}.projector.{model.name}")
            for model in parts.read_models])
    if kind == "reactor":
        if not parts.reactions:
            raise SystemExit(f"{entry.name} has no reactions")
        reactor = Reactor(entry.name, parts.reactions, mapper_for(parts, settings))
        return ProjectorRunner(reactor, settings.database_url, settings.kafka_bootstrap,
                               topic_prefix=settings.topic_prefix)
    if kind == "egress":
        from .egress import egress_worker

        return egress_worker(entry, settings)
    if kind == "inbound":
        from .inbound import inbound_worker

        return inbound_worker(entry, parts, settings)
    if kind == "worker":  # a service's own background loop (e.g. alerts' webhook deliveries)
        if parts.worker is None:
            raise SystemExit(f"{entry.name} has no worker")
        return parts.worker(settings)
    raise SystemExit(f"unknown process kind {kind!r}")


async def run_worker_process(entry: ServiceEntry, parts: ServiceParts, settings: ServiceProcessSettings,
                             kind: str) -> None:
    name = entry.process_name(kind)
    configure_logging(name, settings.log_level)
    worker = _worker(entry, parts, settings, kind)
    await run_worker(worker, name=name, host=settings.host, ops_port=settings.port_of(kind), checks={
        "postgres": postgres_check(settings.database_url), "kafka": kafka_check(settings.kafka_bootstrap)})


async def rebuild_views(entry: ServiceEntry, parts: ServiceParts, settings: ServiceProcessSettings, *,
                        view: str | None, into: str | None, swap: bool, workers: int | None = None) -> int:
    """Replay read models from the beginning of their topics, with progress and events/s."""
    configure_logging(entry.process_name("rebuild"), settings.log_level)
    models = [m for m in parts.read_models if view is None or m.name == view]
    if not models:
        raise SystemExit(f"{entry.name} has no read model {view!r}; it has {[m.name for m in parts.read_models]}")
    applied = 0
    for model in models:
        started = time.perf_counter()
        count = await rebuild(model, settings.database_url, settings.kafka_bootstrap,
                              topic_prefix=settings.topic_prefix, target_schema=into, swap=swap, workers=workers)
        elapsed = time.perf_counter() - started
        log.info("rebuilt", view=model.name, events=count, seconds=round(elapsed, 2),
                 events_per_second=round(count / elapsed) if elapsed else None)
        where = f"left beside the live one as {into or model.name + '__rebuild'}" if not swap else "swapped in live"
        print(f"rebuilt {model.name}: {count} events in {elapsed:.2f} s ({count / elapsed if elapsed else 0:,.0f} "
              f"events/s), {where}", file=sys.stderr)
        applied += count
    return applied


async def run_job(entry: ServiceEntry, parts: ServiceParts, settings: ServiceProcessSettings, name: str,
                  today: date, *, correlation_id: str) -> int:
    job = next((j for j in parts.jobs if j.name == name), None)
    if job is None:
        raise SystemExit(f"{entry.name} has no job {name!r}; jobs are {[j.name for j in parts.jobs]}")
    configure_logging(entry.process_name(f"job-{name}"), settings.log_level)
    correlation_id_var.set(correlation_id)
    pool = await create_pool(settings.database_url, min_size=1, max_size=4)
    try:
        runner = CommandRunner(EventStore(pool), mapper_for(parts, settings))
        ctx = JobContext(f"{entry.name} {name}", runner, parts.queries(pool) if parts.queries else None,
                         settings, correlation_id)
        return await job.run(ctx, today)
    finally:
        await pool.close()
