"""The views read model: every domain topic in, a ledger of contributions out (see ledger.py).

Tables (in the read model's own schema; nothing here reads another service's tables):
- `entities`: each counted thing's small state (officer, kit, holder, administration,
  referral, alert, provision), so the next event can be turned into a difference;
- `ledger`: (force, metric, bucket, recorded UK day) -> delta; sums up to a day give the
  figures as they stood at the end of that day;
- `totals`: the same summed over days, for reads of the current figures.

A batch is folded in memory and written in five statements whatever its size.
"""

from __future__ import annotations

import json
from collections import Counter
from datetime import date
from typing import Sequence

import asyncpg
from naloxone.contracts import TOPICS
from naloxone_kernel.projector import ProjectedEvent
from orjson import dumps

from .figures import MONTH_END_STATES, MONTHLY, windows
from .ledger import Entity, entity_key, fold, holders_named, independent_topic_groups


class ViewsReadModel:
    """Cross-domain figures from every domain topic (training, inventory, incidents, diversion,
    alerts, provision; a domain added to the contracts later is consumed too and its events
    skipped until the ledger learns them)."""

    name = "views_figures"
    topics = tuple(TOPICS.values())
    #: an inventory event changes a kit and often a holder too: on the demo's data, a share of
    #: inventory, incidents and alerts (~29,000 events) took ~850 ms against ~700 for one of
    #: training and diversion (~29,000)
    replay_costs = {TOPICS["inventory"]: 1.25}

    def ddl(self, schema: str) -> str:
        # keys are identifiers, compared byte by byte (COLLATE "C"): under the databases' C.UTF-8,
        # PostgreSQL 15 compares text through the C library, and the entities' key took ~15% more
        # CPU to build in a rebuild's COPY
        return f"""
        CREATE TABLE IF NOT EXISTS {schema}.entities (
            kind      text COLLATE "C" NOT NULL,
            entity_id text COLLATE "C" NOT NULL,
            force_id  text COLLATE "C" NOT NULL,
            version   bigint NOT NULL,
            state     text NOT NULL,
            PRIMARY KEY (kind, entity_id)
        );
        -- a force's open alerts; only alerts are looked up by force (an index of every entity by
        -- force was ~50 of the ~190 ms of PostgreSQL CPU that copying the demo's ~42,000 took)
        CREATE INDEX IF NOT EXISTS alerts_by_force ON {schema}.entities (force_id) WHERE kind = 'alert';
        CREATE TABLE IF NOT EXISTS {schema}.ledger (
            force_id text COLLATE "C" NOT NULL,
            metric   text COLLATE "C" NOT NULL,
            bucket   text COLLATE "C" NOT NULL,
            day      date NOT NULL,
            delta    bigint NOT NULL,
            PRIMARY KEY (force_id, metric, bucket, day)
        );
        CREATE INDEX IF NOT EXISTS ledger_by_day ON {schema}.ledger (day);
        CREATE TABLE IF NOT EXISTS {schema}.totals (
            force_id text COLLATE "C" NOT NULL,
            metric   text COLLATE "C" NOT NULL,
            bucket   text COLLATE "C" NOT NULL,
            value    bigint NOT NULL,
            PRIMARY KEY (force_id, metric, bucket)
        );
        """

    async def apply_batch(self, conn: asyncpg.Connection, schema: str, events: Sequence[ProjectedEvent]) -> None:
        entities = await _load_named(conn, schema, events, {})
        ledger, touched = fold(entities, events)
        await _upsert(conn, schema, {k: entities[k] for k in touched}, ledger)

    def replay(self) -> "ViewsReplay":
        return ViewsReplay()

    def replay_groups(self) -> list[list[str]]:
        return independent_topic_groups(self.topics)


class ViewsReplay:
    """A rebuild's fold in memory: entities stay loaded across batches (a batch by batch rebuild
    spent most of its time loading and upserting them) and are copied in at the end with the
    ledger and totals. Past `max_entities` held (about 1-2 KB each) it writes them out, lets
    them go, and from then on loads what each batch names, as `apply_batch` does. Either way
    the rows equal what `apply_batch` leaves after the same events, whatever its batches were."""

    def __init__(self, max_entities: int = 50_000) -> None:
        self.max_entities = max_entities
        self.entities: dict = {}
        self.touched: set = set()
        self.ledger: Counter = Counter()
        self.written = False  # has any been written out (so the tables may hold some of ours)

    async def add(self, conn: asyncpg.Connection, schema: str, events: Sequence[ProjectedEvent]) -> None:
        if self.written:
            self.entities.update(await _load_named(conn, schema, events, self.entities))
        ledger, touched = fold(self.entities, events)
        self.ledger.update(ledger)
        self.touched |= touched
        if len(self.entities) > self.max_entities:
            await self._write_out(conn, schema)

    async def write(self, conn: asyncpg.Connection, schema: str) -> None:
        """The end of the replay: what is held goes out and stays held (freeing every entity one
        by one here was a twentieth of a rebuild; whoever holds this replay lets it go at once)."""
        await self._write_out(conn, schema, finished=True)

    async def _write_out(self, conn: asyncpg.Connection, schema: str, finished: bool = False) -> None:
        if self.written:
            await _upsert(conn, schema, {k: self.entities[k] for k in self.touched}, self.ledger)
        else:  # nothing of ours in the tables yet (other shares write other rows): copy, the fast way
            await _copy(conn, schema, self.entities, self.ledger)
        if finished:
            return
        self.entities.clear()
        self.touched.clear()
        self.ledger.clear()
        self.written = True


def _state_rows(entities: dict) -> list[tuple]:
    # orjson: a rebuild writes every entity's state (~40,000 at the demo's scale 1), and the standard
    # library's dumps was 13% of a one-process rebuild's time (3.4 against 0.3 us a state)
    return [(kind, entity_id, e.force_id, e.version, dumps(e.state).decode())
            for (kind, entity_id), e in entities.items()]


def _totals(ledger: Counter) -> Counter:
    totals: Counter = Counter()
    for (force_id, metric, bucket, _day), delta in ledger.items():
        totals[(force_id, metric, bucket)] += delta
    return totals


async def _copy(conn: asyncpg.Connection, schema: str, entities: dict, ledger: Counter) -> None:
    """Rows no table holds yet, by COPY."""
    await conn.copy_records_to_table("entities", schema_name=schema,
                                     columns=["kind", "entity_id", "force_id", "version", "state"],
                                     records=_state_rows(entities))
    await conn.copy_records_to_table("ledger", schema_name=schema,
                                     columns=["force_id", "metric", "bucket", "day", "delta"],
                                     records=[(*key, delta) for key, delta in ledger.items()])
    await conn.copy_records_to_table("totals", schema_name=schema, columns=["force_id", "metric", "bucket", "value"],
                                     records=[(*key, value) for key, value in _totals(ledger).items()])


async def _upsert(conn: asyncpg.Connection, schema: str, entities: dict, ledger: Counter) -> None:
    """Changed entities over their stored rows; ledger and totals deltas added to theirs."""
    if entities:
        rows = sorted(_state_rows(entities))
        await conn.execute(
            f"""INSERT INTO {schema}.entities (kind, entity_id, force_id, version, state)
                SELECT k, i, f, v, s FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[],
                                                      $5::text[]) AS t(k, i, f, v, s)
                ON CONFLICT (kind, entity_id) DO UPDATE SET force_id = EXCLUDED.force_id,
                    version = EXCLUDED.version, state = EXCLUDED.state""",
            *map(list, zip(*rows)))
    if ledger:
        items = sorted(ledger.items())
        await conn.execute(
            f"""INSERT INTO {schema}.ledger (force_id, metric, bucket, day, delta)
                SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::date[], $5::bigint[])
                ON CONFLICT (force_id, metric, bucket, day) DO UPDATE SET delta = ledger.delta + EXCLUDED.delta""",
            [k[0] for k, _ in items], [k[1] for k, _ in items], [k[2] for k, _ in items],
            [k[3] for k, _ in items], [v for _, v in items])
        t = sorted(_totals(ledger).items())
        await conn.execute(
            f"""INSERT INTO {schema}.totals (force_id, metric, bucket, value)
                SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[])
                ON CONFLICT (force_id, metric, bucket) DO UPDATE SET value = totals.value + EXCLUDED.value""",
            [k[0] for k, _ in t], [k[1] for k, _ in t], [k[2] for k, _ in t], [v for _, v in t])


async def _load_named(conn: asyncpg.Connection, schema: str, events: Sequence, held: dict) -> dict:
    """The stored entities the events name that `held` lacks, with the holders of those kits."""
    # an entity whose first event here opens its stream (version 1) cannot be stored yet
    keys, fresh = set(), set()
    for env, p in events:
        k = entity_key(p)
        if k is not None and k not in keys and k not in fresh and k not in held:
            (fresh if env.aggregate_version == 1 and k[0] != "alert" else keys).add(k)
    keys |= holders_named(p for _, p in events) - held.keys()
    entities = await _load(conn, schema, keys)
    holders = {("holder", e.state["holder"]) for (kind, _), e in entities.items()
               if kind == "kit" and e.state.get("holder")} - entities.keys() - held.keys()
    entities.update(await _load(conn, schema, holders))
    return entities


async def _load(conn: asyncpg.Connection, schema: str, keys: set) -> dict:
    if not keys:
        return {}
    kinds, ids = zip(*keys)
    rows = await conn.fetch(
        f"""SELECT e.kind, e.entity_id, e.force_id, e.version, e.state
            FROM {schema}.entities e JOIN unnest($1::text[], $2::text[]) AS k(kind, id)
              ON e.kind = k.kind AND e.entity_id = k.id""", list(kinds), list(ids))
    return {(r["kind"], r["entity_id"]): Entity(r["force_id"], r["version"], json.loads(r["state"])) for r in rows}


class ViewsQueries:
    """Reads of the ledger: the current figures from `totals`, figures as they stood at the end
    of a day from `ledger` (only rows recorded up to that day)."""

    schema = ViewsReadModel.name

    def __init__(self, pool: asyncpg.Pool) -> None:
        self.pool = pool

    def _source(self, as_of: date | None) -> str:
        if as_of is None:
            return f"(SELECT force_id, metric, bucket, value FROM {self.schema}.totals) AS src"
        return (f"(SELECT force_id, metric, bucket, sum(delta) AS value FROM {self.schema}.ledger "
                f"WHERE day <= $1::date GROUP BY 1, 2, 3) AS src")

    @staticmethod
    def _args(as_of: date | None) -> list:
        return [as_of] if as_of is not None else []

    async def version(self) -> int:
        """Changes whenever the projector applies a batch (for caching computed tables)."""
        return await self.pool.fetchval(f"SELECT coalesce(sum(next_offset), 0) FROM {self.schema}.projector_offsets")

    async def force_sums(self, as_of: date | None, day: date) -> dict[str, dict]:
        """Per force: metric sums over all buckets, and the lapsing/expiring range sums for `day`."""
        n = len(self._args(as_of))
        w = windows(day)
        rows = await self.pool.fetch(
            f"""SELECT force_id, metric, sum(value)::bigint AS total,
                       coalesce(sum(value) FILTER (WHERE metric = 'officers_certified'
                                AND bucket BETWEEN ${n + 1} AND ${n + 2}), 0)::bigint AS lapsing,
                       coalesce(sum(value) FILTER (WHERE metric IN ('kits_in_stock', 'kits_issued')
                                AND bucket BETWEEN ${n + 1} AND ${n + 3}), 0)::bigint AS expiring
                FROM {self._source(as_of)} GROUP BY force_id, metric""",
            *self._args(as_of), w["lapsing"][0], w["lapsing"][1], w["expiring"][1])
        out: dict[str, dict] = {}
        for r in rows:
            f = out.setdefault(r["force_id"], {"totals": {}, "lapsing": 0, "expiring": 0})
            f["totals"][r["metric"]] = r["total"]
            f["lapsing"] += r["lapsing"]
            f["expiring"] += r["expiring"]
        return out

    async def provision(self, as_of: date | None) -> dict[str, str]:
        """Each force's provision status (as it stood at the end of `as_of`)."""
        rows = await self.pool.fetch(
            f"""SELECT force_id, metric FROM {self._source(as_of)}
                WHERE metric LIKE 'provision\\_%' GROUP BY force_id, metric HAVING sum(value) > 0""",
            *self._args(as_of))
        return {r["force_id"]: r["metric"].removeprefix("provision_") for r in rows}

    async def monthly(self, as_of: date | None, force_id: str | None = None) -> dict[str, dict[str, int]]:
        """Month -> metric -> value, nationally or for one force."""
        n = len(self._args(as_of))
        rows = await self.pool.fetch(
            f"""SELECT bucket, metric, sum(value)::bigint AS value FROM {self._source(as_of)}
                WHERE metric = ANY(${n + 1}::text[]) AND bucket <> '' AND (${n + 2}::text IS NULL OR force_id = ${n + 2})
                GROUP BY bucket, metric""", *self._args(as_of), list(MONTHLY), force_id)
        out: dict[str, dict[str, int]] = {}
        for r in rows:
            out.setdefault(r["bucket"], {})[r["metric"]] = r["value"]
        return out

    async def month_end_states(self, as_of: date | None, force_id: str | None = None) -> dict[str, dict[str, int]]:
        """Month -> state count at the month's end (e.g. officers trained), from the recorded days."""
        rows = await self.pool.fetch(
            f"""SELECT to_char(day, 'YYYY-MM') AS month, metric, sum(delta)::bigint AS delta
                FROM {self.schema}.ledger
                WHERE metric = ANY($1::text[]) AND ($2::date IS NULL OR day <= $2) AND ($3::text IS NULL OR force_id = $3)
                GROUP BY 1, 2 ORDER BY 1""", list(MONTH_END_STATES), as_of, force_id)
        running: dict[str, int] = {}
        out: dict[str, dict[str, int]] = {}
        for r in rows:
            running[r["metric"]] = running.get(r["metric"], 0) + r["delta"]
            out[r["month"]] = dict(running)
        return out

    async def buckets(self, force_id: str, metrics: list[str], as_of: date | None) -> dict[str, dict[str, int]]:
        """Metric -> bucket -> value for one force (e.g. certifications by last valid day)."""
        n = len(self._args(as_of))
        rows = await self.pool.fetch(
            f"""SELECT metric, bucket, sum(value)::bigint AS value FROM {self._source(as_of)}
                WHERE force_id = ${n + 1} AND metric = ANY(${n + 2}::text[]) GROUP BY 1, 2""",
            *self._args(as_of), force_id, metrics)
        out: dict[str, dict[str, int]] = {}
        for r in rows:
            if r["value"]:
                out.setdefault(r["metric"], {})[r["bucket"]] = r["value"]
        return out

    async def open_alerts(self, force_id: str) -> list[dict]:
        rows = await self.pool.fetch(
            f"SELECT entity_id, state FROM {self.schema}.entities WHERE force_id = $1 AND kind = 'alert'", force_id)
        alerts = [{"alert_id": r["entity_id"], **json.loads(r["state"])} for r in rows]
        return sorted(({k: v for k, v in a.items() if k not in ("open", "month")} for a in alerts if a["open"]),
                      key=lambda a: a.get("window_end") or "", reverse=True)[:100]

    async def provision_record(self, force_id: str) -> dict | None:
        row = await self.pool.fetchrow(
            f"SELECT version, state FROM {self.schema}.entities WHERE kind = 'provision' AND entity_id = $1",
            force_id)
        return {**json.loads(row["state"]), "version": row["version"]} if row else None
