"""Side by side on the same PostgreSQL: the event store's appends against the Python
`eventsourcing` library's PostgreSQL application recorder (9.x), as ratios.

Three shapes, each run for both stores back to back on one throwaway database:

* 1 event per append, 1 writer;
* 1 event per append, 16 writers (ours: an asyncpg pool of 16 and 16 tasks; theirs: a
  psycopg pool of 16 and 16 threads, the library being synchronous);
* 100-event batches, 1 writer.

Same event sizes: each of the library's stored events carries as `state` the bytes our
append writes for that event (the JSON payload of the event row plus the protobuf
envelope of its outbox row). Ours writes more rows for them (the event, its outbox row,
and one idempotency record per append); the library writes one row per event and takes
`LOCK TABLE ... IN EXCLUSIVE MODE` on every insert so that readers by notification id
never skip a late commit, which is what DESIGN.md's lock-free reader position avoids.
Every event and command is built before the clock starts.
"""

from __future__ import annotations

import asyncio
import threading
import time
from urllib.parse import urlsplit

from naloxone_kernel.db import create_pool
from naloxone_kernel.eventstore import EventStore

from .append import _batch_commands, _run_writers, _single_event_commands
from .common import CpuMeter, Figure, percentile, progress, throwaway_database

NAME = "versus"
PHASE_SECONDS = 3.0
#: Measured on this machine class when the issue was written (ours / theirs); printed, not asserted.
TARGETS = {"1 event/append, 1 writer": 1.7, "1 event/append, 16 writers": 3.5, "100-event batches, 1 writer": 1.3}


def _stored(commands: list) -> list:
    """The library's StoredEvents for our prepared commands: same ids, versions and bytes."""
    from eventsourcing.persistence import StoredEvent

    out = []
    for rows, outbox, _idem in commands:
        out.append([StoredEvent(originator_id=row.aggregate_id, originator_version=row.aggregate_version,
                                topic="training:OfficerEnrolled",
                                state=row.payload_json.encode() + message.value)
                    for row, message in zip(rows, outbox)])
    return out


def _theirs(url: str, writers: list[list], seconds: float, label: str, warm_base: int) -> dict:
    """Each writer thread inserts its appends in order until they run out or time is up."""
    from eventsourcing.postgres import PostgresApplicationRecorder, PostgresDatastore

    parts = urlsplit(url)
    datastore = PostgresDatastore(dbname=parts.path.lstrip("/"), host=parts.hostname, port=parts.port or 5432,
                                  user=parts.username, password=parts.password or "",
                                  pool_size=len(writers), max_overflow=0)
    recorder = PostgresApplicationRecorder(datastore, events_table_name="es_stored_events")
    recorder.create_table()
    latencies: list[float] = []
    counts = {"events": 0, "appends": 0}
    lock = threading.Lock()
    deadline = time.monotonic() + seconds

    def writer(appends: list) -> None:
        for events in appends:
            if time.monotonic() >= deadline:
                return
            started = time.perf_counter()
            recorder.insert_events(events)
            elapsed = time.perf_counter() - started
            with lock:
                latencies.append(elapsed)
                counts["events"] += len(events)
                counts["appends"] += 1

    try:
        # warm every pooled connection (and the statement paths) before the clock starts
        warm = _stored(_batch_commands(warm_base, len(writers), 1))
        threads = [threading.Thread(target=lambda e=e: recorder.insert_events(e)) for e in warm]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        cpu = CpuMeter()
        started = time.perf_counter()
        threads = [threading.Thread(target=writer, args=(w,)) for w in writers]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        elapsed = time.perf_counter() - started
    finally:
        datastore.close()
    ms = [x * 1000 for x in latencies]
    result = {"events": counts["events"], "appends": counts["appends"], "seconds": round(elapsed, 3),
              "events_per_s": counts["events"] / elapsed, "writers": len(writers),
              "append_p50_ms": percentile(ms, 50), "append_p99_ms": percentile(ms, 99), **cpu.read()}
    progress(NAME, f"eventsourcing {label}: {counts['events']} events in {elapsed:.2f}s = "
                   f"{result['events_per_s']:,.0f} events/s (append p99 {result['append_p99_ms']:.1f} ms)")
    return result


async def run() -> list[Figure]:
    figures: list[Figure] = []
    shapes = [
        ("1 event/append, 1 writer", lambda base: [_single_event_commands(base, 4000)]),
        ("1 event/append, 16 writers", lambda base: [_single_event_commands(base + w, 600) for w in range(16)]),
        ("100-event batches, 1 writer", lambda base: [_batch_commands(base * 10, 150, 100)]),
    ]
    async with throwaway_database(NAME) as url:
        pool = await create_pool(url, min_size=16, max_size=16)
        store = EventStore(pool)
        try:
            await asyncio.gather(*(store.append(*c) for c in _batch_commands(9_000_000, 32, 1)))
            for i, (label, build) in enumerate(shapes):
                progress(NAME, f"{label}: building commands (not timed)")
                ours_cmds = build(100_000 * (i + 1))
                theirs_cmds = [_stored(w) for w in build(100_000 * (i + 1) + 50_000)]
                ours = await _run_writers(f"ours {label}", store, ours_cmds, PHASE_SECONDS)
                theirs = await asyncio.to_thread(_theirs, url, theirs_cmds, PHASE_SECONDS, label, 8_000_000 + 1000 * i)
                ratio = ours["events_per_s"] / theirs["events_per_s"] if theirs["events_per_s"] else None
                figures += [
                    Figure(NAME, f"{label}: event store", ours["events_per_s"], "events/s", detail=ours),
                    Figure(NAME, f"{label}: eventsourcing recorder", theirs["events_per_s"], "events/s",
                           detail=theirs),
                    Figure(NAME, f"{label}: ours / eventsourcing", ratio, "x", target=TARGETS[label]),
                ]
        finally:
            await pool.close()
    return figures
