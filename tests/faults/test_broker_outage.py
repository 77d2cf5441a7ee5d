"""Kafka goes away while officers keep being enrolled: nothing is lost, nothing doubled.

Stops and restarts the fault suite's own broker (conftest.py `private_servers`), never the
shared one, and runs only under `make faults`.
"""

import asyncio

import pytest

from ..harness import assert_equals_fresh_rebuild, load_training, read_models, wait_caught_up
from ..support import wait_for
from .conftest import private

pytestmark = pytest.mark.faults


def kafka(action: str) -> None:
    private("kafka.sh", action, timeout=180)


async def test_commands_keep_landing_through_a_broker_outage(private_isolated):
    stack = private_isolated
    stack.start("training-api", "training-relay", "training-projector")
    officers = await load_training(stack, 20)
    kafka("stop")
    try:
        # the API needs only PostgreSQL: facts from the street are still taken in
        officers += await load_training(stack, 30, 20)
        await asyncio.sleep(2)
        assert await stack.scalar("SELECT count(*) FROM outbox WHERE published_at IS NULL") > 0
    finally:
        kafka("start")
    await wait_for(lambda: stack.scalar("SELECT count(*) = 0 FROM outbox WHERE published_at IS NULL"),
                   timeout=120, message="the relay to drain the outbox after the outage")
    view = read_models("training")[0]
    await wait_caught_up(stack, "training", view, timeout=120)
    assert await stack.scalar("SELECT sum(trainings_completed) FROM training_view.officers") == officers
    await assert_equals_fresh_rebuild(stack, "training", view)
