"""Crashes lose nothing and apply nothing twice: real processes, really SIGKILLed.

The projector tests run for every service listed in `tests/harness.LOADS`.
"""

import asyncio
import random

import pytest

from naloxone.common.v1.envelope_pb2 import EventEnvelope

from ..harness import (
    LOADS,
    assert_equals_fresh_rebuild,
    load_training,
    read_models,
    wait_caught_up,
    wait_outbox_drained,
)
from ..support import topic_messages, wait_for

pytestmark = pytest.mark.integration


async def test_relay_killed_after_publishing_before_marking_loses_nothing_and_duplicates_nothing(isolated):
    stack = isolated
    stack.start("training-api")
    officers = await load_training(stack, 40)
    events = 2 * officers

    # The relay publishes one batch, then SIGKILLs itself before marking the rows.
    stack.start("training-relay", env={"NALOX_FAILPOINTS": "relay.after_publish=kill"}, wait=False)
    await wait_for(lambda: asyncio.sleep(0, result=stack.stack.pid("training-relay") is None),
                   message="the relay to die at the failpoint")
    published_once = await topic_messages(stack.servers.kafka_bootstrap, stack.training_topic)
    assert len(published_once) == events  # on Kafka...
    assert await stack.scalar("SELECT count(*) FROM outbox WHERE published_at IS NULL") == events  # ...not marked

    stack.start("training-relay")  # restart, no failpoint
    await wait_outbox_drained(stack, "training")
    on_kafka = await topic_messages(stack.servers.kafka_bootstrap, stack.training_topic)
    ids = [EventEnvelope.FromString(r.value).event_id for r in on_kafka]
    assert len(ids) == 2 * events and len(set(ids)) == events  # all re-published: at-least-once

    stack.start("training-projector")
    view = read_models("training")[0]
    await wait_caught_up(stack, "training", view)  # the duplicates included
    assert await stack.scalar(f"SELECT count(*) FROM training_view.processed_events") == events
    # each event applied exactly once: one training per officer, not two
    assert await stack.scalar("SELECT count(*) FROM training_view.officers") == officers
    assert await stack.scalar("SELECT max(trainings_completed) FROM training_view.officers") == 1
    assert await stack.scalar("SELECT sum(trainings_completed) FROM training_view.force_training_summary") == officers
    await assert_equals_fresh_rebuild(stack, "training", view)


@pytest.mark.parametrize("service_name", sorted(LOADS))
async def test_projector_killed_mid_batch_resumes_to_equal_a_fresh_rebuild(isolated, service_name):
    stack = isolated
    stack.start(f"{service_name}-api", f"{service_name}-relay")
    load = LOADS[service_name]
    await load(stack, 100, 0)
    await wait_outbox_drained(stack, service_name)
    projector = f"{service_name}-projector"

    # 1. A deterministic death inside the first batch's transaction, after the writes, before commit.
    stack.start(projector, env={"NALOX_FAILPOINTS": "projector.mid_batch=kill"}, wait=False)
    await wait_for(lambda: asyncio.sleep(0, result=stack.stack.pid(projector) is None),
                   message="the projector to die mid-batch")
    for model in read_models(service_name):  # rolled back whole
        assert not await stack.scalar(f"SELECT count(*) FROM {model.name}.processed_events",
                                      service_name=service_name)

    # 2. Restart, more writes arrive, and the projector is SIGKILLed again at a random moment.
    stack.start(projector)
    more = asyncio.create_task(load(stack, 100, 100))
    await asyncio.sleep(random.uniform(0.2, 1.0))
    stack.stack.kill(projector)
    await more
    await wait_outbox_drained(stack, service_name)

    stack.start(projector)
    for model in read_models(service_name):
        await wait_caught_up(stack, service_name, model)
        await assert_equals_fresh_rebuild(stack, service_name, model)


@pytest.mark.parametrize("service_name", sorted(LOADS))
async def test_rebuild_swaps_a_fresh_read_model_in_while_the_projector_runs(isolated, service_name):
    stack = isolated
    stack.start(f"{service_name}-api", f"{service_name}-relay", f"{service_name}-projector")
    load = LOADS[service_name]
    await load(stack, 30, 0)
    await wait_outbox_drained(stack, service_name)
    model = read_models(service_name)[0]
    await wait_caught_up(stack, service_name, model)
    result = stack.run(service_name, "rebuild", model.name)
    assert f"rebuild {model.name}" in result.stderr  # progress is shown
    await load(stack, 10, 30)  # the live projector keeps going on the swapped-in schema
    await wait_outbox_drained(stack, service_name)
    await wait_caught_up(stack, service_name, model)
    await assert_equals_fresh_rebuild(stack, service_name, model)
