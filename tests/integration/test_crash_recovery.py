"""Crashes lose nothing and apply nothing twice: real processes, really SIGKILLed."""

import asyncio
import random
import uuid

import httpx
import pytest

from naloxone.common.v1.envelope_pb2 import EventEnvelope

from ..support import topic_messages, wait_for

pytestmark = pytest.mark.integration

READ_MODEL_TABLES = {
    "officers": "officer_id",
    "force_training_summary": "force_id",
}


async def put_officers(stack, count: int, *, first: int = 0, trainings: bool = True, concurrency: int = 16) -> list[str]:
    """Enrol (and train) officers straight at the training API; returns their ids."""
    sem = asyncio.Semaphore(concurrency)
    forces = ["west-midlands", "leicestershire", "merseyside"]
    auth = {f: stack.auth(f) for f in forces}
    async with httpx.AsyncClient(base_url=stack.training_api, timeout=30) as client:
        async def one(n: int) -> str:
            force = forces[n % len(forces)]
            async with sem:
                r = await client.post(f"/v1/forces/{force}/officers", headers={
                    **auth[force], "Idempotency-Key": f"k-{uuid.uuid4()}"},
                    json={"staff_number": f"C{n:06d}", "role": "response", "enrolled_on": "2026-01-01"})
                assert r.status_code == 201, r.text
                officer_id = r.json()["officer_id"]
                if trainings:
                    r = await client.post(f"/v1/forces/{force}/officers/{officer_id}/training-records", headers={
                        **auth[force], "Idempotency-Key": f"k-{uuid.uuid4()}"}, json={
                        "course": "C", "provider": "p", "completed_on": "2026-01-02", "valid_until": "2029-01-01"})
                    assert r.status_code == 201, r.text
                return officer_id

        return await asyncio.gather(*(one(n) for n in range(first, first + count)))


async def table_rows(stack, schema: str, table: str, key: str) -> list[tuple]:
    conn = await stack.db()
    try:
        return [tuple(r) for r in await conn.fetch(f"SELECT * FROM {schema}.{table} ORDER BY {key}")]
    finally:
        await conn.close()


async def assert_read_model_equals_fresh_rebuild(stack) -> None:
    stack.run_training("rebuild", "--into", "training_view_check", "--no-swap")
    for table, key in READ_MODEL_TABLES.items():
        live = await table_rows(stack, "training_view", table, key)
        rebuilt = await table_rows(stack, "training_view_check", table, key)
        assert live == rebuilt, f"{table}: live read model differs from a fresh rebuild"


async def test_relay_killed_after_publishing_before_marking_loses_nothing_and_duplicates_nothing(isolated):
    stack = isolated
    stack.start("training-api")
    officers = await put_officers(stack, 40)
    events = 2 * len(officers)

    # The relay publishes one batch, then SIGKILLs itself before marking the rows.
    stack.start("training-relay", env={"NALOX_FAILPOINTS": "relay.after_publish=kill"}, wait=False)
    await wait_for(lambda: asyncio.sleep(0, result=stack.stack.pid("training-relay") is None),
                   message="the relay to die at the failpoint")
    published_once = await topic_messages(stack.servers.kafka_bootstrap, stack.training_topic)
    assert len(published_once) == events  # on Kafka...
    assert await stack.scalar("SELECT count(*) FROM outbox WHERE published_at IS NULL") == events  # ...not marked

    stack.start("training-relay")  # restart, no failpoint
    await wait_for(lambda: stack.scalar("SELECT count(*) = 0 FROM outbox WHERE published_at IS NULL"),
                   message="the restarted relay to mark every row")
    on_kafka = await topic_messages(stack.servers.kafka_bootstrap, stack.training_topic)
    ids = [EventEnvelope.FromString(r.value).event_id for r in on_kafka]
    assert len(ids) == 2 * events and len(set(ids)) == events  # all re-published: at-least-once

    stack.start("training-projector")
    await wait_for(lambda: stack.scalar("SELECT count(*) FROM training_view.processed_events"),
                   message="projection to start")
    await wait_for(lambda: stack.scalar(f"SELECT count(*) = {events} FROM training_view.processed_events"),
                   message="every event applied")
    await wait_for(lambda: stack.scalar("SELECT sum(officers_enrolled) FROM training_view.force_training_summary"),
                   message="summary")
    # each event applied exactly once: one training per officer, not two
    assert await stack.scalar("SELECT count(*) FROM training_view.officers") == len(officers)
    assert await stack.scalar("SELECT max(trainings_completed) FROM training_view.officers") == 1
    assert await stack.scalar("SELECT sum(trainings_completed) FROM training_view.force_training_summary") == len(officers)
    # let the projector read the duplicates too, then check nothing changed
    await wait_for(lambda: stack.scalar(f"SELECT sum(next_offset) = {2 * events} FROM training_view.projector_offsets"),
                   message="projector to consume the duplicates")
    assert await stack.scalar("SELECT sum(trainings_completed) FROM training_view.officers") == len(officers)
    await assert_read_model_equals_fresh_rebuild(stack)


async def test_projector_killed_mid_batch_resumes_to_equal_a_fresh_rebuild(isolated):
    stack = isolated
    stack.start("training-api", "training-relay")
    officers = await put_officers(stack, 150)
    events = 2 * len(officers)
    await wait_for(lambda: stack.scalar("SELECT count(*) = 0 FROM outbox WHERE published_at IS NULL"),
                   message="everything on Kafka")

    # 1. A deterministic death inside the batch transaction, after the writes, before commit.
    stack.start("training-projector", env={"NALOX_FAILPOINTS": "projector.mid_batch=kill"}, wait=False)
    await wait_for(lambda: asyncio.sleep(0, result=stack.stack.pid("training-projector") is None),
                   message="the projector to die mid-batch")
    assert await stack.scalar("SELECT count(*) FROM training_view.processed_events") == 0  # rolled back whole

    # 2. Restart, more writes arrive, and the projector is SIGKILLed again at a random moment.
    stack.start("training-projector")
    more = asyncio.create_task(put_officers(stack, 150, first=150))
    await asyncio.sleep(random.uniform(0.2, 1.0))
    stack.stack.kill("training-projector")
    officers += await more
    events = 2 * len(officers)
    await wait_for(lambda: stack.scalar("SELECT count(*) = 0 FROM outbox WHERE published_at IS NULL"),
                   message="everything on Kafka")

    stack.start("training-projector")
    await wait_for(lambda: stack.scalar(f"SELECT count(*) = {events} FROM training_view.processed_events"),
                   timeout=60, message="every event applied after the restarts")
    assert await stack.scalar("SELECT count(*) FROM training_view.officers") == len(officers)
    assert await stack.scalar("SELECT sum(trainings_completed) FROM training_view.officers") == len(officers)
    await assert_read_model_equals_fresh_rebuild(stack)


async def test_rebuild_swaps_a_fresh_read_model_in_while_the_projector_runs(isolated):
    stack = isolated
    stack.start("training-api", "training-relay", "training-projector")
    officers = await put_officers(stack, 30)
    await wait_for(lambda: stack.scalar(f"SELECT count(*) = {2 * len(officers)} FROM training_view.processed_events"),
                   message="projection")
    before = await table_rows(stack, "training_view", "officers", "officer_id")
    result = stack.run_training("rebuild")
    assert "rebuild training_view" in result.stderr  # progress is shown
    assert await table_rows(stack, "training_view", "officers", "officer_id") == before
    more = await put_officers(stack, 10, first=30)  # the live projector keeps going on the swapped-in schema
    await wait_for(lambda: stack.scalar(f"SELECT count(*) = {len(officers) + len(more)} FROM training_view.officers"),
                   message="live projection after the swap")
