"""The projector runner: Kafka consumer group in, PostgreSQL read model out, exactly once.

Each batch's read-model changes, the ids of the events it applied and the next offset
of every partition it read commit in one PostgreSQL transaction. PostgreSQL, not Kafka,
is the source of truth for where a projector is: after a crash it seeks to the stored
offsets, and an event delivered twice (a relay re-publish) is dropped by its event_id.

A read model lives in its own PostgreSQL schema, so `rebuild` can replay the topic from
the beginning into a fresh schema and swap it in by renaming, with no downtime.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import hashlib
import multiprocessing
import os
import re
import sys
import time
from dataclasses import dataclass, field
from typing import Mapping, NamedTuple, Protocol, Sequence

import asyncpg
from aiokafka import ConsumerRebalanceListener, TopicPartition
from google.protobuf.message import Message

from naloxone.common.v1.envelope_pb2 import EventEnvelope

from . import envelope as envelope_codec
from .failpoints import failpoint
from .kafka import getmany_until, manual_commit_consumer, topic_partitions
from .logging import correlation_id_var, get_logger
from .metrics import CONSUMER_LAG, PROJECTOR_APPLIED, PROJECTOR_DUPLICATES

log = get_logger("projector")

_IDENT = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


def checked_identifier(name: str) -> str:
    if not _IDENT.match(name):
        raise ValueError(f"not a safe SQL identifier: {name!r}")
    return name


class ProjectedEvent(NamedTuple):
    """An event as a projection sees it (a pair: unpacks as `envelope, payload`)."""

    envelope: EventEnvelope
    payload: Message


class Projection(Protocol):
    """A read model: its tables (in a schema it is handed) and how events change them."""

    name: str
    topics: Sequence[str]

    def ddl(self, schema: str) -> str: ...

    async def apply_batch(self, conn: asyncpg.Connection, schema: str, events: Sequence[ProjectedEvent]) -> None: ...


class Replay(Protocol):
    """A rebuild's fold held in memory: `add` every event in order, then `write` what is still
    held. A projection offers one through `replay()` when loading and upserting its state batch
    by batch would be most of a rebuild's time. It keeps what it can in memory, within a bound
    of its own, writing out and loading back in the schema beyond it; its result must equal what
    `apply_batch` builds from the same events (the rebuild-equality tests compare them)."""

    async def add(self, conn: asyncpg.Connection, schema: str, events: Sequence[ProjectedEvent]) -> None: ...

    async def write(self, conn: asyncpg.Connection, schema: str) -> None: ...


class ReplayableProjection(Projection, Protocol):
    """A projection that can replay in memory, in parallel over groups of its topics.

    `replay_groups()` partitions its topics (unprefixed names) so that no row it writes is
    built from events of two groups: each group can then be replayed by its own process,
    each writing its own rows beside the others'. One group is always correct."""

    def replay(self) -> Replay: ...

    def replay_groups(self) -> Sequence[Sequence[str]]: ...

    #: Optional: topic (unprefixed) -> what one of its events costs to replay, relative to 1 for
    #: any topic not named; the shares are dealt by events times cost.
    replay_costs: Mapping[str, float]


BOOKKEEPING_DDL = """
CREATE TABLE IF NOT EXISTS {s}.projector_offsets (
    topic text NOT NULL, partition integer NOT NULL, next_offset bigint NOT NULL,
    PRIMARY KEY (topic, partition)
);
CREATE TABLE IF NOT EXISTS {s}.processed_events (event_id uuid PRIMARY KEY);
CREATE TABLE IF NOT EXISTS {s}.rejected_events (
    topic text NOT NULL, partition integer NOT NULL, "offset" bigint NOT NULL,
    reason text NOT NULL, PRIMARY KEY (topic, partition, "offset")
);
"""


async def create_schema(conn: asyncpg.Connection, projection: Projection, schema: str) -> None:
    """Create the read model's schema, or start it afresh if its shape (DDL) has changed.

    The DDL's hash is kept in the schema: a read model whose tables changed shape is
    dropped and replayed from the beginning of its topics rather than left half-fitting.
    """
    schema = checked_identifier(schema)
    ddl = BOOKKEEPING_DDL.format(s=schema) + projection.ddl(schema)
    # the shape is independent of the schema's name, so a rebuilt schema renamed live still matches
    shape = hashlib.sha256((BOOKKEEPING_DDL.format(s="_") + projection.ddl("_")).encode()).hexdigest()[:16]
    async with conn.transaction():
        # IF NOT EXISTS is not safe against a concurrent twin (the API and the projector
        # start together): serialise schema creation on a lock named after the schema.
        await conn.execute("SELECT pg_advisory_xact_lock(hashtext($1))", f"schema:{schema}")
        exists = await conn.fetchval("SELECT 1 FROM pg_namespace WHERE nspname = $1", schema)
        if exists:
            has_meta = await conn.fetchval("SELECT to_regclass($1) IS NOT NULL", f"{schema}.read_model_shape")
            stored = await conn.fetchval(f"SELECT shape FROM {schema}.read_model_shape") if has_meta else None
            if stored == shape:
                return
            log.warning("read model changed shape; starting it afresh from the beginning of its topics",
                        schema=schema, stored_shape=stored, shape=shape)
            await conn.execute(f"DROP SCHEMA {schema} CASCADE")
        await conn.execute(f"CREATE SCHEMA {schema}")
        await conn.execute(ddl)
        await conn.execute(f"CREATE TABLE {schema}.read_model_shape (shape text NOT NULL)")
        await conn.execute(f"INSERT INTO {schema}.read_model_shape VALUES ($1)", shape)


@dataclass
class BatchResult:
    applied: int = 0
    duplicates: int = 0
    correlation_ids: tuple[str, ...] = ()
    rejected: int = 0
    # partitions whose stored offset disagreed with what was delivered: seek here
    reseek: dict[TopicPartition, int] = field(default_factory=dict)


def _rejection(record, exc: Exception) -> tuple:
    """A rejected_events row: the record that would not decode, and why."""
    return record.topic, record.partition, record.offset, f"{type(exc).__name__}: {exc}"[:500]


async def _record_new_ids(conn: asyncpg.Connection, schema: str, event_ids: list[str]) -> set[str]:
    """Add the ids to processed_events; returns those it did not hold yet (the events to apply)."""
    return {str(r["event_id"]) for r in await conn.fetch(
        f"INSERT INTO {schema}.processed_events (event_id) SELECT unnest($1::uuid[]) "
        "ON CONFLICT DO NOTHING RETURNING event_id", event_ids)}


async def apply_records(
    conn: asyncpg.Connection,
    projection: Projection,
    schema: str,
    records_by_tp: dict[TopicPartition, list],
) -> BatchResult:
    """Apply one batch in one transaction; returns what happened (see module docstring)."""
    result = BatchResult()
    async with conn.transaction():
        stored = {
            (r["topic"], r["partition"]): r["next_offset"]
            for r in await conn.fetch(
                f"SELECT topic, partition, next_offset FROM {schema}.projector_offsets "
                f"WHERE topic = ANY($1::text[]) FOR UPDATE",
                list({tp.topic for tp in records_by_tp}),
            )
        }
        accepted: list = []
        next_offsets: dict[TopicPartition, int] = {}
        for tp, records in records_by_tp.items():
            expected = stored.get((tp.topic, tp.partition))
            if expected is not None and records and records[0].offset > expected:
                # The read model is behind this consumer (e.g. swapped in by a rebuild).
                result.reseek[tp] = expected
                continue
            fresh = [r for r in records if expected is None or r.offset >= expected]
            if fresh:
                accepted.extend(fresh)
                next_offsets[tp] = fresh[-1].offset + 1

        decoded: list[ProjectedEvent] = []
        seen: set[str] = set()
        for record in accepted:
            try:
                env, payload = envelope_codec.decode(record.value)
            except Exception as exc:  # a poison message must not stop the projector
                result.rejected += 1
                await conn.execute(
                    f'INSERT INTO {schema}.rejected_events (topic, partition, "offset", reason) '
                    "VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING", *_rejection(record, exc))
                continue
            if env.event_id in seen:
                result.duplicates += 1
                continue
            seen.add(env.event_id)
            decoded.append(ProjectedEvent(env, payload))

        if decoded:
            new_ids = await _record_new_ids(conn, schema, [e.envelope.event_id for e in decoded])
            fresh_events = [e for e in decoded if e.envelope.event_id in new_ids]
            result.duplicates += len(decoded) - len(fresh_events)
            if fresh_events:
                await projection.apply_batch(conn, schema, fresh_events)
                result.applied = len(fresh_events)
                result.correlation_ids = tuple(dict.fromkeys(
                    e.envelope.correlation_id for e in fresh_events if e.envelope.correlation_id))
        failpoint("projector.mid_batch")
        if next_offsets:
            tps = list(next_offsets)
            await conn.execute(
                f"""INSERT INTO {schema}.projector_offsets (topic, partition, next_offset)
                    SELECT * FROM unnest($1::text[], $2::int[], $3::bigint[])
                    ON CONFLICT (topic, partition) DO UPDATE SET next_offset = EXCLUDED.next_offset""",
                [tp.topic for tp in tps], [tp.partition for tp in tps], [next_offsets[tp] for tp in tps],
            )
    return result


class _SeekToStored(ConsumerRebalanceListener):
    def __init__(self, runner: "ProjectorRunner") -> None:
        self.runner = runner

    async def on_partitions_revoked(self, revoked) -> None:
        return None

    async def on_partitions_assigned(self, assigned) -> None:
        await self.runner.seek_to_stored(list(assigned))


class ProjectorRunner:
    def __init__(
        self,
        projection: Projection,
        database_url: str,
        bootstrap: str,
        *,
        topic_prefix: str = "",
        group_id: str | None = None,
        schema: str | None = None,
    ) -> None:
        self.projection = projection
        self.database_url = database_url
        self.bootstrap = bootstrap
        self.topics = [f"{topic_prefix}{t}" for t in projection.topics]
        self.schema = checked_identifier(schema or projection.name)
        self.group_id = group_id or f"{topic_prefix}projector.{projection.name}"
        self.ready = False
        self._stopping = asyncio.Event()
        self._conn: asyncpg.Connection | None = None
        # The rebalance listener runs beside batch processing; one connection, one user at a time.
        self._conn_lock = asyncio.Lock()
        self._consumer = None
        self._to_commit: dict[TopicPartition, int] = {}
        self._last_commit = 0.0

    def stop(self) -> None:
        self._stopping.set()

    async def seek_to_stored(self, partitions: list[TopicPartition]) -> None:
        assert self._conn is not None and self._consumer is not None
        async with self._conn_lock:
            rows = await self._conn.fetch(f"SELECT topic, partition, next_offset FROM {self.schema}.projector_offsets")
        stored = {(r["topic"], r["partition"]): r["next_offset"] for r in rows}
        from_the_beginning = []
        for tp in partitions:
            offset = stored.get((tp.topic, tp.partition))
            if offset is None:
                from_the_beginning.append(tp)
            else:
                self._consumer.seek(tp, offset)
        if from_the_beginning:
            # One reset for them all: each seek_to_beginning waits for the fetcher to act on it
            # (up to a whole fetch wait), and the group's coordinator waits for this listener.
            await self._consumer.seek_to_beginning(*from_the_beginning)

    async def run(self) -> None:
        self._conn = await asyncpg.connect(self.database_url)
        await create_schema(self._conn, self.projection, self.schema)
        self._consumer = manual_commit_consumer(self.bootstrap, self.group_id)
        await self._consumer.start()
        self._consumer.subscribe(self.topics, listener=_SeekToStored(self))
        self.ready = True
        log.info("projector consuming", projection=self.projection.name, topics=self.topics, schema=self.schema)
        try:
            failures = 0
            last_lag_report = 0.0
            while not self._stopping.is_set():
                batch = await getmany_until(self._consumer, self._stopping, timeout_ms=2000, max_records=1000)
                if batch:
                    try:
                        await self._process(batch)
                        failures = 0
                    except (asyncpg.PostgresConnectionError, OSError):
                        raise  # lost the database: exit and be restarted; nothing was committed
                    except Exception as exc:  # the batch rolled back whole: go back to the stored offsets
                        failures += 1
                        log.error("batch failed; retrying from stored offsets on a fresh connection",
                                  error=f"{type(exc).__name__}: {exc}", attempt=failures)
                        await asyncio.sleep(min(5.0, 0.1 * 2 ** failures))
                        await self._reconnect()
                        await self.seek_to_stored(list(self._consumer.assignment()))
                        continue
                await self._commit_to_kafka()
                if time.monotonic() - last_lag_report > 5.0:
                    await self._report_lag()
                    last_lag_report = time.monotonic()
        finally:
            self.ready = False
            await self._commit_to_kafka(now=True)
            await self._consumer.stop()
            await self._conn.close()

    async def _reconnect(self) -> None:
        """A failed batch may leave the connection mid-transaction; start clean."""
        async with self._conn_lock:
            self._conn.terminate()
            self._conn = await asyncpg.connect(self.database_url)

    async def _process(self, batch: dict) -> None:
        token = correlation_id_var.set(None)
        try:
            async with self._conn_lock:
                result = await apply_records(self._conn, self.projection, self.schema, batch)
        finally:
            correlation_id_var.reset(token)
        for tp, offset in result.reseek.items():
            log.warning("read model behind consumer; seeking back", partition=tp.partition, offset=offset)
            self._consumer.seek(tp, offset)
        PROJECTOR_APPLIED.labels(self.projection.name).inc(result.applied)
        PROJECTOR_DUPLICATES.labels(self.projection.name).inc(result.duplicates)
        for tp, recs in batch.items():
            if tp in result.reseek:
                self._to_commit.pop(tp, None)
            else:
                self._to_commit[tp] = recs[-1].offset + 1
        if result.applied or result.rejected or result.duplicates:
            # the correlation ids carried in the events, so a request can be traced into the views
            single = result.correlation_ids[0] if len(result.correlation_ids) == 1 else None
            log.info("batch applied", correlation_id=single, applied=result.applied, duplicates=result.duplicates,
                     rejected=result.rejected, correlation_ids=list(result.correlation_ids[:20]))

    async def _commit_to_kafka(self, *, now: bool = False) -> None:
        """Offsets to the group in Kafka, at most once a second: for tooling only (lag, group
        listings); PostgreSQL is the truth. One commit a batch was a broker request per event
        per projector at modest rates."""
        if not self._to_commit or (not now and time.monotonic() - self._last_commit < 1.0):
            return
        commit, self._to_commit = self._to_commit, {}
        self._last_commit = time.monotonic()
        try:
            await self._consumer.commit(commit)
        except Exception as exc:
            log.warning("kafka offset commit failed (harmless)", error=str(exc))

    async def _report_lag(self) -> None:
        for tp in self._consumer.assignment():
            high = self._consumer.highwater(tp)
            if high is None:
                continue
            position = await self._consumer.position(tp)
            CONSUMER_LAG.labels(self.group_id, tp.topic, str(tp.partition)).set(max(0, high - position))


#: Events a rebuild reads (and, without a Replay, writes in one transaction) at a time.
REBUILD_BATCH = 5000


def cpus_available(cgroup_cpu_max: str = "/sys/fs/cgroup/cpu.max") -> int:
    """CPUs this process may use: those it may run on, and no more than its container's CPU
    quota (a pod limited to 500m on an 8-CPU node has one, not eight)."""
    cpus = len(os.sched_getaffinity(0))
    try:
        with open(cgroup_cpu_max) as fh:
            quota, period = fh.read().split()[:2]
    except (OSError, ValueError):
        return cpus
    if quota == "max":
        return cpus
    return max(1, min(cpus, -(-int(quota) // int(period))))


def _rebuild_consumer(bootstrap: str):
    # reading to known ends: a fetch of partitions already read to their end must not sit out a
    # long poll (it held the last partitions' records back by up to 2 s)
    return manual_commit_consumer(bootstrap, None, fetch_max_wait_ms=50, max_partition_fetch_bytes=8 * 1024 * 1024)


async def rebuild(
    projection: Projection,
    database_url: str,
    bootstrap: str,
    *,
    topic_prefix: str = "",
    target_schema: str | None = None,
    swap: bool = True,
    progress=None,
    workers: int | None = None,
) -> int:
    """Replay every event from the beginning into a fresh schema; optionally swap it live.

    Returns the number of events applied. Progress goes to `progress(done, total)`
    (stderr by default) so a long rebuild is never silent. A projection that replays in
    memory is replayed by up to `workers` processes (default: one per CPU it may use), one
    share of its topic groups each.
    """
    live = checked_identifier(projection.name)
    target = checked_identifier(target_schema or f"{live}__rebuild")
    report = _Progress(progress or _stderr_progress(projection.name))
    topics = [f"{topic_prefix}{t}" for t in projection.topics]
    conn = await asyncpg.connect(database_url)
    if target in (live, f"{live}__old") and await conn.fetchval(
            "SELECT 1 FROM pg_namespace WHERE nspname = $1", target):
        # the target is dropped first: naming the live schema here would throw the answering view away
        # (a fresh database, e.g. a replay into a new store, has no such schema yet and is fine)
        await conn.close()
        raise ValueError(f"a rebuild of {live} cannot go into {target}: that is the view being answered from")
    # the other shares' processes fork first, so they connect while this one makes the schema and
    # sizes the shares (their set-up was a fifth of a rebuild when it followed ours)
    replays = hasattr(projection, "replay")
    helpers = _share_processes(projection, database_url, bootstrap, target,
                               workers or cpus_available()) if replays else []
    consumer = _rebuild_consumer(bootstrap)
    # the schema is made while the records are read and folded: nothing is written before it exists
    schema_made = asyncio.create_task(_fresh_schema(conn, projection, target))
    side = None  # a replay's second connection (see _replay_in_memory)
    try:
        bounds, *others = await asyncio.gather(_started_with_bounds(consumer, topics),
                                               *([asyncpg.connect(database_url)] if replays else []))
        if replays:
            side = others[0]
            applied = await _replay_in_shares(projection, (conn, side), consumer, bounds, helpers, target,
                                              topic_prefix, report, schema_made)
        else:
            applied = await _replay_in_batches(conn, projection, target,
                                               _read_to_end(consumer, topics, report.share(0), bounds), schema_made)
        await schema_made  # made even when there was nothing to write (empty topics)
        report.finish()
        if swap:
            async with conn.transaction():
                await conn.execute(f"DROP SCHEMA IF EXISTS {live}__old CASCADE")
                exists = await conn.fetchval("SELECT 1 FROM pg_namespace WHERE nspname = $1", live)
                if exists:
                    await conn.execute(f"ALTER SCHEMA {live} RENAME TO {live}__old")
                await conn.execute(f"ALTER SCHEMA {target} RENAME TO {live}")
                await conn.execute(f"DROP SCHEMA IF EXISTS {live}__old CASCADE")
        return applied
    finally:
        if not schema_made.done():  # the rebuild failed before it needed the schema
            schema_made.cancel()
        await asyncio.gather(schema_made, return_exceptions=True)
        # stopped together: each waits on another process (a share's, the broker, PostgreSQL)
        await asyncio.gather(*(helper.stop() for helper in helpers), consumer.stop(),
                             *(c.close() for c in (side, conn) if c is not None))


async def _started_with_bounds(consumer, topics: list[str]) -> dict[TopicPartition, tuple[int, int]]:
    """Start the consumer; each partition of the topics with its (begin, end) offsets, the ends a
    rebuild reads to: records appended after this are the live projector's to apply."""
    await consumer.start()
    partitions = await topic_partitions(consumer, topics)
    begin, end = await asyncio.gather(consumer.beginning_offsets(partitions), consumer.end_offsets(partitions))
    return {tp: (begin[tp], end[tp]) for tp in partitions}


async def _fresh_schema(conn: asyncpg.Connection, projection: Projection, target: str) -> None:
    await conn.execute(f"DROP SCHEMA IF EXISTS {target} CASCADE")
    await create_schema(conn, projection, target)


class _Progress:
    """Events read so far by every share of a rebuild, reported at most once a second and at the end."""

    def __init__(self, report) -> None:
        self.report = report
        self.done: dict[int, int] = {}
        self.total: dict[int, int] = {}
        self.last = 0.0

    def share(self, index: int):
        def update(done: int, total: int) -> None:
            self.done[index], self.total[index] = done, total
            now = time.monotonic()
            if now - self.last > 1.0:
                self.last = now
                self.report(sum(self.done.values()), sum(self.total.values()))
        return update

    def finish(self) -> None:
        self.report(sum(self.done.values()), sum(self.total.values()))


async def _read_to_end(consumer, topics: list[str], progress, bounds: Mapping[TopicPartition, tuple[int, int]]):
    """Every record of the topics' partitions in `bounds` (partition -> (begin, end), see
    _started_with_bounds), from the beginning to those ends, in batches of at most REBUILD_BATCH
    (partition -> records); `progress(done, total)` after each."""
    partitions = [tp for tp in bounds if tp.topic in topics]
    begin, end = {tp: bounds[tp][0] for tp in partitions}, {tp: bounds[tp][1] for tp in partitions}
    consumer.assign(partitions)
    await consumer.seek_to_beginning(*partitions)
    total = sum(end[tp] - begin[tp] for tp in partitions)
    remaining = {tp for tp in partitions if end[tp] > begin[tp]}
    done = 0
    progress(done, total)
    while remaining:
        batch = await consumer.getmany(*remaining, timeout_ms=200, max_records=REBUILD_BATCH)
        batch = {tp: [r for r in recs if r.offset < end[tp]] if recs[-1].offset >= end[tp] else recs
                 for tp, recs in batch.items() if recs}
        batch = {tp: recs for tp, recs in batch.items() if recs}
        for tp in list(remaining):
            if await consumer.position(tp) >= end[tp]:
                remaining.discard(tp)
        done += sum(len(recs) for recs in batch.values())
        progress(done, total)
        if batch:
            yield batch


def share_sizes(bounds: Mapping[TopicPartition, tuple[int, int]], costs: Mapping[str, float],
                topic_prefix: str = "") -> dict[str, float]:
    """Each topic's work in a replay: its events between the partitions' (begin, end), times the
    cost of one (`costs` by unprefixed topic name; 1 for a topic not named)."""
    sizes: dict[str, float] = {}
    for tp, (first, last) in bounds.items():
        sizes[tp.topic] = sizes.get(tp.topic, 0) + (last - first) * costs.get(tp.topic.removeprefix(topic_prefix), 1.0)
    return sizes


def split_into_shares(groups: Sequence[Sequence[str]], sizes: Mapping[str, float], workers: int) -> list[list[str]]:
    """Topic groups dealt to at most `workers` shares, largest first to the lightest share, so
    the shares carry about as much work each (`sizes`: a topic's events, times their cost);
    empty shares are dropped."""
    shares: list[list[str]] = [[] for _ in range(max(1, workers))]
    loads = [0] * len(shares)
    sized = sorted(((sum(sizes.get(t, 0) for t in g), list(g)) for g in groups), key=lambda sg: (-sg[0], sg[1]))
    for size, group in sized:
        lightest = loads.index(min(loads))
        shares[lightest].extend(group)
        loads[lightest] += size
    return [share for share in shares if share]


def _share_processes(projection: ReplayableProjection, database_url: str, bootstrap: str, target: str,
                     workers: int) -> list["_ShareProcess"]:
    """One forked process for each share after the first (none for one worker)."""
    return [_ShareProcess(projection, database_url, bootstrap, target)
            for _ in range(min(workers, len(projection.replay_groups())) - 1)]


async def _replay_in_shares(projection: ReplayableProjection, conns: tuple[asyncpg.Connection, asyncpg.Connection],
                            consumer, bounds: dict[TopicPartition, tuple[int, int]],
                            helpers: list["_ShareProcess"], target: str, topic_prefix: str,
                            progress: _Progress, schema_made: asyncio.Future) -> int:
    """The in-memory replay, its topic groups dealt to shares: the first replayed here, each other
    by one of the `helpers` (forked processes with their own connections). Shares write disjoint
    rows (see ReplayableProjection), each in its own transaction; the rebuilt schema is not
    answered from until every share has written, so a failed share fails the rebuild and nothing
    is swapped. Every share reads while the target schema is made (`schema_made`, on the first
    of `conns`, this process's two connections: see _replay_in_memory), and writes once it is."""
    groups = [[f"{topic_prefix}{t}" for t in g] for g in projection.replay_groups()]
    sizes = share_sizes(bounds, getattr(projection, "replay_costs", {}), topic_prefix)
    shares = split_into_shares(groups, sizes, len(helpers) + 1)
    for i, helper in enumerate(helpers, start=1):
        helper.assign(shares[i] if i < len(shares) else None, bounds, progress.share(i))
    schema_made.add_done_callback(lambda made: [helper.schema_made(made) for helper in helpers])
    with _collector_paused():  # this share's replay is let go by the call's end
        applied = await _replay_in_memory(conns, projection.replay(), target,
                                          _read_to_end(consumer, shares[0], progress.share(0), bounds), schema_made)
    for helper in helpers:
        applied += await helper.result()
    return applied


class _ShareProcess:
    """One share of a parallel replay in a forked process: the parent's modules are already
    imported (a spawned interpreter would spend longer importing than many replays take). The
    child opens its own database connection and Kafka consumer (touching nothing inherited),
    then waits to be told its topics (`assign`; None: no share for it), and reads them; it writes
    once told the target schema is made (`schema_made`). It reports ("progress", done, total),
    then ("done", applied) or ("failed", reason)."""

    def __init__(self, projection: ReplayableProjection, database_url: str, bootstrap: str, target: str):
        context = multiprocessing.get_context("fork")
        self.reader, writer = context.Pipe(duplex=False)
        orders, self.orders = context.Pipe(duplex=False)
        self.process = context.Process(target=_replay_share, name=f"rebuild {target}", daemon=True,
                                       args=(projection, database_url, bootstrap, target, orders, writer))
        self.process.start()
        writer.close()
        orders.close()
        self.progress = None
        self.outcome: asyncio.Future = asyncio.get_running_loop().create_future()
        asyncio.get_running_loop().add_reader(self.reader.fileno(), self._readable)

    def assign(self, topics: list[str] | None, bounds: dict, progress) -> None:
        """The share's topics (None: no share), and the rebuild's bounds (partition -> (begin,
        end)), of which it reads its topics' partitions."""
        self.progress = progress
        if topics:
            self.process.name = f"{self.process.name} {topics}"
        self.orders.send((topics, bounds))

    def schema_made(self, made: asyncio.Future) -> None:
        """Tell the share it may write (the schema is made), unless making it failed: the rebuild
        then fails and stops the share."""
        if not made.cancelled() and made.exception() is None and self.process.is_alive():
            try:
                self.orders.send("schema made")
            except OSError:  # the share is gone; its outcome says why
                pass

    def _readable(self) -> None:
        try:
            while not self.outcome.done() and self.reader.poll():
                message = self.reader.recv()
                if message[0] == "progress":
                    self.progress(message[1], message[2])
                elif message[0] == "done":
                    self.outcome.set_result(message[1])
                else:
                    self.outcome.set_exception(
                        RuntimeError(f"a rebuild share ({self.process.name}) failed: {message[1]}"))
        except (EOFError, OSError):
            self.outcome.set_exception(RuntimeError(
                f"a rebuild share ({self.process.name}) ended without a result (exit code {self.process.exitcode})"))
        if self.outcome.done():
            asyncio.get_running_loop().remove_reader(self.reader.fileno())

    async def result(self) -> int:
        return await self.outcome

    async def stop(self) -> None:
        """Reap the process; kill it first unless it reported success (the rebuild failed elsewhere)."""
        succeeded = self.outcome.done() and not self.outcome.cancelled() and self.outcome.exception() is None
        if not self.outcome.done():
            asyncio.get_running_loop().remove_reader(self.reader.fileno())
            self.outcome.cancel()
        if not succeeded and self.process.is_alive():
            self.process.kill()
        await asyncio.to_thread(self.process.join)
        self.reader.close()
        self.orders.close()


def _replay_share(projection: ReplayableProjection, database_url: str, bootstrap: str, target: str,
                  orders, pipe) -> None:
    """The forked share's whole life (see _ShareProcess)."""
    # never collected: the process ends with its replay (re-enabled before the report, the
    # collector's first pass over every entity delayed it by ~17 ms)
    gc.disable()
    parent = os.getppid()
    last = [0.0]
    held: list[Replay] = []  # the replay's entities are freed by the process's end, not one by one before it reports

    def progress(done: int, total: int) -> None:
        now = time.monotonic()
        if now - last[0] > 0.2 or done == total:
            last[0] = now
            pipe.send(("progress", done, total))

    async def told():
        # a sibling forked later holds a copy of our orders pipe, so a parent that died shows as
        # a new parent process, not always as an end of file
        while not await asyncio.to_thread(orders.poll, 0.5):
            if os.getppid() != parent:
                raise RuntimeError("the rebuild's process is gone")
        return orders.recv()

    async def replay() -> None:
        consumer = _rebuild_consumer(bootstrap)
        conns: tuple = ()
        try:
            *conns, _ = await asyncio.gather(asyncpg.connect(database_url), asyncpg.connect(database_url),
                                             consumer.start())
            topics, bounds = await told()
            applied = 0
            if topics:
                held.append(projection.replay())
                applied = await _replay_in_memory(tuple(conns), held[0], target,
                                                  _read_to_end(consumer, topics, progress, bounds),
                                                  asyncio.ensure_future(told()))  # "schema made"
            failpoint("rebuild.share_written")  # rows written, success not yet reported
            # reported before the consumer and connections close: the rows are committed, and the
            # rebuild is waiting on this
            pipe.send(("done", applied))
            reported.append(True)
        finally:
            await asyncio.gather(consumer.stop(), *(conn.close() for conn in conns))

    reported: list[bool] = []
    try:
        asyncio.run(replay())
    except BaseException as exc:  # reported to the parent, which fails the rebuild
        if not reported:
            pipe.send(("failed", f"{type(exc).__name__}: {exc}"[:1000]))
    finally:
        pipe.close()


async def _replay_in_batches(conn: asyncpg.Connection, projection: Projection, target: str, batches,
                             schema_made: asyncio.Future) -> int:
    """Each batch through `apply_records`, as the live projector applies it, once the target
    schema is made (`schema_made`, on `conn`). Two batches in flight: while one is written
    (PostgreSQL working on the other core), the next is fetched and unpacked. Batches still go
    to the database one at a time, in order."""
    applied = 0
    writing: asyncio.Task | None = None
    try:
        async for batch in batches:
            await schema_made
            if writing is not None:
                applied += (await writing).applied
            writing = asyncio.create_task(apply_records(conn, projection, target, batch))
        if writing is not None:
            applied += (await writing).applied
            writing = None
    finally:
        if writing is not None and not writing.done():
            writing.cancel()
            await asyncio.gather(writing, return_exceptions=True)
    return applied


#: Event ids a replay keeps in memory for its dedupe (about 100 bytes each); past this it writes
#: them out and lets processed_events decide, batch by batch, as the live projector does.
REPLAY_MAX_IDS = 200_000


async def _copy_ids(conn: asyncpg.Connection, schema: str, event_ids: set[str]) -> None:
    """Event ids no processed_events row holds yet, by COPY."""
    await conn.copy_records_to_table("processed_events", schema_name=schema, columns=["event_id"],
                                     records=[(event_id,) for event_id in event_ids])


async def _replay_in_memory(conns: tuple[asyncpg.Connection, asyncpg.Connection], replay: Replay, target: str,
                            batches, schema_made: asyncio.Future) -> int:
    """Every event through the Replay, which holds what it can in memory and writes it out when it
    must; the applied event ids kept in memory too and copied in at the end (or, past
    REPLAY_MAX_IDS, written out and then checked against the table batch by batch).

    The same rules as `apply_records`: an event id seen before is dropped, a record that does not
    decode is kept in rejected_events, each partition's next offset is the one after its last record.

    At the end the Replay's rows go in on the first connection while the event ids, rejections and
    offsets go in on the second, at once: PostgreSQL works on both (one after the other, the
    event ids' COPY was the last sixth of a share). Two transactions are enough: a rebuilt schema
    is not answered from until every share has written (see _replay_in_shares).

    Nothing is written before `schema_made` is done: the records are read and folded while the
    target schema is made (it took ~80 ms, against ~80 ms to the first records). Callers pause
    the cyclic collector (see _collector_paused)."""
    conn, side = conns
    seen: set[str] = set()
    ids_in_table = False
    applied = 0
    rejected: list[tuple] = []
    next_offsets: dict[TopicPartition, int] = {}
    decode = envelope_codec.decode
    async for batch in batches:
        events: list[ProjectedEvent] = []
        for tp, records in batch.items():
            for record in records:
                try:
                    env, payload = decode(record.value)
                except Exception as exc:  # a poison message must not stop the rebuild
                    rejected.append(_rejection(record, exc))
                    continue
                event_id = env.event_id
                if event_id in seen:
                    continue
                seen.add(event_id)
                events.append(ProjectedEvent(env, payload))
            next_offsets[tp] = records[-1].offset + 1
        await schema_made  # the Replay may write as it adds; the ids below are written
        if ids_in_table:
            new_ids = await _record_new_ids(conn, target, list(seen))
            events = [e for e in events if e.envelope.event_id in new_ids]
            seen.clear()
        elif len(seen) > REPLAY_MAX_IDS:
            await _copy_ids(conn, target, seen)
            seen.clear()
            ids_in_table = True
        applied += len(events)
        await replay.add(conn, target, events)
    await schema_made  # (no records at all)

    async def rows() -> None:
        async with conn.transaction():
            await replay.write(conn, target)

    async def bookkeeping() -> None:
        async with side.transaction():
            if seen:
                await _copy_ids(side, target, seen)
            if rejected:
                await side.copy_records_to_table("rejected_events", schema_name=target, records=rejected)
            if next_offsets:
                await side.copy_records_to_table(
                    "projector_offsets", schema_name=target,
                    records=[(tp.topic, tp.partition, offset) for tp, offset in next_offsets.items()])

    async with asyncio.TaskGroup() as writing:
        writing.create_task(rows())
        writing.create_task(bookkeeping())
    return applied


@contextlib.contextmanager
def _collector_paused():
    """The cyclic collector paused. A replay's fold keeps every entity alive and makes no
    reference cycles, so the collector's passes over the growing heap found nothing and were
    about a tenth of a rebuild (measured); the rows of the final write set off full passes over
    every entity (5%). Re-enabled, its first pass walks every object made meanwhile: a replay is
    let go before (a share's process never re-enables it)."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()


def _stderr_progress(name: str, width: int = 30):
    """A progress bar redrawn in place on a terminal; one line per report otherwise (logs, CI)."""
    started = time.monotonic()
    tty = sys.stderr.isatty()

    def report(done: int, total: int) -> None:
        fraction = done / total if total else 1.0
        rate = done / max(time.monotonic() - started, 1e-9)
        bar = "#" * round(width * fraction) + "." * (width - round(width * fraction))
        line = f"rebuild {name} [{bar}] {done}/{total} events ({100 * fraction:.0f}%) {rate:,.0f} events/s"
        sys.stderr.write(f"\r{line}" + ("\n" if done >= total else "") if tty else f"{line}\n")
        sys.stderr.flush()

    return report
