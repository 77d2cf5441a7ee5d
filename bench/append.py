"""Event-store appends: one statement per command (events + outbox rows + idempotency record).

Four shapes, each against the same throwaway database:

* 1 event per append, 1 writer: one command at a time, bound by a round trip and a commit;
* 1 event per append, 16 writers (an asyncpg pool of 16), each writer its own stream, as
  16 API requests in flight would be; PostgreSQL's group commit shares the fsyncs;
* 100-event batches, one append each (a bulk import), one writer, then two writers.

Every event is built as the repository builds it (JSON store payload, a protobuf
EventEnvelope with a training OfficerEnrolled in the outbox row, an idempotency record
per append). Building costs about 0.1 ms of CPU per event, so the events are built
before the clock starts: the figures are the store's, not the encoder's.
"""

from __future__ import annotations

import asyncio
import time

from naloxone_kernel.db import create_pool
from naloxone_kernel.eventstore import EventStore

from .common import (
    EVENTS_TOPIC,
    CpuMeter,
    Figure,
    Ticker,
    enrolment,
    idempotency_for,
    percentile,
    progress,
    throwaway_database,
)

NAME = "append"
PHASE_SECONDS = 4.0


def _single_event_commands(first_officer: int, count: int) -> list:
    """`count` successive one-event commands on one officer's stream (versions 1..count)."""
    commands = []
    for version in range(1, count + 1):
        row, message = enrolment(first_officer, topic=EVENTS_TOPIC, version=version, force_id="west-midlands")
        commands.append(([row], [message], idempotency_for([row])))
    return commands


def _batch_commands(first_officer: int, batches: int, size: int) -> list:
    """`batches` appends of `size` enrolments each (distinct officers, like an import)."""
    commands = []
    for b in range(batches):
        pairs = [enrolment(first_officer + b * size + i, topic=EVENTS_TOPIC) for i in range(size)]
        rows = [p[0] for p in pairs]
        commands.append((rows, [p[1] for p in pairs], idempotency_for(rows)))
    return commands


async def _run_writers(label: str, store: EventStore, per_writer: list[list], seconds: float) -> dict:
    """Each writer appends its own commands in order until they run out or time is up."""
    latencies: list[float] = []
    events = 0
    appends = 0
    ticker = Ticker(NAME)
    deadline = time.monotonic() + seconds

    async def writer(commands: list) -> None:
        nonlocal events, appends
        for rows, outbox, idem in commands:
            if time.monotonic() >= deadline:
                return
            started = time.perf_counter()
            await store.append(rows, outbox, idem)
            latencies.append(time.perf_counter() - started)
            events += len(rows)
            appends += 1
            ticker.tick(f"{label}: {events} events in {appends} appends")

    cpu = CpuMeter()
    started = time.perf_counter()
    await asyncio.gather(*(writer(c) for c in per_writer))
    elapsed = time.perf_counter() - started
    ms = [x * 1000 for x in latencies]
    result = {"events": events, "appends": appends, "seconds": round(elapsed, 3),
              "events_per_s": events / elapsed, "writers": len(per_writer),
              "append_p50_ms": percentile(ms, 50), "append_p99_ms": percentile(ms, 99), **cpu.read()}
    progress(NAME, f"{label}: {events} events in {elapsed:.2f}s = {result['events_per_s']:,.0f} events/s "
                   f"(append p50 {result['append_p50_ms']:.1f} ms, p99 {result['append_p99_ms']:.1f} ms; "
                   f"{cpu.text()})")
    return result


async def run() -> list[Figure]:
    figures: list[Figure] = []
    async with throwaway_database(NAME) as url:
        pool = await create_pool(url, min_size=16, max_size=16)
        store = EventStore(pool)
        try:
            # Warm every connection (statement cache, first-use costs) before any clock starts.
            await asyncio.gather(*(store.append(*c) for c in _batch_commands(9_000_000, 32, 1)))

            progress(NAME, "building single-event commands (not timed)")
            one = await _run_writers("1 event/append, 1 writer", store,
                                     [_single_event_commands(0, 5000)], PHASE_SECONDS)
            figures += [
                Figure(NAME, "1 event/append, 1 writer", one["events_per_s"], "events/s", detail=one),
                Figure(NAME, "1 event/append, 1 writer: append p99", one["append_p99_ms"], "ms",
                       higher_is_better=False),
            ]

            progress(NAME, "building 16 writers' commands (not timed)")
            sixteen = await _run_writers("1 event/append, 16 writers", store,
                                         [_single_event_commands(100 + w, 800) for w in range(16)], PHASE_SECONDS)
            figures += [
                Figure(NAME, "1 event/append, 16 writers", sixteen["events_per_s"], "events/s", target=2000,
                       detail=sixteen),
                Figure(NAME, "1 event/append, 16 writers: append p99", sixteen["append_p99_ms"], "ms",
                       higher_is_better=False),
            ]

            progress(NAME, "building 250 batches of 100 events (not timed)")
            batches = await _run_writers("100-event batches, 1 writer", store,
                                         [_batch_commands(1_000_000, 250, 100)], PHASE_SECONDS)
            figures += [
                Figure(NAME, "100-event batches, 1 writer", batches["events_per_s"], "events/s", target=20000,
                       detail=batches),
                Figure(NAME, "100-event batches, 1 writer: append p99", batches["append_p99_ms"], "ms",
                       higher_is_better=False),
            ]

            # One writer leaves a core idle (client encoding and server execution take turns);
            # two show how much of the gap to the batch target that accounts for.
            progress(NAME, "building 2 x 60 batches of 100 events (not timed)")
            two = await _run_writers("100-event batches, 2 writers", store,
                                     [_batch_commands(2_000_000 + w * 100_000, 60, 100) for w in range(2)],
                                     PHASE_SECONDS)
            figures.append(Figure(NAME, "100-event batches, 2 writers", two["events_per_s"], "events/s",
                                  detail=two))
        finally:
            await pool.close()
    return figures
