"""Diversion's process manager through the real broker: an administration recorded at incidents, or a
take-home supply where the person consented, becomes one referral offer to the partner the force
contracts for treatment on the day; redelivered events and whole replays open nothing more; an
erasure at incidents shreds the subject's referral keys here too.

One isolated stack for the module: incidents' API and relay publish real administrations; take-home
supplies carrying consent are published as inventory would publish them (inventory does not set
`referral_consent` yet: its field is new in the contract).
"""

import json
import os
import subprocess
import sys
import uuid
from datetime import UTC, date, datetime, timedelta

import asyncpg
import httpx
import pytest
from aiokafka import AIOKafkaProducer

from diversion.application import handlers as h
from diversion.domain import Scheme, Source, offer_id
from diversion.projections import DiversionReadModel
from naloxone.inventory.v1 import events_pb2 as inventory_pb
from naloxone_kernel.commands import CommandRunner
from naloxone_kernel.db import drop_database, ensure_database, with_database
from naloxone_kernel.envelope import EnvelopeMeta, to_outbox
from naloxone_kernel.eventstore import EventStore
from naloxone_kernel.projector import rebuild
from naloxone_kernel.reactor import Reactor
from naloxone_kernel.registry import service
from naloxone_kernel.repository import CommandContext
from naloxone_kernel.service import mapper_for
from naloxone_kernel.settings import settings_for

from ..harness import assert_equals_fresh_rebuild, key, wait_caught_up, wait_outbox_drained
from ..support import REPO, IsolatedStack, unique, wait_for

pytestmark = pytest.mark.integration

FORCE = "west-midlands"
UNCONTRACTED = "leicestershire"
PARTNER = "cranstoun"


@pytest.fixture(scope="module")
async def stack(servers, issuer, tmp_path_factory):
    stack = IsolatedStack(servers, issuer, tmp_path_factory.mktemp("diversion-pm"))
    await stack.prepare()
    stack.start("incidents-api", "incidents-relay", "diversion-api", "diversion-relay", "diversion-projector",
                "diversion-reactor")
    async with httpx.AsyncClient(base_url=stack.api("diversion"), timeout=30) as client:
        r = await client.put(f"/v1/forces/{FORCE}/referrals/contracts/treatment",
                             json={"partner_org": PARTNER, "starts_on": "2024-01-01", "scheme_code": "TX"},
                             headers={**stack.auth(FORCE, ["force_admin"]), "Idempotency-Key": key()})
        assert r.status_code == 200, r.text
    yield stack
    await stack.destroy()


async def administer(stack, force: str, *, subject: str | None, outcome: str = "alive_at_handover") -> dict:
    body = {"administered_by": "officer", "staff_number": "WM1", "kit_source": "take_home_kit",
            "administered_at": (datetime.now(UTC) - timedelta(minutes=20)).isoformat(), "doses": 2,
            "route": "intranasal", "outcome": outcome, "place": {"area_code": "B1"}}
    if subject:
        body["subject"] = {"local_identifier": subject}
    async with httpx.AsyncClient(base_url=stack.api("incidents"), timeout=30) as client:
        r = await client.post(f"/v1/forces/{force}/administrations", json=body,
                              headers={**stack.auth(force, ["officer"]), "Idempotency-Key": key()})
    assert r.status_code == 201, r.text
    return r.json()


async def referral_events(stack, referral_id: uuid.UUID) -> list[str]:
    conn = await stack.db("diversion")
    try:
        return [r["event_type"] for r in await conn.fetch(
            "SELECT event_type FROM events WHERE aggregate_id = $1 ORDER BY aggregate_version", referral_id)]
    finally:
        await conn.close()


async def source_event_id(stack, service_name: str, aggregate_id: str) -> uuid.UUID:
    return await stack.scalar("SELECT event_id FROM events WHERE aggregate_id = $1 ORDER BY aggregate_version "
                              "LIMIT 1", uuid.UUID(aggregate_id), service_name=service_name)


async def reacted_to(stack, event_id: uuid.UUID) -> bool:
    return bool(await stack.scalar("SELECT count(*) FROM diversion_reactions.processed_events WHERE event_id = $1",
                                   event_id, service_name="diversion"))


async def get_referral(stack, referral_id, force: str = FORCE) -> dict | None:
    async with httpx.AsyncClient(base_url=stack.api("diversion"), timeout=30) as client:
        r = await client.get(f"/v1/forces/{force}/referrals/{referral_id}", headers=stack.auth(force, ["officer"]))
    return r.json() if r.status_code == 200 else None


async def test_an_administration_at_incidents_becomes_one_offer_to_the_contracted_partner(stack):
    done = await administer(stack, FORCE, subject=f"CUST/{uuid.uuid4().hex[:8]}")
    rid = offer_id(Source.POST_OVERDOSE, uuid.UUID(done["administration_id"]))
    offer = await wait_for(lambda: get_referral(stack, rid), timeout=60, message="the offer in diversion's view")
    assert offer["status"] == "offered" and offer["source"] == "post_overdose" and offer["scheme"] == "treatment"
    assert offer["partner_org"] == PARTNER and offer["scheme_code"] == "TX" and offer["consent"] == "pending"
    assert offer["subject_pseudonym"] == done["subject_pseudonym"]
    assert offer["incident_id"] == done["incident_id"]
    assert offer["source_record_id"] == done["administration_id"]
    assert await referral_events(stack, rid) == ["DiversionReferralMade"]


async def test_no_offer_without_a_person_or_after_a_death_and_a_failure_recorded_without_a_partner(stack):
    anonymous = await administer(stack, FORCE, subject=None)
    died = await administer(stack, FORCE, subject=f"CUST/{uuid.uuid4().hex[:8]}", outcome="died")
    elsewhere = await administer(stack, UNCONTRACTED, subject=f"CUST/{uuid.uuid4().hex[:8]}")
    await wait_outbox_drained(stack, "incidents")
    for done in (anonymous, died, elsewhere):
        event_id = await source_event_id(stack, "incidents", done["administration_id"])
        await wait_for(lambda e=event_id: reacted_to(stack, e), timeout=60, message="the reactor to process it")
        assert await referral_events(stack, offer_id(Source.POST_OVERDOSE, uuid.UUID(done["administration_id"]))) == []
    failure = await stack.scalar(
        "SELECT reason FROM diversion_reactions.reaction_failures WHERE event_id = $1",
        await source_event_id(stack, "incidents", elsewhere["administration_id"]), service_name="diversion")
    assert failure.startswith(f"force {UNCONTRACTED} has no partner contracted for scheme treatment")


async def publish_supplies(stack, supplies: list[dict], *, times: int = 1) -> list[uuid.UUID]:
    """TakeHomeKitSupplied as inventory publishes it (each envelope sent `times` times: a relay re-publish)."""
    producer = AIOKafkaProducer(bootstrap_servers=stack.servers.kafka_bootstrap, enable_idempotence=True)
    await producer.start()
    event_ids = []
    try:
        for supply in supplies:
            now = datetime.now(UTC)
            payload = inventory_pb.TakeHomeKitSupplied(
                supply_id=supply["supply_id"], force_id=FORCE, quantity=1,
                setting=inventory_pb.SUPPLY_SETTING_CUSTODY_RELEASE, recipient=supply.get(
                    "recipient", inventory_pb.SUPPLY_RECIPIENT_PERSON_AT_RISK),
                subject_pseudonym=supply["pseudonym"], referral_consent=supply["consent"], supplier_org_id=FORCE,
                area_code="B2")
            payload.supplied_at.FromDatetime(now - timedelta(hours=1))
            event_id = uuid.uuid4()
            event_ids.append(event_id)
            message = to_outbox(stack.topic("inventory"), EnvelopeMeta(
                event_id=event_id, aggregate_type="TakeHomeSupply", aggregate_id=uuid.UUID(supply["supply_id"]),
                aggregate_version=1, force_id=FORCE, occurred_at=now, recorded_at=now, correlation_id=None,
                causation_id=None, actor="test"), payload)
            for _ in range(times):
                await producer.send(message.topic, message.value, key=message.key,
                                    headers=[(k, v.encode()) for k, v in message.headers])
        await producer.flush()
    finally:
        await producer.stop()
    return event_ids


def pseudonym() -> str:
    return "ps1_" + uuid.uuid4().hex + uuid.uuid4().hex[:11]


async def test_a_consented_take_home_supply_opens_one_offer_however_often_it_is_delivered(stack):
    consented, declined, witness = ({"supply_id": str(uuid.uuid4()), "pseudonym": pseudonym(), "consent": c}
                                    for c in (True, False, True))
    witness["recipient"] = inventory_pb.SUPPLY_RECIPIENT_FAMILY_OR_FRIEND
    await publish_supplies(stack, [consented, declined, witness], times=2)
    await publish_supplies(stack, [consented])  # the same supply in a second event: still one offer
    rid = offer_id(Source.TAKE_HOME_SUPPLY, uuid.UUID(consented["supply_id"]))
    offer = await wait_for(lambda: get_referral(stack, rid), timeout=60, message="the supply's offer")
    assert offer["consent"] == "given" and offer["source"] == "take_home_supply" and offer["partner_org"] == PARTNER
    assert offer["subject_pseudonym"] == consented["pseudonym"] and offer["area_code"] == "B2"
    last = (await publish_supplies(stack, [{"supply_id": str(uuid.uuid4()), "pseudonym": pseudonym(),
                                            "consent": False}]))[0]
    await wait_for(lambda: reacted_to(stack, last), timeout=60, message="the reactor past every supply")
    assert await referral_events(stack, rid) == ["DiversionReferralMade"]
    for other in (declined, witness):
        assert await referral_events(stack, offer_id(Source.TAKE_HOME_SUPPLY, uuid.UUID(other["supply_id"]))) == []


async def offers(database_url: str) -> list[tuple]:
    """Every offer the process manager opened in a diversion event store: its id and what it says."""
    conn = await asyncpg.connect(database_url)
    try:
        rows = await conn.fetch("SELECT aggregate_id, payload FROM events WHERE event_type = 'DiversionReferralMade' "
                                "AND actor LIKE 'system:reaction:%' ORDER BY aggregate_id")
    finally:
        await conn.close()
    return [(r["aggregate_id"], json.loads(r["payload"])) for r in rows]


async def replay_into_a_fresh_store(stack) -> list[tuple]:
    """Diversion again from nothing: a new database holding only the same contract, and the reactor
    (the kit's own, run by the kit's replay) over every topic from the beginning."""
    url = with_database(stack.servers.postgres_url, unique("diversion_replay_"))
    await ensure_database(url)
    try:
        subprocess.run([sys.executable, "-m", "naloxone_kernel", "diversion", "migrate"], check=True, cwd=REPO,
                       env={**os.environ, **stack.config.service_env(service("diversion")),
                            "DIVERSION_DATABASE_URL": url}, timeout=120)
        reactor = reactor_model()
        conn = await asyncpg.connect(url)
        try:
            await CommandRunner(EventStore(conn), reactor.mapper).run(
                CommandContext(actor="test", correlation_id="replay", idempotency_key=key(), fingerprint="f"),
                h.commission(h.Commission(FORCE, Scheme.TREATMENT, PARTNER, date(2024, 1, 1), "TX")))
        finally:
            await conn.close()
        await rebuild(reactor, url, stack.servers.kafka_bootstrap, topic_prefix=stack.topic_prefix,
                      target_schema=reactor.name, swap=False, progress=lambda *_: None)
        return await offers(url)
    finally:
        await drop_database(url)


async def test_replaying_the_topics_twice_yields_the_same_referrals(stack):
    """Two fresh diversion stores replaying the same topics open exactly the offers the live one did: same
    ids, same partner, same consent and times (routing is by the fact's day, ids by the fact's record)."""
    await administer(stack, FORCE, subject=f"CUST/{uuid.uuid4().hex[:8]}")
    await wait_outbox_drained(stack, "incidents")
    await wait_caught_up(stack, "diversion", reactor_model())
    live = await offers(stack.database_urls["diversion"])
    assert len(live) >= 3
    first, second = await replay_into_a_fresh_store(stack), await replay_into_a_fresh_store(stack)
    for replayed in (first, second):
        assert [i for i, _ in replayed] == [i for i, _ in live]
        for (referral_id, made), (_, made_live) in zip(replayed, live):
            assert made == made_live, (referral_id, {k: (v, made_live[k]) for k, v in made.items()
                                                     if made_live[k] != v})
    assert await offers(stack.database_urls["diversion"]) == live  # the live store gained nothing meanwhile


async def test_the_read_model_replayed_from_nothing_twice_equals_the_live_one(stack):
    await wait_outbox_drained(stack, "diversion")
    await wait_caught_up(stack, "diversion", DiversionReadModel())
    for _ in range(2):
        await assert_equals_fresh_rebuild(stack, "diversion", DiversionReadModel())


def reactor_model():
    """The reactor as a projection (its name and topics), the way the kit builds it."""
    from diversion.entrypoints.api import service as parts

    entry = service("diversion")
    return Reactor(entry.name, parts.reactions, mapper_for(parts, settings_for(entry.name, parts.settings)))


async def test_an_erasure_at_incidents_shreds_the_subjects_referral_keys_here(stack):
    person = f"CUST/{uuid.uuid4().hex[:8]}"
    async with httpx.AsyncClient(base_url=stack.api("diversion"), timeout=30) as client:
        r = await client.post(f"/v1/forces/{FORCE}/referrals", json={
            "subject": {"local_identifier": person}, "source": "custody", "scheme": "treatment", "consent": True,
            "contact": "mobile 07700 900456", "note": "prefers mornings"},
            headers={**stack.auth(FORCE, ["custody"]), "Idempotency-Key": key()})
        assert r.status_code == 201, r.text
        made = r.json()
        rid = made["referral_id"]
        detail = await wait_for(lambda: get_referral(stack, rid), message="the referral in the view")
        assert detail["contact"] == {"text": "mobile 07700 900456", "personal_data": "available"}
        stored = await stack.scalar("SELECT payload::text FROM events WHERE aggregate_id = $1",
                                    uuid.UUID(rid), service_name="diversion")
        assert "07700" not in stored and "mornings" not in stored and person not in stored
    dpo = {"Authorization": "Bearer " + stack.issuer.mint(subject="dpo@wm", roles=["auditor"], force_id=FORCE,
                                                          grants=["dpo"])}
    async with httpx.AsyncClient(base_url=stack.api("incidents"), timeout=30) as client:
        r = await client.post(f"/v1/forces/{FORCE}/subjects/{made['subject_pseudonym']}/erasure", json={},
                              headers={**dpo, "Idempotency-Key": key()})
        assert r.status_code == 200, r.text

    async def erased():
        d = await get_referral(stack, rid)
        return d if d and d["contact"]["personal_data"] == "erased" and d["subject_pseudonym"] is None else None

    detail = await wait_for(erased, timeout=60, message="the referral's personal fields erased")
    assert detail["contact"]["text"] is None and detail["note"] == {"text": None, "personal_data": "erased"}
    assert detail["personal_data"] == "erased" and detail["status"] == "offered"
    assert await referral_events(stack, uuid.UUID(rid)) == ["DiversionReferralMade", "ReferralPersonalDataShredded"]


async def test_the_reactor_replaying_its_topics_over_its_own_store_adds_nothing(stack):
    """Its offsets and processed ids gone, the reactor reads every topic again: each reaction finds its first
    answer (or its offer already made) and the store gains nothing. Last: it restarts the reactor."""
    reactor = reactor_model()
    await wait_caught_up(stack, "diversion", reactor)
    every_event = "SELECT array_agg(event_id ORDER BY position) FROM events"
    before = await stack.scalar(every_event, service_name="diversion")
    stack.stack.stop("diversion-reactor")
    conn = await stack.db("diversion")
    try:
        await conn.execute("DROP SCHEMA diversion_reactions CASCADE")
    finally:
        await conn.close()
    stack.start("diversion-reactor")
    await wait_caught_up(stack, "diversion", reactor)
    assert await stack.scalar(every_event, service_name="diversion") == before
    assert await stack.scalar("SELECT count(*) FROM diversion_reactions.processed_events",
                              service_name="diversion") > 0  # it really read them all again
