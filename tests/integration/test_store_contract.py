"""One contract, two stores: the in-memory event store behaves as the PostgreSQL one does.

Command handlers' unit tests run on the in-memory store; these cases run on both, so
a passing unit test means the same on PostgreSQL.
"""

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
from naloxone_kernel.memory import InMemoryEventStore

from ..support import unique

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
async def pg_pool(servers):
    url = with_database(servers.postgres_url, unique("contract_t"))
    await ensure_database(url)
    conn = await asyncpg.connect(url)
    await conn.execute(EVENT_STORE_DDL)
    await conn.close()
    pool = await asyncpg.create_pool(url, min_size=1, max_size=4)
    yield pool
    await pool.close()
    await drop_database(url)


@pytest.fixture(params=["memory", "postgres"])
def store(request, pg_pool):
    return InMemoryEventStore() if request.param == "memory" else EventStore(pg_pool)


def new(aggregate_id, version: int) -> NewEvent:
    return NewEvent(event_id=uuid.uuid4(), aggregate_type="Test", aggregate_id=aggregate_id,
                    aggregate_version=version, event_type="Happened", force_id="west-midlands",
                    occurred_at=datetime.now(UTC), payload_json='{"n": %d}' % version, correlation_id="c",
                    causation_id="k", actor="a")


def outbox(e: NewEvent) -> OutboxMessage:
    return OutboxMessage(e.event_id, "topic", str(e.aggregate_id).encode(), b"v", [("event_type", "Happened")])


async def test_load_returns_a_stream_in_version_order(store):
    a, b = uuid.uuid4(), uuid.uuid4()
    await store.append([new(a, 1), new(b, 1), new(a, 2)], [])
    assert [e.aggregate_version for e in await store.load(a)] == [1, 2]
    many = await store.load_many([a, b, uuid.uuid4()])
    assert [len(v) for v in many.values()] == [2, 1, 0]
    assert many[a][0].payload == '{"n": 1}' or many[a][0].payload.replace(" ", "") == '{"n":1}'


async def test_a_taken_version_fails_the_whole_append(store):
    a, b = uuid.uuid4(), uuid.uuid4()
    await store.append([new(a, 1)], [])
    with pytest.raises(ConcurrencyError):
        await store.append([new(b, 1), new(a, 1)], [])
    assert await store.load(b) == []  # nothing of the failed append is kept


async def test_an_idempotency_key_is_kept_once_with_its_answer(store):
    a = uuid.uuid4()
    key = f"key-{uuid.uuid4()}"
    first = new(a, 1)
    await store.append([first], [outbox(first)], IdempotentResponse(key, "fp", "created", {"ok": 1}))
    with pytest.raises(IdempotencyKeyInFlight):
        await store.append([new(a, 2)], [], IdempotentResponse(key, "fp", "created", {"ok": 2}))
    found = await store.find_response(key)
    assert (found.outcome, found.body) == ("created", {"ok": 1})
    assert len(await store.load(a)) == 1
    assert await store.find_response("never-used") is None


async def test_an_answer_can_be_kept_with_no_events(store):
    key = f"key-{uuid.uuid4()}"
    await store.append([], [], IdempotentResponse(key, "fp", "unchanged", {"nothing": True}))
    assert (await store.find_response(key)).outcome == "unchanged"


async def test_read_all_pages_after_a_cursor(store):
    a = uuid.uuid4()
    await store.append([new(a, 1), new(a, 2), new(a, 3)], [])
    mine = [e for e in await store.read_all(StoreCursor(), limit=10_000) if e.aggregate_id == a]
    assert [e.aggregate_version for e in mine] == [1, 2, 3]
    after_first = await store.read_all(StoreCursor(mine[0].transaction_id, mine[0].position), limit=10_000)
    assert [e.aggregate_version for e in after_first if e.aggregate_id == a] == [2, 3]
