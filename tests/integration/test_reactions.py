"""Reactions through the real broker: other services' events become this service's commands, once.

The reactor is SIGKILLed inside a batch (after its appends, before its commit) and
again at a random moment; after restarts every reaction is applied exactly once.
"""

import asyncio
import random
import uuid
from datetime import UTC, datetime

import httpx
import pytest
from aiokafka import AIOKafkaProducer

from naloxone.incidents.v1 import events_pb2 as incidents_pb
from naloxone_kernel.envelope import EnvelopeMeta, to_outbox

from ..harness import key, load_training, wait_caught_up, wait_outbox_drained
from ..support import wait_for

pytestmark = pytest.mark.integration

FORCE = "west-midlands"


async def receive_kits(stack, count: int) -> list[str]:
    async with httpx.AsyncClient(base_url=stack.api("inventory"), timeout=30) as client:
        r = await client.post(f"/v1/forces/{FORCE}/stock/batches", headers={
            **stack.auth(FORCE, ["force_admin"]), "Idempotency-Key": key()}, json={
            "product_code": "nyxoid-1-8mg-nasal-spray", "manufacturer_lot": "RX-1", "quantity": count,
            "expires_on": "2030-01-01", "received_on": "2026-01-01",
            "location": {"location_id": "STN-1", "location_type": "police_station"}})
        assert r.status_code == 201, r.text
        return r.json()["kit_ids"]


async def publish_administrations(stack, kit_ids: list[str], *, times: int = 1) -> None:
    """NaloxoneAdministered naming each kit, as incidents would publish it (each sent `times` times)."""
    producer = AIOKafkaProducer(bootstrap_servers=stack.servers.kafka_bootstrap, enable_idempotence=True)
    await producer.start()
    try:
        now = datetime.now(UTC)
        for kit_id in kit_ids:
            incident_id = uuid.uuid4()
            payload = incidents_pb.NaloxoneAdministered(
                incident_id=str(incident_id), force_id=FORCE, administration_id=str(uuid.uuid4()),
                officer_id=str(uuid.uuid4()), kit_id=kit_id, doses=1)
            payload.administered_at.FromDatetime(now)
            message = to_outbox(stack.topic("incidents"), EnvelopeMeta(
                event_id=uuid.uuid4(), aggregate_type="Incident", aggregate_id=incident_id, aggregate_version=1,
                force_id=FORCE, occurred_at=now, recorded_at=now, correlation_id=None, causation_id=None,
                actor="test"), payload)
            for _ in range(times):
                await producer.send(message.topic, message.value, key=message.key,
                                    headers=[(k, v.encode()) for k, v in message.headers])
        await producer.flush()
    finally:
        await producer.stop()


async def used_counts(stack, kit_ids: list[str]) -> dict[str, int]:
    conn = await stack.db("inventory")
    try:
        rows = await conn.fetch(
            "SELECT aggregate_id::text AS kit, count(*) AS n FROM events WHERE event_type = 'KitUsed' "
            "AND aggregate_id = ANY($1::uuid[]) GROUP BY aggregate_id", [uuid.UUID(k) for k in kit_ids])
    finally:
        await conn.close()
    return {r["kit"]: r["n"] for r in rows}


async def test_incidents_to_inventory_reactor_killed_mid_batch_applies_each_reaction_once(isolated):
    stack = isolated
    stack.start("inventory-api")
    kits = await receive_kits(stack, 120)
    await publish_administrations(stack, kits[:60], times=2)  # every event redelivered once

    stack.start("inventory-reactor", env={"NALOX_FAILPOINTS": "projector.mid_batch=kill"}, wait=False)
    await wait_for(lambda: asyncio.sleep(0, result=stack.stack.pid("inventory-reactor") is None),
                   message="the reactor to die inside its first batch")
    assert await used_counts(stack, kits) == {}  # the batch's appends rolled back with its offsets

    stack.start("inventory-reactor")
    more = asyncio.create_task(publish_administrations(stack, kits[60:], times=2))
    await asyncio.sleep(random.uniform(0.1, 0.8))
    stack.stack.kill("inventory-reactor")
    await more
    stack.start("inventory-reactor")

    async def all_used():
        counts = await used_counts(stack, kits)
        return counts if len(counts) == len(kits) else None

    counts = await wait_for(all_used, timeout=60, message="every kit used by its reaction")
    assert set(counts.values()) == {1}
    assert await stack.scalar("SELECT count(*) FROM inventory_reactions.reaction_failures",
                              service_name="inventory") == 0


async def test_a_reaction_to_an_unknown_kit_is_recorded_not_retried_forever(isolated):
    stack = isolated
    stack.start("inventory-api", "inventory-reactor")
    await publish_administrations(stack, [str(uuid.uuid4())])
    await wait_for(lambda: stack.scalar("SELECT count(*) FROM inventory_reactions.reaction_failures",
                                        service_name="inventory"), message="the failure recorded")
    reason = await stack.scalar("SELECT reason FROM inventory_reactions.reaction_failures", service_name="inventory")
    assert reason.startswith("no kit")


async def test_training_to_inventory_officer_view_survives_a_killed_projector(isolated):
    """Inventory's own view of certification, from training's topic, ends equal to training's truth."""
    stack = isolated
    stack.start("training-api", "training-relay")
    officers = await load_training(stack, 60)
    await wait_outbox_drained(stack, "training")
    stack.start("inventory-projector", env={"NALOX_FAILPOINTS": "projector.mid_batch=kill"}, wait=False)
    await wait_for(lambda: asyncio.sleep(0, result=stack.stack.pid("inventory-projector") is None),
                   message="the projector to die mid-batch")
    stack.start("inventory-projector")
    from inventory.projections import OfficerStandingView

    await wait_caught_up(stack, "inventory", OfficerStandingView())
    assert await stack.scalar("SELECT count(*) FROM inventory_officers.officers WHERE certification = 'certified'",
                              service_name="inventory") == officers
