"""The event store: append-only streams in PostgreSQL with an outbox in the same commit.

Why one statement per append: the events, their outbox rows and the idempotency record
go in as one INSERT with data-modifying CTEs, so a command costs one round trip, is
atomic without an explicit transaction, and a (aggregate_id, version) unique violation
is the optimistic-concurrency check.

Why (transaction_id, position) for tailing: a sequence value is taken at insert time,
but rows become visible at commit, so positions can appear out of order. Each row keeps
`pg_current_xact_id()`; a reader returns only rows whose transaction is older than the
oldest still running (`pg_snapshot_xmin`), in (transaction_id, position) order. Every
transaction below xmin has finished, so nothing can later appear before the cursor.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Sequence
from uuid import UUID

import asyncpg

SCHEMA_V1 = """
CREATE TABLE IF NOT EXISTS events (
    position          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    transaction_id    xid8 NOT NULL DEFAULT pg_current_xact_id(),
    event_id          uuid NOT NULL UNIQUE,
    aggregate_type    text NOT NULL,
    aggregate_id      uuid NOT NULL,
    aggregate_version integer NOT NULL CHECK (aggregate_version > 0),
    event_type        text NOT NULL,
    force_id          text NOT NULL,
    occurred_at       timestamptz NOT NULL,
    recorded_at       timestamptz NOT NULL DEFAULT now(),
    correlation_id    text,
    causation_id      text,
    actor             text,
    payload           jsonb NOT NULL,
    CONSTRAINT events_stream_version UNIQUE (aggregate_id, aggregate_version)
);
CREATE INDEX IF NOT EXISTS events_tail ON events (transaction_id, position);

CREATE TABLE IF NOT EXISTS outbox (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    event_id     uuid NOT NULL,
    topic        text NOT NULL,
    key          bytea NOT NULL,
    value        bytea NOT NULL,
    headers      jsonb NOT NULL DEFAULT '[]',
    created_at   timestamptz NOT NULL DEFAULT now(),
    published_at timestamptz
);
CREATE INDEX IF NOT EXISTS outbox_unpublished ON outbox (id) WHERE published_at IS NULL;

CREATE TABLE IF NOT EXISTS idempotency_keys (
    key          text PRIMARY KEY,
    fingerprint  text NOT NULL,
    status_code  integer NOT NULL,
    response     jsonb NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now()
);
"""

#: Revision 0002: command outcomes instead of HTTP codes in the store (the application
#: layer knows no HTTP), and the relay woken by NOTIFY from each outbox insert instead
#: of polling. Statements are separate because the function body holds semicolons.
SCHEMA_V2 = (
    "ALTER TABLE idempotency_keys ADD COLUMN IF NOT EXISTS outcome text",
    "UPDATE idempotency_keys SET outcome = CASE WHEN status_code = 201 THEN 'created' ELSE 'changed' END "
    "WHERE outcome IS NULL",
    "ALTER TABLE idempotency_keys ALTER COLUMN outcome SET NOT NULL",
    "ALTER TABLE idempotency_keys DROP COLUMN IF EXISTS status_code",
    """CREATE OR REPLACE FUNCTION outbox_notify() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN PERFORM pg_notify('outbox', ''); RETURN NULL; END $$""",
    "DROP TRIGGER IF EXISTS outbox_inserted ON outbox",
    "CREATE TRIGGER outbox_inserted AFTER INSERT ON outbox FOR EACH STATEMENT EXECUTE FUNCTION outbox_notify()",
)

#: Revision 0003: NOTIFY only while the relay sleeps. A NOTIFY takes a database-wide lock
#: at commit (PostgreSQL serialises notifying commits), which cut 16 concurrent writers
#: to a third of their append rate; a busy relay needs no wake-up, so the trigger reads
#: the relay's flag and stays silent while it works.
SCHEMA_V3 = (
    """CREATE TABLE IF NOT EXISTS outbox_relay_state (
           id integer PRIMARY KEY CHECK (id = 1), sleeping boolean NOT NULL DEFAULT false)""",
    "INSERT INTO outbox_relay_state (id, sleeping) VALUES (1, false) ON CONFLICT (id) DO NOTHING",
    """CREATE OR REPLACE FUNCTION outbox_notify() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN
         IF EXISTS (SELECT 1 FROM outbox_relay_state WHERE sleeping) THEN
           PERFORM pg_notify('outbox', '');
         END IF;
         RETURN NULL;
       END $$""",
)

#: The whole current schema, for tools that set up a throwaway database without Alembic.
EVENT_STORE_DDL = SCHEMA_V1 + ";\n".join(SCHEMA_V2 + SCHEMA_V3) + ";"
EVENT_STORE_DROP = ("DROP TABLE IF EXISTS idempotency_keys, outbox, events, outbox_relay_state; "
                    "DROP FUNCTION IF EXISTS outbox_notify();")
#: The channel the append's NOTIFY wakes relays on.
OUTBOX_CHANNEL = "outbox"


class ConcurrencyError(Exception):
    """Another writer appended to the stream first (HTTP 409)."""


class IdempotencyKeyInFlight(Exception):
    """A request with the same idempotency key committed first; fetch its response."""


@dataclass(frozen=True)
class NewEvent:
    event_id: UUID
    aggregate_type: str
    aggregate_id: UUID
    aggregate_version: int
    event_type: str
    force_id: str
    occurred_at: datetime
    payload_json: str
    correlation_id: str | None = None
    causation_id: str | None = None
    actor: str | None = None


@dataclass(frozen=True)
class OutboxMessage:
    event_id: UUID
    topic: str
    key: bytes
    value: bytes
    headers: list[tuple[str, str]] = field(default_factory=list)


@dataclass(frozen=True)
class IdempotentResponse:
    key: str
    fingerprint: str
    outcome: str
    body: dict


@dataclass(frozen=True)
class StoredEvent:
    position: int
    transaction_id: int
    event_id: UUID
    aggregate_type: str
    aggregate_id: UUID
    aggregate_version: int
    event_type: str
    force_id: str
    occurred_at: datetime
    recorded_at: datetime
    correlation_id: str | None
    causation_id: str | None
    actor: str | None
    payload: str


@dataclass(frozen=True, order=True)
class StoreCursor:
    """Where a reader of the whole store has got to: (transaction_id, position)."""

    transaction_id: int = 0
    position: int = 0


_APPEND = """
WITH appended AS (
    INSERT INTO events (event_id, aggregate_type, aggregate_id, aggregate_version, event_type,
                        force_id, occurred_at, correlation_id, causation_id, actor, payload)
    SELECT e.event_id, e.aggregate_type, e.aggregate_id, e.aggregate_version, e.event_type,
           e.force_id, e.occurred_at, e.correlation_id, e.causation_id, e.actor, e.payload::jsonb
    FROM unnest($1::uuid[], $2::text[], $3::uuid[], $4::int[], $5::text[], $6::text[],
                $7::timestamptz[], $8::text[], $9::text[], $10::text[], $11::text[])
         AS e(event_id, aggregate_type, aggregate_id, aggregate_version, event_type, force_id,
              occurred_at, correlation_id, causation_id, actor, payload)
    RETURNING position
), outboxed AS (
    INSERT INTO outbox (event_id, topic, key, value, headers)
    SELECT o.event_id, o.topic, o.key, o.value, o.headers::jsonb
    FROM unnest($12::uuid[], $13::text[], $14::bytea[], $15::bytea[], $16::text[])
         AS o(event_id, topic, key, value, headers)
), remembered AS (
    INSERT INTO idempotency_keys (key, fingerprint, outcome, response)
    SELECT $17::text, $18::text, $19::text, $20::text::jsonb WHERE $17::text IS NOT NULL
)
SELECT position FROM appended ORDER BY position
"""

_COLUMNS = """position, transaction_id::text AS transaction_id, event_id, aggregate_type, aggregate_id,
    aggregate_version, event_type, force_id, occurred_at, recorded_at, correlation_id,
    causation_id, actor, payload::text AS payload"""


def _stored(row: asyncpg.Record) -> StoredEvent:
    data = dict(row)
    data["transaction_id"] = int(data["transaction_id"])
    return StoredEvent(**data)


class EventStore:
    """The PostgreSQL store. `pool` may also be one connection (a reactor appends inside
    the transaction that records its consumed offsets)."""

    def __init__(self, pool: asyncpg.Pool | asyncpg.Connection) -> None:
        self.pool = pool

    async def load(self, aggregate_id: UUID) -> list[StoredEvent]:
        rows = await self.pool.fetch(
            f"SELECT {_COLUMNS} FROM events WHERE aggregate_id = $1 ORDER BY aggregate_version",
            aggregate_id,
        )
        return [_stored(r) for r in rows]

    async def load_many(self, aggregate_ids: Sequence[UUID]) -> dict[UUID, list[StoredEvent]]:
        """Several streams in one round trip (a recall touches every kit of a batch)."""
        rows = await self.pool.fetch(
            f"SELECT {_COLUMNS} FROM events WHERE aggregate_id = ANY($1::uuid[]) "
            "ORDER BY aggregate_id, aggregate_version",
            list(aggregate_ids),
        )
        out: dict[UUID, list[StoredEvent]] = {aggregate_id: [] for aggregate_id in aggregate_ids}
        for row in rows:
            out[row["aggregate_id"]].append(_stored(row))
        return out

    async def append(
        self,
        events: Sequence[NewEvent],
        outbox: Sequence[OutboxMessage] = (),
        idempotency: IdempotentResponse | None = None,
    ) -> list[int]:
        """Append atomically; raises ConcurrencyError or IdempotencyKeyInFlight."""
        idem = idempotency
        args = (
            [e.event_id for e in events],
            [e.aggregate_type for e in events],
            [e.aggregate_id for e in events],
            [e.aggregate_version for e in events],
            [e.event_type for e in events],
            [e.force_id for e in events],
            [e.occurred_at for e in events],
            [e.correlation_id for e in events],
            [e.causation_id for e in events],
            [e.actor for e in events],
            [e.payload_json for e in events],
            [m.event_id for m in outbox],
            [m.topic for m in outbox],
            [m.key for m in outbox],
            [m.value for m in outbox],
            [json.dumps(m.headers) for m in outbox],
            idem.key if idem else None,
            idem.fingerprint if idem else None,
            idem.outcome if idem else None,
            json.dumps(idem.body) if idem else None,
        )
        try:
            rows = await self.pool.fetch(_APPEND, *args)
        except asyncpg.UniqueViolationError as exc:
            if exc.constraint_name == "events_stream_version":
                raise ConcurrencyError("the stream was changed by another writer") from exc
            if exc.constraint_name == "idempotency_keys_pkey":
                raise IdempotencyKeyInFlight(idem.key if idem else "") from exc
            raise
        return [r["position"] for r in rows]

    async def find_response(self, key: str) -> IdempotentResponse | None:
        row = await self.pool.fetchrow(
            "SELECT key, fingerprint, outcome, response::text AS response FROM idempotency_keys WHERE key = $1",
            key,
        )
        if row is None:
            return None
        return IdempotentResponse(row["key"], row["fingerprint"], row["outcome"], json.loads(row["response"]))

    async def read_all(self, after: StoreCursor = StoreCursor(), limit: int = 1000) -> list[StoredEvent]:
        """Committed events after the cursor, in an order no late commit can break."""
        rows = await self.pool.fetch(
            f"""SELECT {_COLUMNS} FROM events
                WHERE (transaction_id, position) > ($1::text::xid8, $2::bigint)
                  AND transaction_id < pg_snapshot_xmin(pg_current_snapshot())
                ORDER BY transaction_id, position
                LIMIT $3""",
            str(after.transaction_id),
            after.position,
            limit,
        )
        return [_stored(r) for r in rows]

    @staticmethod
    def cursor_after(event: StoredEvent) -> StoreCursor:
        return StoreCursor(event.transaction_id, event.position)


class SavepointEventStore(EventStore):
    """The store on one connection inside the caller's transaction, each append in a savepoint of its
    own: a refused append (a version or an idempotency-key conflict) undoes only itself, and the
    transaction can go on, e.g. to read the first answer stored under the key."""

    async def append(self, *args, **kwargs):
        async with self.pool.transaction():
            return await super().append(*args, **kwargs)
