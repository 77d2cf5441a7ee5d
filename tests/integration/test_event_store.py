"""The event store against real PostgreSQL: concurrency, idempotency, tailing late commits."""

import asyncio
import uuid
from datetime import UTC, datetime

import asyncpg
import pytest

from naloxone_kernel.db import drop_database, ensure_database, with_database
from naloxone_kernel.eventstore import (
    EVENT_STORE_DDL,
    ConcurrencyError,
    EventStore,
    IdempotencyKeyInFlight,
    IdempotentResponse,
    NewEvent,
    OutboxMessage,
    StoreCursor,
)

from ..support import unique

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
async def store_url(servers):
    url = with_database(servers.postgres_url, unique("store_t"))
    await ensure_database(url)
    conn = await asyncpg.connect(url)
    await conn.execute(EVENT_STORE_DDL)
    await conn.close()
    yield url
    await drop_database(url)


@pytest.fixture(scope="module")
async def store(store_url):
    pool = await asyncpg.create_pool(store_url, min_size=4, max_size=20)
    yield EventStore(pool)
    await pool.close()


def event(aggregate_id, version: int, **kw) -> NewEvent:
    return NewEvent(event_id=uuid.uuid4(), aggregate_type="Test", aggregate_id=aggregate_id,
                    aggregate_version=version, event_type="Happened", force_id="west-midlands",
                    occurred_at=datetime.now(UTC), payload_json='{"n": %d}' % version, **kw)


def outbox_for(e: NewEvent) -> OutboxMessage:
    return OutboxMessage(e.event_id, "topic", str(e.aggregate_id).encode(), b"v", [("event_type", "Happened")])


async def test_two_concurrent_writers_exactly_one_wins(store):
    stream = uuid.uuid4()
    await store.append([event(stream, 1)])
    results = await asyncio.gather(store.append([event(stream, 2)]), store.append([event(stream, 2)]),
                                   return_exceptions=True)
    assert sum(isinstance(r, ConcurrencyError) for r in results) == 1
    assert sum(isinstance(r, list) for r in results) == 1
    assert [e.aggregate_version for e in await store.load(stream)] == [1, 2]


async def test_many_racing_writers_leave_contiguous_versions(store):
    stream = uuid.uuid4()
    for version in range(1, 11):
        results = await asyncio.gather(*(store.append([event(stream, version)]) for _ in range(8)),
                                       return_exceptions=True)
        assert sum(isinstance(r, list) for r in results) == 1, results
        assert all(isinstance(r, (list, ConcurrencyError)) for r in results)
    assert [e.aggregate_version for e in await store.load(stream)] == list(range(1, 11))


async def test_append_writes_events_outbox_and_response_atomically(store):
    stream = uuid.uuid4()
    first = event(stream, 1)
    key = unique("key-")
    await store.append([first], [outbox_for(first)], IdempotentResponse(key, "fp", "created", {"ok": 1}))
    # the same key again: nothing of the second append may land, not even its outbox row
    second = event(stream, 2)
    with pytest.raises(IdempotencyKeyInFlight):
        await store.append([second], [outbox_for(second)], IdempotentResponse(key, "fp", "created", {"ok": 2}))
    assert [e.event_id for e in await store.load(stream)] == [first.event_id]
    assert await store.pool.fetchval("SELECT count(*) FROM outbox WHERE event_id = $1", second.event_id) == 0
    assert (await store.find_response(key)).body == {"ok": 1}


async def test_a_conflicting_append_leaves_no_outbox_row(store):
    stream = uuid.uuid4()
    await store.append([event(stream, 1)])
    loser = event(stream, 1)
    with pytest.raises(ConcurrencyError):
        await store.append([loser], [outbox_for(loser)])
    assert await store.pool.fetchval("SELECT count(*) FROM outbox WHERE event_id = $1", loser.event_id) == 0


async def _drain(store: EventStore, cursor: StoreCursor, ids: set) -> tuple[list, StoreCursor]:
    seen = []
    while True:
        batch = await store.read_all(cursor, limit=1000)
        if not batch:
            return seen, cursor
        for e in batch:
            if e.event_id in ids:
                seen.append(e)
        cursor = EventStore.cursor_after(batch[-1])


async def test_a_reader_never_skips_an_event_that_commits_late(store_url, store):
    """T1 takes a lower position but commits after T2, whose transaction id is older.

    A reader tailing by position alone would read T2's row, move its cursor past T1's
    position and never see T1's row. The (transaction id, position) cursor must not.
    """
    cursor = StoreCursor()
    _, cursor = await _drain(store, cursor, set())
    c1, c2 = await asyncpg.connect(store_url), await asyncpg.connect(store_url)
    try:
        t1, t2 = c1.transaction(), c2.transaction()
        await t2.start()
        await c2.fetchval("SELECT pg_current_xact_id()")  # T2 gets the older transaction id
        await t1.start()
        late, early = event(uuid.uuid4(), 1), event(uuid.uuid4(), 1)
        [late_position] = await EventStore(c1).append([late])      # lower position, younger xid
        [early_position] = await EventStore(c2).append([early])    # higher position, older xid
        assert late_position < early_position
        await t2.commit()

        seen, cursor = await _drain(store, cursor, {late.event_id, early.event_id})
        assert [e.event_id for e in seen] == [early.event_id]
        assert cursor.position > late_position  # a position-only cursor would now skip `late`

        await t1.commit()
        seen_after, cursor = await _drain(store, cursor, {late.event_id, early.event_id})
        assert [e.event_id for e in seen_after] == [late.event_id]
    finally:
        await c1.close()
        await c2.close()


async def test_an_uncommitted_older_transaction_holds_back_younger_commits(store_url, store):
    cursor = StoreCursor()
    _, cursor = await _drain(store, cursor, set())
    c1, c2 = await asyncpg.connect(store_url), await asyncpg.connect(store_url)
    try:
        t1 = c1.transaction()
        await t1.start()
        held, quick = event(uuid.uuid4(), 1), event(uuid.uuid4(), 1)
        await EventStore(c1).append([held])
        await EventStore(c2).append([quick])  # commits at once, after `held` took its position
        seen, _ = await _drain(store, cursor, {held.event_id, quick.event_id})
        assert seen == []  # nothing is handed out past a transaction still in flight
        await t1.commit()
        seen, _ = await _drain(store, cursor, {held.event_id, quick.event_id})
        assert [e.event_id for e in seen] == [held.event_id, quick.event_id]
    finally:
        await c1.close()
        await c2.close()
