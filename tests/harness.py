"""Test harnesses every registered service gets by listing itself here, not by copying tests.

`LOADS` maps a service to a coroutine that puts `count` units of realistic work through
its own API (returning how many it put); the harness tests in integration/ run each
service's projector and reactor through crashes with it and compare the result with
a fresh rebuild, table by table.
"""

from __future__ import annotations

import asyncio
import uuid
from typing import Awaitable, Callable

import asyncpg
import httpx
from aiokafka import AIOKafkaConsumer

from naloxone_kernel.kafka import topic_partitions
from naloxone_kernel.projector import Projection
from naloxone_kernel.registry import service
from naloxone_kernel.service import load_parts

from .support import IsolatedStack, wait_for

Load = Callable[[IsolatedStack, int, int], Awaitable[int]]
FORCES = ("west-midlands", "leicestershire", "merseyside")


def key() -> str:
    return f"k-{uuid.uuid4()}"


def api_client(base_url: str) -> httpx.AsyncClient:
    """A client for a load: it drops an idle connection after 2 s, before the server's 5 s
    keep-alive timeout, so a request is never sent on a connection the server is closing
    (httpx's default of 5 s raced uvicorn's and lost a load with ReadError now and then)."""
    return httpx.AsyncClient(base_url=base_url, timeout=30, limits=httpx.Limits(keepalive_expiry=2.0))


async def load_training(stack: IsolatedStack, count: int, first: int = 0, concurrency: int = 16) -> int:
    """Enrol and train officers straight at the training API."""
    sem = asyncio.Semaphore(concurrency)
    auth = {f: stack.auth(f) for f in FORCES}
    async with api_client(stack.api("training")) as client:
        async def one(n: int) -> None:
            force = FORCES[n % len(FORCES)]
            async with sem:
                r = await client.post(f"/v1/forces/{force}/officers", headers={**auth[force], "Idempotency-Key": key()},
                                      json={"staff_number": f"C{n:06d}", "role": "response",
                                            "enrolled_on": "2026-01-01"})
                assert r.status_code == 201, r.text
                r = await client.post(f"/v1/forces/{force}/officers/{r.json()['officer_id']}/training-records",
                                      headers={**auth[force], "Idempotency-Key": key()},
                                      json={"course": "C", "provider": "p", "completed_on": "2026-01-02",
                                            "valid_until": "2029-01-01"})
                assert r.status_code == 201, r.text

        await asyncio.gather(*(one(n) for n in range(first, first + count)))
    return count


async def load_inventory(stack: IsolatedStack, count: int, first: int = 0, concurrency: int = 8) -> int:
    """Receive small batches, move, lose and hand out their kits straight at the inventory API.

    Issue needs certified officers (from training's events), so this load keeps to what
    inventory decides alone: receipts, transfers, write-offs, take-home supplies, recalls.
    """
    sem = asyncio.Semaphore(concurrency)
    auth = {f: stack.auth(f, ["force_admin"]) for f in FORCES}
    async with api_client(stack.api("inventory")) as client:
        async def call(force: str, path: str, body: dict, expect: int) -> dict:
            r = await client.post(f"/v1/forces/{force}{path}", json=body,
                                  headers={**auth[force], "Idempotency-Key": key()})
            assert r.status_code == expect, r.text
            return r.json()

        async def one(n: int) -> None:
            force = FORCES[n % len(FORCES)]
            async with sem:
                batch = await call(force, "/stock/batches", {
                    "product_code": "nyxoid-1-8mg-nasal-spray", "manufacturer_lot": f"L{n:06d}", "quantity": 3,
                    "expires_on": "2030-01-01", "received_on": "2026-01-01",
                    "location": {"location_id": "STN-1", "location_type": "police_station"}}, 201)
                first_kit, second_kit, third_kit = batch["kit_ids"]
                await call(force, f"/kits/{first_kit}/transfer", {
                    "to": {"location_id": f"VAN-{n % 5}", "location_type": "vehicle"},
                    "transferred_on": "2026-01-02"}, 200)
                await call(force, f"/kits/{second_kit}/loss", {"reason": "over_temperature",
                                                               "written_off_on": "2026-01-03"}, 200)
                await call(force, "/take-home-supplies", {
                    "setting": "custody_release", "recipient": "person_at_risk",
                    "supplied_at": "2026-01-04T10:00:00+00:00", "supplier_org_id": force, "repeat_supply": n % 2 == 1,
                    "repeat_reason": "lost" if n % 2 else None, "kit_id": third_kit,
                    # as a partner gives an earlier pseudonym, or custody the force's own identifier (sealed details)
                    **({"subject_pseudonym": f"subject-{n:012d}"} if n % 2 else
                       {"subject": {"local_identifier": f"CR{n // 4:06d}", "age_band": "25_to_34", "sex": "male"},
                        "note": f"note {n}"})}, 201)
                if n % 4 == 0:
                    await call(force, "/recalls", {"batch_id": batch["batch_id"], "recall_reference": f"R-{n}",
                                                   "recalled_on": "2026-01-05"}, 200)

        await asyncio.gather(*(one(n) for n in range(first, first + count)))
    return count


LOADS: dict[str, Load] = {"training": load_training, "inventory": load_inventory}


async def load_incidents(stack: IsolatedStack, count: int, first: int = 0, concurrency: int = 8) -> int:
    """Administrations (pairs share a person), later outcomes, corrections and some erasures, at the API."""
    sem = asyncio.Semaphore(concurrency)
    auth = {f: stack.auth(f, ["officer"]) for f in FORCES}
    dpo = {f: {"Authorization": "Bearer " + stack.issuer.mint(subject=f"dpo@{f}", roles=["auditor"], force_id=f,
                                                              grants=["dpo"])} for f in FORCES}
    async with api_client(stack.api("incidents")) as client:
        async def call(force: str, path: str, body: dict, headers: dict | None = None) -> dict:
            r = await client.post(f"/v1/forces/{force}{path}", json=body,
                                  headers={**(headers or auth[force]), "Idempotency-Key": key()})
            assert r.status_code in (200, 201), r.text
            return r.json()

        async def one(n: int) -> None:
            force = FORCES[n % len(FORCES)]
            async with sem:
                done = await call(force, "/administrations", {
                    "administered_by": "officer", "staff_number": f"S{n % 7}", "kit_source": "take_home_kit",
                    "administered_at": f"2026-01-{1 + n % 28:02d}T10:00:00+00:00", "doses": 1 + n % 3,
                    "route": "intranasal", "suspected_substances": ["heroin"], "outcome": "unknown",
                    "place": {"area_code": f"B{n % 20}", "latitude": 52.4 + n % 100 / 1000, "longitude": -1.9},
                    "subject": {"local_identifier": f"L{n // 2:06d}", "age_band": "25_to_34", "sex": "female"}})
                administration = f"/administrations/{done['administration_id']}"
                if n % 3 == 0:
                    await call(force, f"{administration}/outcome", {
                        "outcome": "alive_at_handover", "source": "hospital", "final": True,
                        "known_at": "2026-02-01T00:00:00+00:00"})
                if n % 4 == 0:
                    await call(force, f"{administration}/corrections", {"reason": "data_entry_error", "doses": 4})
                if n % 10 == 9:
                    await call(force, f"/subjects/{done['subject_pseudonym']}/erasure", {}, dpo[force])

        await asyncio.gather(*(one(n) for n in range(first, first + count)))
    return count


LOADS["incidents"] = load_incidents


async def load_diversion(stack: IsolatedStack, count: int, first: int = 0, concurrency: int = 8) -> int:
    """Partners contracted per scheme, referrals made at the API and taken through accepted, declined,
    engaged and closed (completed or disengaged), as partners and custody staff record them."""
    sem = asyncio.Semaphore(concurrency)
    auth = {f: stack.auth(f, ["custody"]) for f in FORCES}
    admin = {f: stack.auth(f, ["force_admin"]) for f in FORCES}
    schemes = (("arrest_referral", "cranstoun"), ("deferred_prosecution", "turning-point"),
               ("treatment", "change-grow-live"))
    async with api_client(stack.api("diversion")) as client:
        async def call(force: str, path: str, body: dict, headers: dict | None = None, method: str = "POST") -> dict:
            r = await client.request(method, f"/v1/forces/{force}/referrals{path}", json=body,
                                     headers={**(headers or auth[force]), "Idempotency-Key": key()})
            assert r.status_code in (200, 201), r.text
            return r.json()

        for force in FORCES:
            for scheme, partner in schemes:
                await call(force, f"/contracts/{scheme}", {"partner_org": partner, "starts_on": "2024-01-01"},
                           admin[force], "PUT")

        async def one(n: int) -> None:
            force = FORCES[n % len(FORCES)]
            month = 1 + n % 9
            async with sem:
                made = await call(force, "", {
                    "subject": {"local_identifier": f"D{n // 2:06d}"}, "source": ("custody", "street")[n % 2],
                    "scheme": schemes[n % 3][0], "consent": True, "referred_at": f"2025-{month:02d}-03T10:00:00+00:00",
                    "area_code": f"B{n % 20}", "contact": f"phone {n}"})
                referral = f"/{made['referral_id']}"
                if n % 5 == 4:
                    await call(force, f"{referral}/decline", {"declined_on": f"2025-{month:02d}-04",
                                                             "reason": "no_contact"})
                    return
                await call(force, f"{referral}/acceptance", {"accepted_on": f"2025-{month:02d}-05"})
                if n % 5 == 3:
                    return
                await call(force, f"{referral}/engagement", {"engaged_on": f"2025-{month:02d}-{8 + n % 10:02d}",
                                                             "intervention": "structured_treatment"})
                await call(force, f"{referral}/closure", {"closed_on": f"2025-{month:02d}-25",
                                                          "closure": ("completed", "disengaged")[n % 2]})

        await asyncio.gather(*(one(n) for n in range(first, first + count)))
    return count


LOADS["diversion"] = load_diversion


def read_models(service_name: str) -> list[Projection]:
    return list(load_parts(service(service_name)).read_models)


async def topic_end_offsets(stack: IsolatedStack, topics: list[str]) -> int:
    consumer = AIOKafkaConsumer(bootstrap_servers=stack.servers.kafka_bootstrap)
    await consumer.start()
    try:
        partitions = await topic_partitions(consumer, topics)
        return sum((await consumer.end_offsets(partitions)).values()) if partitions else 0
    finally:
        await consumer.stop()


async def wait_outbox_drained(stack: IsolatedStack, service_name: str) -> None:
    await wait_for(lambda: stack.scalar("SELECT count(*) = 0 FROM outbox WHERE published_at IS NULL",
                                        service_name=service_name), timeout=60, message=f"{service_name} outbox drained")


async def wait_caught_up(stack: IsolatedStack, service_name: str, model: Projection, timeout: float = 90) -> None:
    """Until the read model's stored offsets reach the end of every topic it reads."""
    topics = [stack.topic_prefix + t for t in model.topics]

    async def caught_up():
        end = await topic_end_offsets(stack, topics)
        stored = await stack.scalar(f"SELECT coalesce(sum(next_offset), 0) FROM {model.name}.projector_offsets",
                                    service_name=service_name)
        return stored == end

    await wait_for(caught_up, timeout=timeout, message=f"{model.name} to reach the end of {topics}")


async def schema_tables(conn: asyncpg.Connection, schema: str) -> dict[str, list[tuple]]:
    tables = [r["table_name"] for r in await conn.fetch(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = $1 ORDER BY table_name", schema)]
    out = {}
    for table in tables:
        rows = [tuple(r) for r in await conn.fetch(f"SELECT * FROM {schema}.{table}")]
        out[table] = sorted(rows, key=repr)
    return out


async def assert_equals_fresh_rebuild(stack: IsolatedStack, service_name: str, model: Projection) -> None:
    """Every table of the live read model equals the same table replayed from nothing."""
    check = f"{model.name}_check"
    stack.run(service_name, "rebuild", model.name, "--into", check, "--no-swap")
    conn = await stack.db(service_name)
    try:
        live, rebuilt = await schema_tables(conn, model.name), await schema_tables(conn, check)
    finally:
        await conn.close()
    assert live.keys() == rebuilt.keys()
    for table in live:
        assert live[table] == rebuilt[table], f"{model.name}.{table}: live differs from a fresh rebuild"
