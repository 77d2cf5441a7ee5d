"""What the benchmarks share: the local servers, throwaway databases and topics, realistic
training events, percentiles, progress on stderr, and the figures they report.

Nothing here asserts on timing: a benchmark reports what it measured, and the table
compares it with a target only to say so.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import shutil
import sys
import tempfile
import time
import uuid
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import AsyncIterator, Iterable, Sequence
from urllib.parse import urlsplit

import asyncpg
import structlog

from naloxone_kernel.db import drop_database, ensure_database, with_database
from naloxone_kernel.envelope import EnvelopeMeta, to_outbox
from naloxone_kernel.eventstore import EVENT_STORE_DDL, EventStore, IdempotentResponse, NewEvent, OutboxMessage
from naloxone_kernel.serialization import event_to_json
from naloxone_kernel.settings import default_database_url, default_kafka_bootstrap
from naloxone.contracts import TOPICS
from training.adapters.contracts import to_proto
from training.domain import (
    Officer,
    OfficerEnrolled,
    OfficerRole,
    TrainingCompleted,
    TrainingDelivery,
    TrainingType,
    officer_id_for,
)

EVENTS_TOPIC = TOPICS["training"]

# ------------------------------------------------------------------ servers (loopback only)

PG_URL = os.environ.get("BENCH_DATABASE_URL") or default_database_url("postgres")
KAFKA_BOOTSTRAP = os.environ.get("BENCH_KAFKA_BOOTSTRAP") or default_kafka_bootstrap()
LOOPBACK = "127.0.0.1"


def check_loopback() -> None:
    """The benchmarks only ever talk to servers on 127.0.0.1."""
    host = urlsplit(PG_URL).hostname
    if host != LOOPBACK:
        raise SystemExit(f"bench: PostgreSQL must be on {LOOPBACK}, not {host!r}")
    for server in KAFKA_BOOTSTRAP.split(","):
        if server.rsplit(":", 1)[0] != LOOPBACK:
            raise SystemExit(f"bench: Kafka must be on {LOOPBACK}, not {server!r}")


def quiet_logging() -> None:
    """Kernel components log with structlog; keep stdout for the table (warnings to stderr)."""
    structlog.configure(
        processors=[structlog.processors.add_log_level, structlog.dev.ConsoleRenderer(colors=False)],
        wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING),
        logger_factory=structlog.PrintLoggerFactory(sys.stderr),
        cache_logger_on_first_use=False,
    )
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    handler.addFilter(_Throttle())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(logging.WARNING)
    for noisy in ("aiokafka", "kafka"):
        logging.getLogger(noisy).setLevel(logging.ERROR)


class _Throttle(logging.Filter):
    """One line per distinct message every few seconds (a broker outage is thousands of lines)."""

    def __init__(self, every: float = 5.0) -> None:
        super().__init__()
        self.every = every
        self.seen: dict[tuple[str, str], tuple[float, int]] = {}

    def filter(self, record: logging.LogRecord) -> bool:
        key = (record.name, str(record.msg))
        now = time.monotonic()
        last, suppressed = self.seen.get(key, (-1e9, 0))
        if now - last < self.every:
            self.seen[key] = (last, suppressed + 1)
            return False
        self.seen[key] = (now, 0)
        if suppressed:
            record.msg = f"{record.msg} [{suppressed} more like this suppressed]"
        return True


# ------------------------------------------------------------------ progress (stderr)

_T0 = time.monotonic()


def progress(bench: str, message: str) -> None:
    sys.stderr.write(f"[{time.monotonic() - _T0:6.1f}s] {bench}: {message}\n")
    sys.stderr.flush()


class Ticker:
    """Rate-limited progress lines: call .tick(...) as often as you like."""

    def __init__(self, bench: str, every: float = 1.0) -> None:
        self.bench = bench
        self.every = every
        self._last = time.monotonic()

    def tick(self, message: str, *, force: bool = False) -> None:
        now = time.monotonic()
        if force or now - self._last >= self.every:
            self._last = now
            progress(self.bench, message)


class CpuMeter:
    """CPU use over a phase: this process's, and the whole machine's (from /proc/stat).

    On a 2-core machine shared with PostgreSQL and Kafka, "machine busy ~100%" means a
    figure is CPU-bound, and the split says whose CPU it is.
    """

    def __init__(self) -> None:
        self.wall = time.perf_counter()
        self.process = time.process_time()
        self.machine = _machine_ticks()

    def read(self) -> dict:
        wall = time.perf_counter() - self.wall
        process = time.process_time() - self.process
        busy, steal, total = (a - b for a, b in zip(_machine_ticks(), self.machine))
        return {
            "bench_process_cpu_pct": round(100 * process / wall, 1) if wall else None,
            "machine_busy_pct": round(100 * busy / total, 1) if total else None,
            "machine_steal_pct": round(100 * steal / total, 1) if total else None,
            "cpus": os.cpu_count(),
        }

    def text(self) -> str:
        r = self.read()
        text = f"bench process {r['bench_process_cpu_pct']}% of a core, machine {r['machine_busy_pct']}% busy"
        if r["machine_steal_pct"] and r["machine_steal_pct"] >= 5:
            text += f" of which {r['machine_steal_pct']}% stolen by the hypervisor"
        return text


def _machine_ticks() -> tuple[int, int, int]:
    """(busy, steal, total) jiffies over all CPUs; busy includes steal, excludes idle and iowait."""
    try:
        with open("/proc/stat") as fh:
            fields = [int(x) for x in fh.readline().split()[1:]]
    except OSError:
        return (0, 0, 0)
    fields = fields[:8]  # user nice system idle iowait irq softirq steal (guest time is already in user)
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)
    steal = fields[7] if len(fields) > 7 else 0
    return (sum(fields) - idle, steal, sum(fields))


# ------------------------------------------------------------------ figures

@dataclass
class Figure:
    benchmark: str  # short id: append, relay, projector, e2e
    name: str  # what was measured, e.g. "1 event/append, 16 writers"
    value: float | None  # None when it could not be measured (see note)
    unit: str  # "events/s", "ms"
    target: float | None = None
    higher_is_better: bool = True
    note: str = ""  # printed under the table
    detail: dict | None = None  # only in the JSON (counts, CPU use, other percentiles)

    @property
    def met(self) -> bool | None:
        if self.target is None or self.value is None:
            return None
        return self.value >= self.target if self.higher_is_better else self.value <= self.target

    def figure_text(self) -> str:
        if self.value is None:
            return "n/a"
        return f"{_number(self.value)} {self.unit}"

    def target_text(self) -> str:
        if self.target is None:
            return "-"
        return f"{'≥' if self.higher_is_better else '≤'} {_number(self.target)} {self.unit}"

    def as_json(self) -> dict:
        return {**asdict(self), "met": self.met}


def _number(value: float) -> str:
    if abs(value) >= 100:
        return f"{value:,.0f}"
    if abs(value) >= 10:
        return f"{value:.1f}"
    return f"{value:.2f}"


def percentile(values: Sequence[float], pct: float) -> float | None:
    """Nearest-rank percentile (pct in 0..100); None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * pct // 100))  # ceil, at least the first
    return ordered[int(min(rank, len(ordered))) - 1]


# ------------------------------------------------------------------ throwaway databases and topics

async def servers_ready(*, kafka: bool, timeout: float = 60.0) -> str | None:
    """Wait (a while) for the servers; None when they answer, else what is wrong."""
    from naloxone_kernel.kafka import kafka_ready

    deadline = time.monotonic() + timeout
    while True:
        problems = []
        try:
            conn = await asyncpg.connect(PG_URL, timeout=3)
            await conn.close()
        except Exception as exc:
            problems.append(f"PostgreSQL: {type(exc).__name__}: {exc}")
        if kafka and not await kafka_ready(KAFKA_BOOTSTRAP):
            problems.append(f"Kafka at {KAFKA_BOOTSTRAP} does not answer")
        if not problems:
            return None
        if time.monotonic() > deadline:
            return "; ".join(problems)
        progress("bench", f"waiting for the servers ({'; '.join(problems)})")
        await asyncio.sleep(3)


async def drop_quietly(url: str) -> None:
    """Drop a benchmark database, retrying while PostgreSQL restarts; never masks the real outcome."""
    for attempt in range(15):
        try:
            await drop_database(url)
            return
        except Exception as exc:
            if attempt == 14:
                sys.stderr.write(f"bench: could not drop {url.rsplit('/', 1)[-1]}: {exc}\n")
                return
            await asyncio.sleep(1)


def unique(prefix: str) -> str:
    return f"{prefix}{uuid.uuid4().hex[:10]}"


@contextlib.asynccontextmanager
async def throwaway_database(bench: str, *, event_store: bool = True) -> AsyncIterator[str]:
    """A database of its own (with the event store tables), dropped afterwards whatever happens."""
    url = with_database(PG_URL, unique(f"bench_{bench}_"))
    await ensure_database(url)
    try:
        if event_store:
            conn = await asyncpg.connect(url)
            try:
                await conn.execute(EVENT_STORE_DDL)
            finally:
                await conn.close()
        yield url
    finally:
        await drop_quietly(url)


@contextlib.asynccontextmanager
async def isolated_stack(bench: str) -> AsyncIterator[tuple]:
    """A whole platform of the benchmark's own (databases, topic prefix, ports, token issuer),
    prepared but not started; stopped and dropped afterwards, even on failure.

    Yields (stack, issuer, workdir); processes' logs are in workdir/run.
    """
    from naloxone_kernel.auth import DevIssuer

    from tests.support import IsolatedStack, Servers

    workdir = Path(tempfile.mkdtemp(prefix=f"nalox-bench-{bench}-"))
    issuer = DevIssuer(workdir / "issuer")
    issuer.ensure_keys()
    stack = IsolatedStack(Servers(PG_URL, KAFKA_BOOTSTRAP), issuer, workdir / "run")
    try:
        progress(bench, "preparing databases and topics")
        await stack.prepare()
        yield stack, issuer, workdir
    finally:
        try:
            await asyncio.to_thread(stack.down)
        finally:
            for url in stack.database_urls.values():
                await drop_quietly(url)
            await delete_topics(stack.topics)
            shutil.rmtree(workdir, ignore_errors=True)


async def start_processes(stack, names: list[str], env: dict[str, str] | None = None, attempts: int = 3) -> None:
    """Start processes of a stack and wait until they are ready, as a supervisor would: one that
    dies or is not ready in time while starting (a busy machine, a server out of connections or
    still coming back) is started and waited for again, a few times."""
    for attempt in range(1, attempts + 1):
        try:
            await asyncio.to_thread(stack.start, *names, env=env)
            return
        except (RuntimeError, TimeoutError) as exc:
            if attempt == attempts:
                raise
            progress("stack", f"{exc}; starting again")
            await asyncio.sleep(3.0)


def unique_topic_prefix(bench: str) -> str:
    return unique(f"bench-{bench}-") + "."


async def delete_topics(topics: Iterable[str]) -> None:
    """Event topics keep everything (retention -1): remove the benchmark's own afterwards."""
    from naloxone_kernel.kafka import delete_topics as delete

    topics = list(topics)
    try:
        await delete(KAFKA_BOOTSTRAP, topics)
    except Exception as exc:  # best effort: a leftover topic is harmless
        sys.stderr.write(f"bench: could not delete topics {topics}: {exc}\n")


# ------------------------------------------------------------------ realistic training events

FORCES = ("west-midlands", "greater-manchester", "merseyside", "thames-valley")
ACTOR = "bench-trainer@west-midlands"


def staff_number(n: int) -> str:
    return f"B{n:07d}"


def _rows(force_id: str, aggregate_id: uuid.UUID, version: int, event, topic: str,
          correlation_id: str, causation_id: str | None) -> tuple[NewEvent, OutboxMessage]:
    """One domain event as the repository turns it into a store row and an outbox row."""
    now = datetime.now(UTC)
    event_id = uuid.uuid4()
    row = NewEvent(
        event_id=event_id, aggregate_type=Officer.aggregate_type, aggregate_id=aggregate_id,
        aggregate_version=version, event_type=event.event_type, force_id=force_id, occurred_at=now,
        payload_json=event_to_json(event), correlation_id=correlation_id, causation_id=causation_id,
        actor=ACTOR,
    )
    meta = EnvelopeMeta(
        event_id=event_id, aggregate_type=Officer.aggregate_type, aggregate_id=aggregate_id,
        aggregate_version=version, force_id=force_id, occurred_at=now, recorded_at=now,
        correlation_id=correlation_id, causation_id=causation_id, actor=ACTOR,
    )
    return row, to_outbox(topic, meta, to_proto(event))


def enrolment(n: int, *, topic: str, version: int = 1, force_id: str | None = None,
              idempotency_key: str | None = None) -> tuple[NewEvent, OutboxMessage]:
    """An OfficerEnrolled for officer number n (its stream id derived as the service does)."""
    force = force_id or FORCES[n % len(FORCES)]
    number = staff_number(n)
    officer_id = officer_id_for(force, number)
    event = OfficerEnrolled(officer_id=officer_id, force_id=force, staff_number=number,
                            role=OfficerRole.RESPONSE, enrolled_on=date(2026, 1, 1), area_code="B1")
    return _rows(force, officer_id, version, event, topic, uuid.uuid4().hex, idempotency_key)


def training_completed(n: int, *, topic: str, version: int = 2) -> tuple[NewEvent, OutboxMessage]:
    force = FORCES[n % len(FORCES)]
    officer_id = officer_id_for(force, staff_number(n))
    event = TrainingCompleted(officer_id=officer_id, force_id=force, course="NALOX-IN-1", provider="cranstoun",
                              completed_on=date(2026, 2, 3), valid_until=date(2029, 2, 3),
                              training_type=TrainingType.INITIAL, delivery=TrainingDelivery.IN_PERSON)
    return _rows(force, officer_id, version, event, topic, uuid.uuid4().hex, None)


def idempotency_for(events: Sequence[NewEvent]) -> IdempotentResponse:
    """What the API stores with a command: its key, a fingerprint and the 201 body."""
    first = events[0]
    return IdempotentResponse(
        key=f"bench-{uuid.uuid4()}", fingerprint=uuid.uuid4().hex, outcome="created",
        body={"officer_id": str(first.aggregate_id), "version": events[-1].aggregate_version,
              "events": [e.event_type for e in events]},
    )


def training_events(count: int, topic: str) -> Iterable[tuple[NewEvent, OutboxMessage]]:
    """A realistic mix: every officer is enrolled (v1) and then trained (v2)."""
    n = 0
    emitted = 0
    while emitted < count:
        yield enrolment(n, topic=topic)
        emitted += 1
        if emitted < count:
            yield training_completed(n, topic=topic)
            emitted += 1
        n += 1


async def prefill(bench: str, store: EventStore, count: int, topic: str, *, batch: int = 500) -> None:
    """Append `count` training events (events + outbox rows) in large batches: setup, not timed."""
    ticker = Ticker(bench)
    pending: list[tuple[NewEvent, OutboxMessage]] = []
    done = 0
    for pair in training_events(count, topic):
        pending.append(pair)
        if len(pending) == batch:
            await store.append([p[0] for p in pending], [p[1] for p in pending])
            done += len(pending)
            pending.clear()
            ticker.tick(f"prefilling the outbox: {done}/{count}")
    if pending:
        await store.append([p[0] for p in pending], [p[1] for p in pending])
        done += len(pending)
    progress(bench, f"prefilled {done} events and outbox rows")


async def wait_until(predicate, *, timeout: float, interval: float) -> float | None:
    """Poll until predicate() is truthy; returns the monotonic time it first was, None on timeout."""
    deadline = time.monotonic() + timeout
    while True:
        checked = time.monotonic()
        if await predicate():
            return checked
        if checked > deadline:
            return None
        await asyncio.sleep(interval)


async def bare_consume(bench: str, topics: list[str]) -> dict:
    """Every record of the topics through a plain consumer (no group, no decoding, nothing
    written), start-up included as for a rebuild: the ceiling a rebuild is compared with."""
    from aiokafka import AIOKafkaConsumer

    from naloxone_kernel.kafka import topic_partitions

    cpu = CpuMeter()
    started = time.perf_counter()
    consumer = AIOKafkaConsumer(bootstrap_servers=KAFKA_BOOTSTRAP, enable_auto_commit=False,
                                auto_offset_reset="earliest", max_partition_fetch_bytes=8 * 1024 * 1024)
    await consumer.start()
    records = 0
    try:
        partitions = await topic_partitions(consumer, topics)
        consumer.assign(partitions)
        end = await consumer.end_offsets(partitions)
        await consumer.seek_to_beginning(*partitions)
        remaining = {tp for tp in partitions if end[tp] > 0}
        while remaining:
            batch = await consumer.getmany(timeout_ms=200, max_records=10_000)
            for tp, got in batch.items():
                records += len(got)
                if got and got[-1].offset + 1 >= end[tp]:
                    remaining.discard(tp)
    finally:
        await consumer.stop()
    elapsed = time.perf_counter() - started
    result = {"records": records, "seconds": round(elapsed, 3), "events_per_s": records / elapsed, **cpu.read()}
    progress(bench, f"bare aiokafka consume: {records} records in {elapsed:.2f}s = {result['events_per_s']:,.0f}/s "
                    f"({cpu.text()})")
    return result
