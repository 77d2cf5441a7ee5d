"""An independent checker: what became of every command the load sent, after the faults.

It reads the platform's state directly, never through the services' code paths: each
store's `events`, `outbox` and `idempotency_keys` tables (SQL), the raw topics (its own
consumer, no group, read_committed, envelopes decoded here), and each read model's
`processed_events` (SQL). Only the last check, "every view equals a fresh rebuild", runs
the kernel's `rebuild` (that is what a rebuild is), in this process into a schema beside
the live one, compared table by table as `harness.assert_equals_fresh_rebuild` does.

For every command the gateway acknowledged: the store holds its answer and exactly the
events the answer names, appended once (one transaction); each event is on its topic;
each read model that reads that topic has applied it (once: `processed_events` is keyed
by event id and the view equals a replay, which dedupes); each per-force egress topic
holds as many copies as its source topic. Every refused command left no answer and no
event anywhere. Across all stores, no command or reaction appended twice, and no read
model has a gap (an event on its topics it never applied) or an event no topic holds.
"""

from __future__ import annotations

import asyncio
import json
from collections import Counter, defaultdict
from dataclasses import dataclass, field

import asyncpg
from aiokafka.admin import AIOKafkaAdminClient

from naloxone.common.v1.envelope_pb2 import EventEnvelope
from naloxone.contracts import force_topic
from naloxone_kernel.projector import rebuild as replay
from naloxone_kernel.registry import SERVICES
from naloxone_kernel.service import load_parts

from bench.workload import Sent

from ..harness import schema_tables, topic_end_offsets
from ..support import IsolatedStack, topic_messages, wait_for


@dataclass(frozen=True)
class Consumer:
    """A read model or a reactor: a schema with processed_events, reading some topics."""

    service: str
    name: str  # its schema
    topics: tuple[str, ...]  # contract names (without the stack's prefix)
    rebuildable: bool


def consumers() -> list[Consumer]:
    """Every read model and reactor of every registered service."""
    out = []
    for entry in SERVICES:
        parts = load_parts(entry)
        for model in parts.read_models:
            out.append(Consumer(entry.name, model.name, tuple(model.topics), True))
        if parts.reactions and "reactor" in entry.processes:
            topics = tuple(dict.fromkeys(t for r in parts.reactions for t in r.topics))
            out.append(Consumer(entry.name, f"{entry.name}_reactions", topics, False))
    return out


@dataclass
class Report:
    acknowledged: int = 0
    retried: int = 0
    rejected: int = 0
    unanswered: int = 0
    lost: int = 0  # acknowledged commands with an event missing from its store, its topic or a view
    duplicated: int = 0  # commands or reactions appended more than once, or republished/applied twice
    events: int = 0
    problems: list[str] = field(default_factory=list)
    by_kind: Counter = field(default_factory=Counter)

    def problem(self, text: str) -> None:
        if len(self.problems) < 200:
            self.problems.append(text)

    def counts(self) -> dict:
        return {"acknowledged": self.acknowledged, "retried": self.retried, "rejected": self.rejected,
                "unanswered": self.unanswered, "lost": self.lost, "duplicated effects": self.duplicated,
                "events checked": self.events}

    def text(self) -> str:
        lines = ["  ".join(f"{k} {v}" for k, v in self.counts().items())]
        lines += [f"  problem: {p}" for p in self.problems[:40]]
        return "\n".join(lines)


async def _stores(stack: IsolatedStack) -> dict[str, str]:
    """Every database holding an event store: each service's, and the gateway's (agreements)."""
    stores = {entry.name: stack.database_urls[entry.name] for entry in SERVICES}
    if await stack.scalar("SELECT to_regclass('public.events') IS NOT NULL", service_name="gateway"):
        stores["gateway"] = stack.database_urls["gateway"]
    return stores


async def read_topic_copies(bootstrap: str, topics: list[str]) -> dict[str, Counter]:
    """topic -> Counter(event_id -> copies), every committed record on it now."""
    out: dict[str, Counter] = {t: Counter() for t in topics}
    for record in await topic_messages(bootstrap, topics, committed_only=True):
        out[record.topic][EventEnvelope.FromString(record.value).event_id] += 1
    return out


async def egress_committed(stack: IsolatedStack, service_name: str, source: str) -> int:
    """How far a service's egress has republished its topic: its group's committed offsets, summed."""
    admin = AIOKafkaAdminClient(bootstrap_servers=stack.servers.kafka_bootstrap)
    await admin.start()
    try:
        offsets = await admin.list_consumer_group_offsets(f"{stack.topic_prefix}egress.{service_name}")
    finally:
        await admin.close()
    return sum(meta.offset for tp, meta in offsets.items() if tp.topic == source and meta.offset >= 0)


async def settle(stack: IsolatedStack, timeout: float = 180.0) -> None:
    """Until every outbox is drained, every read model and reactor has reached the end of its
    topics and every egress has republished to the end of its own, twice in a row with no new
    event (reactions append after their cause). An egress that a broker restart held up for a
    while is not counted as losing what it had still to send."""
    stores = await _stores(stack)
    every = consumers()
    egress = [(e.name, stack.topic_prefix + e.topic) for e in SERVICES if "egress" in e.processes]

    async def total_events() -> int:
        n = 0
        for name in stores:
            n += await stack.scalar("SELECT count(*) FROM events", service_name=name)
        return n

    async def quiet() -> bool:
        for name in stores:
            if await stack.scalar("SELECT count(*) FROM outbox WHERE published_at IS NULL", service_name=name):
                return False
        for c in every:
            end = await topic_end_offsets(stack, [stack.topic_prefix + t for t in c.topics])
            try:
                stored = await stack.scalar(f"SELECT coalesce(sum(next_offset), 0) FROM {c.name}.projector_offsets",
                                            service_name=c.service)
            except asyncpg.UndefinedTableError:
                stored = 0
            if stored != end:
                return False
        for service_name, source in egress:
            if await egress_committed(stack, service_name, source) != await topic_end_offsets(stack, [source]):
                return False
        return True

    last = None
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        await wait_for(quiet, timeout=max(1.0, deadline - asyncio.get_running_loop().time()), interval=0.3,
                       message="every outbox drained and every consumer at the end of its topics")
        now = await total_events()
        if now == last:
            return
        last = now
        await asyncio.sleep(1.0)


async def check(stack: IsolatedStack, ledger: list[Sent], *, rebuild: bool = True) -> Report:
    report = Report()
    stores = await _stores(stack)
    commands = [s for s in ledger]
    report.acknowledged = sum(s.acknowledged for s in commands)
    report.retried = sum(s.retried for s in commands)
    report.rejected = sum(s.rejected for s in commands)
    report.unanswered = sum(s.status is None or (not s.acknowledged and not s.rejected) for s in commands)
    report.by_kind = Counter(f"{s.kind} {s.status}" for s in commands)
    for s in commands:
        if s.expect_reject and s.acknowledged:
            report.problem(f"{s.kind} {s.request_id}: should have been refused, got {s.status}")
        if not s.expect_reject and s.rejected and s.status not in (409,):
            report.problem(f"{s.kind} {s.request_id}: refused with {s.status}: {str(s.response)[:200]}")

    # ---- the stores: events, their topic (from the outbox) and answers, read directly
    events: dict[str, dict] = {}  # event_id -> row (+ store)
    by_cause: dict[tuple[str, str], list[dict]] = defaultdict(list)  # (store, causation) -> events
    answers: dict[str, dict] = {}  # plain Idempotency-Key -> answer row (+ store)
    correlations: Counter = Counter()
    for name, url in stores.items():
        conn = await asyncpg.connect(url)
        try:
            rows = await conn.fetch(
                "SELECT e.event_id::text AS event_id, e.event_type, e.force_id, e.causation_id, e.correlation_id, "
                "e.actor, e.transaction_id::text AS tx, o.topic, o.published_at IS NOT NULL AS published "
                "FROM events e LEFT JOIN outbox o ON o.event_id = e.event_id")
            for r in rows:
                row = {**dict(r), "store": name}
                if row["event_id"] in events:
                    report.duplicated += 1
                    report.problem(f"event {row['event_id']} has two outbox rows or is in two stores")
                events[row["event_id"]] = row
                if row["causation_id"]:
                    by_cause[(name, row["causation_id"])].append(row)
                if row["correlation_id"]:
                    correlations[row["correlation_id"]] += 1
                if row["topic"] is None:
                    report.problem(f"{name}: event {row['event_id']} has no outbox row")
                elif not row["published"]:
                    report.problem(f"{name}: event {row['event_id']} still unpublished after settling")
            for r in await conn.fetch("SELECT key, outcome, response FROM idempotency_keys WHERE key LIKE '[%'"):
                try:
                    scoped = json.loads(r["key"])
                except ValueError:
                    continue
                if isinstance(scoped, list) and len(scoped) == 3 and str(scoped[2]).startswith("ld-"):
                    response = r["response"]
                    answers[scoped[2]] = {"scoped": r["key"], "outcome": r["outcome"], "store": name,
                                          "response": json.loads(response) if isinstance(response, str) else response}
        finally:
            await conn.close()
    report.events = len(events)

    # no command or reaction appended twice: one cause (and actor), one transaction
    for (name, cause), rows in by_cause.items():
        per_actor = defaultdict(set)
        for r in rows:
            per_actor[r["actor"]].add(r["tx"])
        for actor, txs in per_actor.items():
            if len(txs) > 1:
                report.duplicated += 1
                report.problem(f"{name}: cause {cause[:80]} by {actor} appended in {len(txs)} transactions")

    # ---- the topics, read with our own consumer
    source_topics = sorted({r["topic"] for r in events.values() if r["topic"]})
    egress_services = [e for e in SERVICES if "egress" in e.processes]
    forces = sorted({r["force_id"] for r in events.values() if r["force_id"]})
    force_topics = [stack.topic_prefix + force_topic(f) for f in forces] if egress_services else []
    copies = await read_topic_copies(stack.servers.kafka_bootstrap, source_topics + force_topics)
    on_topic = {t: copies[t] for t in source_topics}

    # ---- every read model and reactor: what it applied
    applied: dict[str, set[str]] = {}
    for c in consumers():
        conn = await asyncpg.connect(stack.database_urls[c.service])
        try:
            try:
                applied[c.name + "@" + c.service] = {
                    str(r[0]) for r in await conn.fetch(f"SELECT event_id FROM {c.name}.processed_events")}
                rejected = await conn.fetchval(f"SELECT count(*) FROM {c.name}.rejected_events")
            except asyncpg.UndefinedTableError:
                applied[c.name + "@" + c.service] = set()
                rejected = 0
        finally:
            await conn.close()
        if rejected:
            report.problem(f"{c.service}/{c.name}: {rejected} records it could not decode")
        expected: set[str] = set()
        for t in c.topics:
            expected |= set(copies.get(stack.topic_prefix + t) or
                            (await read_topic_copies(stack.servers.kafka_bootstrap, [stack.topic_prefix + t]))[
                                stack.topic_prefix + t])
        seen = applied[c.name + "@" + c.service]
        gaps, extra = expected - seen, seen - expected
        if gaps:
            report.problem(f"{c.service}/{c.name}: {len(gaps)} events on its topics never applied (a gap), "
                           f"e.g. {sorted(gaps)[:3]}")
        if extra:
            report.problem(f"{c.service}/{c.name}: {len(extra)} applied events no topic holds, e.g. {sorted(extra)[:3]}")

    # ---- per-force egress: exactly one copy per copy on the source topic
    if egress_services:
        republished = Counter()
        for t in force_topics:
            republished.update(copies[t])
        for entry in egress_services:
            source = stack.topic_prefix + entry.topic
            for event_id, n in on_topic.get(source, Counter()).items():
                row = events.get(event_id)
                if row is None or not row["force_id"]:
                    continue
                if republished[event_id] < n:
                    report.problem(f"egress {entry.name}: event {event_id} {republished[event_id]} times on its "
                                   f"force topic, {n} on {source}")
                elif republished[event_id] > n:
                    report.duplicated += 1
                    report.problem(f"egress {entry.name}: event {event_id} republished {republished[event_id]} "
                                   f"times for {n} on its source")

    # ---- every acknowledged command: answer, events, topic, views, egress
    readers: dict[str, list[str]] = defaultdict(list)  # topic (prefixed) -> consumers reading it
    for c in consumers():
        for t in c.topics:
            readers[stack.topic_prefix + t].append(c.name + "@" + c.service)
    for s in commands:
        if not s.acknowledged:
            continue
        why = _command_lost(s, answers, by_cause, on_topic, applied, readers, stack, events, egress_services, copies)
        if why:
            report.lost += 1
            report.problem(f"lost: {s.kind} {s.request_id} ({s.service}): {why}")

    # ---- every refused command left nothing
    for s in commands:
        if s.rejected:
            if s.key in answers:
                report.problem(f"refused {s.kind} {s.request_id} ({s.status}) left an answer in {answers[s.key]['store']}")
            if correlations.get(s.request_id):
                report.problem(f"refused {s.kind} {s.request_id} ({s.status}) left {correlations[s.request_id]} events")

    # ---- every view equals a fresh rebuild (the kernel's rebuild, in this process: no process start each)
    if rebuild:
        semaphore = asyncio.Semaphore(2)

        async def compare(c: Consumer) -> None:
            async with semaphore:
                entry = next(e for e in SERVICES if e.name == c.service)
                model = next(m for m in load_parts(entry).read_models if m.name == c.name)
                url = stack.database_urls[c.service]
                check_schema = f"{c.name}_check"
                try:
                    await replay(model, url, stack.servers.kafka_bootstrap, topic_prefix=stack.topic_prefix,
                                 target_schema=check_schema, swap=False)
                except Exception as exc:  # said, with the rest
                    report.problem(f"{c.service}/{c.name}: the rebuild failed: {type(exc).__name__}: {exc}"[:600])
                    return
                conn = await asyncpg.connect(url)
                try:
                    live, rebuilt = await schema_tables(conn, c.name), await schema_tables(conn, check_schema)
                    await conn.execute(f"DROP SCHEMA IF EXISTS {check_schema} CASCADE")
                finally:
                    await conn.close()
                differ = sorted(t for t in live.keys() | rebuilt.keys() if live.get(t) != rebuilt.get(t))
                if differ:
                    report.duplicated += 1
                    report.problem(f"{c.service}/{c.name} differs from a fresh rebuild in {differ}")
                    for t in differ:  # what differs, so a failed run can be understood afterwards
                        only_live = [r for r in live.get(t, []) if r not in rebuilt.get(t, [])]
                        only_rebuilt = [r for r in rebuilt.get(t, []) if r not in live.get(t, [])]
                        report.problem(f"  {t}: only live {only_live[:3]} ({len(only_live)}); "
                                       f"only rebuilt {only_rebuilt[:3]} ({len(only_rebuilt)})"[:1500])

        await asyncio.gather(*(compare(c) for c in consumers() if c.rebuildable))
    return report


def _command_lost(s: Sent, answers, by_cause, on_topic, applied, readers, stack, events, egress_services,
                  copies) -> str | None:
    answer = answers.get(s.key)
    if answer is None:
        return "no answer stored under its key"
    named = list((s.response or {}).get("events") or answer["response"].get("events") or [])
    rows = by_cause.get((answer["store"], answer["scoped"]), [])
    rows = [r for r in rows if not r["actor"].startswith("system:")]
    if sorted(r["event_type"] for r in rows) != sorted(named):
        return f"its answer names {named}, the store holds {sorted(r['event_type'] for r in rows)}"
    for r in rows:
        topic = r["topic"]
        if not on_topic.get(topic, {}).get(r["event_id"]):
            return f"event {r['event_id']} ({r['event_type']}) is not on {topic}"
        for reader in readers.get(topic, []):
            if r["event_id"] not in applied[reader]:
                return f"event {r['event_id']} ({r['event_type']}) not applied by {reader}"
        if r["force_id"] and any(stack.topic_prefix + e.topic == topic for e in egress_services):
            force_copies = copies.get(stack.topic_prefix + force_topic(r["force_id"]), Counter())
            if not force_copies.get(r["event_id"]):
                return f"event {r['event_id']} ({r['event_type']}) is not on its force topic"
    return None
