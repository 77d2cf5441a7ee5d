"""Outbox relay: throughput to Kafka from a full outbox, and lag at a steady load.

* Throughput: 30,000 outbox rows (training events as the service writes them) are
  appended first; then an OutboxRelay runs in this process against a topic of our own
  (unique prefix, 3 partitions) and the clock runs from the moment it holds the outbox
  lock until no row is left with published_at IS NULL.
* Lag: with that relay still running, one-event commands are appended at a paced
  500/s for 10 s; afterwards lag = published_at - created_at for each of those rows,
  both stamped by PostgreSQL (created_at when the appending transaction began,
  published_at when the relay's marking UPDATE began, after Kafka acknowledged).
"""

from __future__ import annotations

import asyncio
import time

import asyncpg

from naloxone_kernel.db import create_pool
from naloxone_kernel.eventstore import EventStore
from naloxone_kernel.kafka import ensure_topics
from naloxone_kernel.relay import OutboxRelay

from .common import (
    EVENTS_TOPIC,
    KAFKA_BOOTSTRAP,
    CpuMeter,
    Figure,
    Ticker,
    delete_topics,
    enrolment,
    idempotency_for,
    percentile,
    prefill,
    progress,
    throwaway_database,
    unique,
    unique_topic_prefix,
    wait_until,
)

NAME = "relay"
PREFILL = 30_000
STEADY_RATE = 500  # events/s
STEADY_SECONDS = 10.0


async def unpublished(conn: asyncpg.Connection) -> int:
    return await conn.fetchval("SELECT count(*) FROM outbox WHERE published_at IS NULL")


async def start_relay(bench: str, url: str) -> tuple[OutboxRelay, asyncio.Task]:
    relay = OutboxRelay(url, KAFKA_BOOTSTRAP, client_id=unique("bench-relay-"))
    task = asyncio.create_task(relay.run())

    async def ready() -> bool:
        if task.done():
            task.result()  # raises what stopped it
        return relay.ready

    if await wait_until(ready, timeout=30, interval=0.005) is None:
        raise TimeoutError("the relay did not become ready within 30 s")
    progress(bench, "relay holds the outbox lock and is publishing")
    return relay, task


async def stop_relay(relay: OutboxRelay, task: asyncio.Task) -> None:
    relay.stop()
    try:
        await asyncio.wait_for(task, timeout=30)
    except Exception as exc:  # report, do not mask the benchmark's own outcome
        progress(NAME, f"relay stopped with {type(exc).__name__}: {exc}")


async def drain(bench: str, conn: asyncpg.Connection, total: int, *, timeout: float,
                relay_task: asyncio.Task | None = None) -> float | None:
    """Wait until every outbox row is published; returns when (monotonic), None on timeout."""
    ticker = Ticker(bench)

    async def drained() -> bool:
        if relay_task is not None and relay_task.done():
            relay_task.result()  # raises what stopped it
            raise RuntimeError("the relay stopped by itself")
        left = await unpublished(conn)
        ticker.tick(f"published {total - left}/{total}")
        return left == 0

    return await wait_until(drained, timeout=timeout, interval=0.02)


async def publish_outbox(bench: str, url: str, conn: asyncpg.Connection, total: int) -> dict:
    """Run a relay until the outbox is empty; returns its throughput (the relay is left running)."""
    cpu = CpuMeter()
    relay, task = await start_relay(bench, url)
    started = time.monotonic()
    finished = await drain(bench, conn, total, timeout=90, relay_task=task)
    result = {"relay": relay, "task": task, "rows": total, **cpu.read()}
    if finished is None:
        result["events_per_s"] = None
        progress(bench, f"outbox not drained after 90 s ({await unpublished(conn)} rows left)")
    else:
        result["seconds"] = round(finished - started, 3)
        result["events_per_s"] = total / max(finished - started, 1e-9)
        progress(bench, f"relay published {total} rows in {finished - started:.2f}s = "
                        f"{result['events_per_s']:,.0f} events/s ({cpu.text()})")
    return result


async def steady_lag(url: str, conn: asyncpg.Connection, topic: str, relay_task: asyncio.Task) -> dict:
    """Append at a paced rate with the relay running; lag per row from the database's clocks."""
    count = int(STEADY_RATE * STEADY_SECONDS)
    commands = []
    for i in range(count):
        row, message = enrolment(2_000_000 + i, topic=topic)
        commands.append(([row], [message], idempotency_for([row])))
    first_id = await conn.fetchval("SELECT coalesce(max(id), 0) FROM outbox")
    pool = await create_pool(url, min_size=8, max_size=8)
    store = EventStore(pool)
    ticker = Ticker(NAME)
    late: list[float] = []
    inflight: set[asyncio.Task] = set()
    cpu = CpuMeter()
    try:
        started = time.monotonic()
        for i, command in enumerate(commands):
            due = started + i / STEADY_RATE
            delay = due - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
            else:
                late.append(-delay)
            task = asyncio.create_task(store.append(*command))
            inflight.add(task)
            task.add_done_callback(inflight.discard)
            ticker.tick(f"steady {STEADY_RATE}/s: appended {i + 1}/{count}")
        await asyncio.gather(*inflight)
        paced_seconds = time.monotonic() - started
        progress(NAME, f"appended {count} events in {paced_seconds:.2f}s "
                       f"(= {count / paced_seconds:,.0f}/s; {cpu.text()}); waiting for the relay")
        if await drain(NAME, conn, count, timeout=30, relay_task=relay_task) is None:
            progress(NAME, "steady-state rows not all published after 30 s; lag counts only published rows")
    finally:
        await pool.close()
    lags = [r["lag_ms"] for r in await conn.fetch(
        """SELECT extract(epoch FROM published_at - created_at) * 1000 AS lag_ms
           FROM outbox WHERE id > $1 AND published_at IS NOT NULL""", first_id)]
    lags = [float(x) for x in lags]
    result = {"rows": count, "published": len(lags), "achieved_rate": count / paced_seconds,
              "lag_p50_ms": percentile(lags, 50), "lag_p90_ms": percentile(lags, 90),
              "lag_p99_ms": percentile(lags, 99), "lag_max_ms": max(lags) if lags else None,
              "pacer_late_p99_ms": (percentile(late, 99) or 0) * 1000, **cpu.read()}
    if lags:
        progress(NAME, f"lag p50 {result['lag_p50_ms']:.1f} ms, p90 {result['lag_p90_ms']:.1f} ms, "
                       f"p99 {result['lag_p99_ms']:.1f} ms, max {result['lag_max_ms']:.1f} ms")
    return result


async def run() -> list[Figure]:
    prefix = unique_topic_prefix(NAME)
    topic = prefix + EVENTS_TOPIC
    figures: list[Figure] = []
    try:
        async with throwaway_database(NAME) as url:
            await ensure_topics(KAFKA_BOOTSTRAP, [topic])
            progress(NAME, f"topic {topic} (3 partitions)")
            pool = await create_pool(url, min_size=1, max_size=2)
            try:
                await prefill(NAME, EventStore(pool), PREFILL, topic)
            finally:
                await pool.close()
            conn = await asyncpg.connect(url)
            relay = task = None
            try:
                burst = await publish_outbox(NAME, url, conn, PREFILL)
                relay, task = burst.pop("relay"), burst.pop("task")
                figures.append(Figure(NAME, f"outbox -> Kafka, {PREFILL:,} rows queued", burst["events_per_s"],
                                      "events/s", detail=burst))
                steady = await steady_lag(url, conn, topic, task)
                figures += [
                    Figure(NAME, f"lag at a steady {STEADY_RATE}/s: p50", steady["lag_p50_ms"], "ms",
                           higher_is_better=False, detail=steady),
                    Figure(NAME, f"lag at a steady {STEADY_RATE}/s: p99", steady["lag_p99_ms"], "ms",
                           target=100, higher_is_better=False),
                ]
            finally:
                if relay is not None:
                    await stop_relay(relay, task)
                await conn.close()
    finally:
        await delete_topics([topic])
    return figures
