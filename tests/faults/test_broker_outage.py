"""Kafka goes away while officers keep being enrolled: nothing is lost, nothing doubled.

Stops and restarts the local broker, so it runs only under `make faults`, never beside
other suites that share the broker.
"""

import asyncio
import subprocess

import pytest

from ..integration.test_crash_recovery import assert_read_model_equals_fresh_rebuild, put_officers
from ..support import REPO, wait_for

pytestmark = pytest.mark.faults


def kafka(action: str) -> None:
    subprocess.run(["bash", str(REPO / "deploy/local/kafka.sh"), action], check=True, timeout=180)


async def test_commands_keep_landing_through_a_broker_outage(isolated):
    stack = isolated
    stack.start("training-api", "training-relay", "training-projector")
    officers = await put_officers(stack, 20)
    kafka("stop")
    try:
        # the API needs only PostgreSQL: facts from the street are still taken in
        officers += await put_officers(stack, 30, first=20)
        await asyncio.sleep(2)
        assert await stack.scalar("SELECT count(*) FROM outbox WHERE published_at IS NULL") > 0
    finally:
        kafka("start")
    events = 2 * len(officers)
    await wait_for(lambda: stack.scalar("SELECT count(*) = 0 FROM outbox WHERE published_at IS NULL"),
                   timeout=120, message="the relay to drain the outbox after the outage")
    await wait_for(lambda: stack.scalar(f"SELECT count(*) = {events} FROM training_view.processed_events"),
                   timeout=120, message="the projector to catch up")
    assert await stack.scalar("SELECT sum(trainings_completed) FROM training_view.officers") == len(officers)
    await assert_read_model_equals_fresh_rebuild(stack)
