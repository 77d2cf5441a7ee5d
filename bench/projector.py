"""Projector: training events from Kafka into the training read model (PostgreSQL).

Setup (not timed): 30,000 training events (15,000 officers across four forces, each
enrolled and then trained: the INSERT and the UPDATE paths) are appended to a throwaway
database and published by the outbox relay to a topic with a unique prefix.

* rebuild: `rebuild(TrainingReadModel(), ..., target_schema=..., swap=False)` replays the
  topic from the beginning into a fresh schema; timed from the call to its return
  (consumer start-up and schema creation included).
* bare consume: the same topic read from the beginning by a plain AIOKafkaConsumer (no
  group, no decoding, nothing written), timed the same way: the ceiling a rebuild is
  compared with, printed as the ratio rebuild / bare.
* live runner: a ProjectorRunner with a new consumer group, from an empty read model,
  until processed_events holds every event. Start-up (joining the group, which can
  include the broker's initial rebalance delay) is reported apart from the rate.
"""

from __future__ import annotations

import asyncio
import time

import asyncpg

from naloxone_kernel.db import create_pool
from naloxone_kernel.eventstore import EventStore
from naloxone_kernel.kafka import ensure_topics
from naloxone_kernel.projector import ProjectorRunner, rebuild
from training.projections import TrainingReadModel

from . import relay as relay_bench
from .common import (
    EVENTS_TOPIC,
    KAFKA_BOOTSTRAP,
    CpuMeter,
    Figure,
    Ticker,
    bare_consume,
    delete_topics,
    prefill,
    progress,
    throwaway_database,
    unique,
    unique_topic_prefix,
)

NAME = "projector"
EVENTS = 30_000
REBUILD_SCHEMA = "training_view_bench"
LIVE_SCHEMA = "training_view"


async def _count(conn: asyncpg.Connection, sql: str) -> int:
    try:
        return await conn.fetchval(sql)
    except (asyncpg.UndefinedTableError, asyncpg.InvalidSchemaNameError):
        return 0


async def _publish_events(url: str, topic: str) -> None:
    pool = await create_pool(url, min_size=1, max_size=2)
    try:
        await prefill(NAME, EventStore(pool), EVENTS, topic)
    finally:
        await pool.close()
    conn = await asyncpg.connect(url)
    try:
        published = await relay_bench.publish_outbox(NAME, url, conn, EVENTS)
        await relay_bench.stop_relay(published.pop("relay"), published.pop("task"))
        if published["events_per_s"] is None:
            raise RuntimeError("the relay did not publish the setup events in time")
    finally:
        await conn.close()


async def _rebuild(url: str, prefix: str) -> dict:
    ticker = Ticker(NAME)

    def report(done: int, total: int) -> None:
        ticker.tick(f"rebuild: {done}/{total} events", force=done == total)

    cpu = CpuMeter()
    started = time.perf_counter()
    applied = await rebuild(TrainingReadModel(), url, KAFKA_BOOTSTRAP, topic_prefix=prefix,
                            target_schema=REBUILD_SCHEMA, swap=False, progress=report)
    elapsed = time.perf_counter() - started
    result = {"applied": applied, "seconds": round(elapsed, 3), "events_per_s": applied / elapsed, **cpu.read()}
    progress(NAME, f"rebuild applied {applied} events in {elapsed:.2f}s = {result['events_per_s']:,.0f} events/s "
                   f"({cpu.text()})")
    return result


async def _live(url: str, prefix: str) -> dict:
    runner = ProjectorRunner(TrainingReadModel(), url, KAFKA_BOOTSTRAP, topic_prefix=prefix,
                             group_id=unique("bench-projector-"), schema=LIVE_SCHEMA)
    conn = await asyncpg.connect(url)
    ticker = Ticker(NAME)
    sql = f"SELECT count(*) FROM {LIVE_SCHEMA}.processed_events"
    cpu = CpuMeter()
    started = time.monotonic()
    task = asyncio.create_task(runner.run())
    first_seen = first_count = finished = None
    try:
        deadline = started + 90
        while time.monotonic() < deadline:
            if task.done():
                task.result()
                raise RuntimeError("the projector stopped by itself")
            checked = time.monotonic()
            done = await _count(conn, sql)
            if done and first_seen is None:
                first_seen, first_count = checked, done
                progress(NAME, f"live runner: first batch committed {checked - started:.2f}s after start")
            if done >= EVENTS:
                finished = checked
                break
            ticker.tick(f"live runner: {done}/{EVENTS} events")
            await asyncio.sleep(0.05)
    finally:
        runner.stop()
        try:
            await asyncio.wait_for(task, timeout=30)
        except Exception as exc:
            progress(NAME, f"projector stopped with {type(exc).__name__}: {exc}")
        await conn.close()
    if finished is None:
        progress(NAME, "live runner did not catch up within 90 s")
        return {"events_per_s": None, "startup_seconds": None}
    steady = (EVENTS - first_count) / max(finished - first_seen, 1e-9)
    result = {"events": EVENTS, "startup_seconds": round(first_seen - started, 3),
              "seconds_from_start": round(finished - started, 3),
              "events_per_s_from_start": EVENTS / (finished - started),
              "events_per_s": steady, **cpu.read()}
    progress(NAME, f"live runner: {EVENTS} events {finished - started:.2f}s after start; "
                   f"{steady:,.0f} events/s after the first batch ({cpu.text()})")
    return result


async def _check(url: str) -> str:
    """Both read models should hold the same officers; said, not asserted."""
    conn = await asyncpg.connect(url)
    try:
        counts = {s: await _count(conn, f"SELECT count(*) FROM {s}.officers WHERE certification = 'certified'")
                  for s in (REBUILD_SCHEMA, LIVE_SCHEMA)}
    finally:
        await conn.close()
    expected = EVENTS // 2
    if all(c == expected for c in counts.values()):
        return ""
    return f"read models hold {counts} certified officers, expected {expected} each"


async def run() -> list[Figure]:
    prefix = unique_topic_prefix(NAME)
    topic = prefix + EVENTS_TOPIC
    try:
        async with throwaway_database(NAME) as url:
            await ensure_topics(KAFKA_BOOTSTRAP, [topic])
            await _publish_events(url, topic)
            rebuilt = await _rebuild(url, prefix)
            bare = await bare_consume(NAME, [topic])
            live = await _live(url, prefix)
            note = await _check(url)
            if note:
                progress(NAME, note)
    finally:
        await delete_topics([topic])
    return [
        Figure(NAME, f"rebuild, {EVENTS:,} events", rebuilt["events_per_s"], "events/s", target=20000,
               detail=rebuilt, note=note),
        Figure(NAME, "bare aiokafka consume of the same topic", bare["events_per_s"], "events/s", detail=bare),
        Figure(NAME, "rebuild / bare consume", rebuilt["events_per_s"] / bare["events_per_s"], "x"),
        Figure(NAME, f"live runner from empty, {EVENTS:,} events", live["events_per_s"], "events/s", target=3000,
               detail=live),
        Figure(NAME, "live runner start-up to first batch", live.get("startup_seconds"), "s",
               higher_is_better=False),
    ]
