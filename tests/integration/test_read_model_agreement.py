"""Harness: for any command sequence, each service's read model (real SQL, real PostgreSQL) agrees
with its aggregates, even when the relay re-publishes and batches split anywhere.

A service joins by adding an `Agreement` to `AGREEMENTS` below: a hypothesis strategy of
command scripts, a runner giving the aggregates, and a comparison of rows with them.
The events go through the real path: domain event -> contract envelope -> the kernel's
`apply_records` (offsets, event-id dedupe, one transaction per batch) -> the service's SQL.
"""

from __future__ import annotations

import asyncio
import random
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Callable

import asyncpg
import pytest
from aiokafka import TopicPartition
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from naloxone_kernel.domain import Aggregate
from naloxone_kernel.projector import apply_records, create_schema
from naloxone_kernel.registry import service
from naloxone_kernel.repository import CommandContext
from naloxone_kernel.service import load_parts, mapper_for
from naloxone_kernel.settings import settings_for

from ..support import unique
from ..unit.officer_script import run_officer_script, steps
from ..unit.test_inventory_domain import commands as inventory_scripts
from ..unit.test_inventory_domain import run_script as run_inventory_script

pytestmark = pytest.mark.integration


@dataclass(frozen=True)
class Agreement:
    scripts: st.SearchStrategy
    run: Callable[[object], list[Aggregate]]
    compare: Callable[[list[Aggregate], dict[str, dict[str, dict]]], None]


def _training_compare(aggregates, tables) -> None:
    (officer,) = aggregates
    row = tables["officers"][str(officer.id)]
    assert (row["status"], row["certification"], row["valid_until"], row["version"]) == (
        officer.status.value, officer.certification.value, officer.valid_until, officer.version)


def _inventory_compare(aggregates, tables) -> None:
    for aggregate in aggregates:
        if aggregate.aggregate_type == "Kit":
            row = tables["kits"][str(aggregate.id)]
            assert row["status"] == aggregate.status.value
            assert row["location_id"] == (aggregate.location.location_id if aggregate.location else None)
            assert (str(row["holder_officer_id"]) if row["holder_officer_id"] else None) == (
                str(aggregate.holder) if aggregate.holder else None)
            assert (row["expired"], row["recalled"]) == (aggregate.expired, aggregate.recalled)
        elif aggregate.aggregate_type == "Batch":
            row = tables["batches"][str(aggregate.id)]
            assert (row["recalled"], row["expired"]) == (aggregate.recalled, aggregate.expired)
        else:
            assert str(aggregate.id) in tables["take_home_supplies"]


AGREEMENTS: dict[str, Agreement] = {
    "training": Agreement(steps, lambda script: [run_officer_script(script)], _training_compare),
    "inventory": Agreement(inventory_scripts, lambda script: (lambda r: [r.batch, *r.kits, *r.supplies])(
        run_inventory_script(script)), _inventory_compare),
}


def _records(service_name: str, aggregates: list[Aggregate], rng: random.Random):
    """The envelopes the relay would publish, with some re-published (new offsets, same event ids)."""
    entry = service(service_name)
    parts = load_parts(entry)
    mapper = mapper_for(parts, settings_for(entry.name, parts.settings))
    ctx = CommandContext(actor="t", correlation_id="c")
    values = []
    for aggregate in aggregates:
        pending, aggregate.version = aggregate.pending, 0  # publish the whole stream from version 1
        values += [m.value for m in mapper.pending_rows(aggregate, ctx)[1]]
        aggregate.version = len(pending)
    values += rng.sample(values, k=min(len(values), rng.randrange(0, 6)))  # a relay re-publish after a crash
    return [SimpleNamespace(topic=mapper.topic, partition=0, offset=n, value=v) for n, v in enumerate(values)]


async def _project(url: str, model, records, rng: random.Random) -> dict[str, dict[str, dict]]:
    conn = await asyncpg.connect(url)
    schema = unique("agree_")
    try:
        await create_schema(conn, model, schema)
        tp = TopicPartition(records[0].topic, 0) if records else None
        start = 0
        while start < len(records):  # batches split anywhere
            end = start + rng.randrange(1, 8)
            await apply_records(conn, model, schema, {tp: records[start:end]})
            start = end
        tables = {}
        for table in ("officers", "kits", "batches", "take_home_supplies"):
            if await conn.fetchval("SELECT to_regclass($1) IS NOT NULL", f"{schema}.{table}"):
                key = {"officers": "officer_id", "kits": "kit_id", "batches": "batch_id",
                       "take_home_supplies": "supply_id"}[table]
                tables[table] = {str(r[key]): dict(r) for r in await conn.fetch(f"SELECT * FROM {schema}.{table}")}
        return tables
    finally:
        await conn.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
        await conn.close()


@pytest.mark.parametrize("service_name", sorted(AGREEMENTS))
def test_the_read_model_agrees_with_the_aggregates_for_any_commands(scratch_database, service_name):
    spec = AGREEMENTS[service_name]
    model = load_parts(service(service_name)).read_models[0]

    @settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(spec.scripts, st.randoms(use_true_random=False))
    def agree(script, rng):
        aggregates = spec.run(script)
        records = _records(service_name, aggregates, rng)
        tables = asyncio.run(_project(scratch_database, model, records, rng))
        spec.compare(aggregates, tables)

    agree()
