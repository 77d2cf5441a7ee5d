"""Training's officer view reads two topics that Kafka does not order against each other:
a kit issued to an officer may be applied before the officer's enrolment. However the two
arrive, the officer carries the kit (found by the fault suite: a rebuild and the live view
disagreed on kits held after a restart had reordered them)."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from types import SimpleNamespace

import asyncpg
import pytest
from aiokafka import TopicPartition

from naloxone.contracts import TOPICS
from naloxone.inventory.v1 import events_pb2 as inventory_pb
from naloxone.training.v1 import events_pb2 as training_pb
from naloxone_kernel.contract_values import to_date
from naloxone_kernel.envelope import EnvelopeMeta, to_outbox
from naloxone_kernel.projector import apply_records, create_schema
from training.projections import TrainingReadModel

from ..support import unique

pytestmark = pytest.mark.integration

FORCE = "durham"


def record(topic: str, aggregate_type: str, aggregate_id: str, version: int, payload, offset: int):
    now = datetime.now(UTC)
    meta = EnvelopeMeta(uuid.uuid4(), aggregate_type, uuid.UUID(aggregate_id), version, FORCE, now, now,
                        None, None, None)
    return SimpleNamespace(topic=topic, partition=0, offset=offset, value=to_outbox(topic, meta, payload).value)


@pytest.mark.parametrize("kit_first", [True, False])
async def test_an_officer_issued_a_kit_carries_it_whichever_topic_is_applied_first(scratch_database, kit_first):
    officer, kit = str(uuid.uuid4()), str(uuid.uuid4())
    enrolment = record(TOPICS["training"], "Officer", officer, 1, training_pb.OfficerEnrolled(
        officer_id=officer, force_id=FORCE, staff_number="D7", enrolled_on=to_date(date(2026, 1, 5))), 0)
    issue = record(TOPICS["inventory"], "Kit", kit, 2, inventory_pb.KitIssued(
        kit_id=kit, force_id=FORCE, officer_id=officer), 0)
    model, schema = TrainingReadModel(), unique("order_")
    conn = await asyncpg.connect(scratch_database)
    try:
        await create_schema(conn, model, schema)
        for r in ([issue, enrolment] if kit_first else [enrolment, issue]):  # one batch each
            await apply_records(conn, model, schema, {TopicPartition(r.topic, 0): [r]})
        held = await conn.fetchval(f"SELECT kits_held FROM {schema}.officers WHERE officer_id = $1", uuid.UUID(officer))
        carrying = await conn.fetchval(
            f"SELECT active_carrying FROM {schema}.force_training_summary WHERE force_id = $1", FORCE)
        assert (held, carrying) == (1, 1)
    finally:
        await conn.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
        await conn.close()
