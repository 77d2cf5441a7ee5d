"""Force IT through the event stream, as real processes on the real broker: inbound records become
the REST API's commands exactly once, bad and unauthorised ones are dead-lettered without blocking,
and egress republishes each force's events (only its own, in order, ciphertext it alone opens)."""

from __future__ import annotations

import json
import uuid
from datetime import datetime

import httpx
import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient

from naloxone.common.v1 import dead_letter_pb2 as dl
from naloxone.common.v1.types_pb2 import Date
from naloxone.contracts import force_topic
from naloxone.egress.v1.keys_pb2 import ForceDataKeys
from naloxone.incidents.v1 import events_pb2 as incidents_pb
from naloxone.inbound.v1 import incidents_pb2 as inbound_incidents
from naloxone.inbound.v1 import training_pb2 as inbound_training
from naloxone.inbound.v1.record_pb2 import InboundRecord
from naloxone.training.v1 import events_pb2 as training_pb
from naloxone_kernel.envelope import decode
from naloxone_kernel.inbound import (
    INBOUND_PERSONAL_INFO,
    ensure_force_topics,
    force_dead_letter_topic,
    force_inbound_topic,
)
from naloxone_kernel.integration_keys import IntegrationKeys, ensure_dev_keys
from naloxone_kernel.personal_data import Unreadable, hpke_seal, unseal_json, unwrap_shared_key
from naloxone_kernel.db import ensure_database
from naloxone_kernel.kafka import delete_topics, ensure_topics, topic_partitions
from training.domain import officer_id_for

from ..support import IsolatedStack, wait_for

pytestmark = pytest.mark.e2e

WM, LEICS = "west-midlands", "leicestershire"
PROCESSES = [f"{s}-{k}" for s in ("training", "incidents") for k in ("api", "relay", "projector", "egress", "inbound")]


async def prepare_only(stack: IsolatedStack, services: tuple[str, ...] = ("training", "incidents")) -> None:
    """The stack's databases and topics for just these services (the rest of the platform is not run here)."""
    for name in services:
        await ensure_database(stack.database_urls[name])
        stack.run(name, "migrate")
    await ensure_topics(stack.servers.kafka_bootstrap, stack.topics)


@pytest.fixture(scope="module")
async def stack(servers, issuer, tmp_path_factory):
    keys_dir = tmp_path_factory.mktemp("integration-keys")
    ensure_dev_keys(keys_dir, [WM, LEICS])
    s = IsolatedStack(servers, issuer, tmp_path_factory.mktemp("inbound-egress"))
    s.config.extra_env["NALOX_INTEGRATION_KEYS_DIR"] = str(keys_dir)
    s.keys = IntegrationKeys(keys_dir)
    await prepare_only(s)
    for domain in ("training", "incidents"):
        await ensure_force_topics(servers.kafka_bootstrap, domain, [WM, LEICS], topic_prefix=s.topic_prefix)
    s.start(*PROCESSES)
    yield s
    s.down()
    await delete_topics(servers.kafka_bootstrap, await _prefixed_topics(servers.kafka_bootstrap, s.topic_prefix))
    await s.destroy()


async def _prefixed_topics(bootstrap: str, prefix: str) -> list[str]:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        return [t for t in await admin.list_topics() if t.startswith(prefix)]
    finally:
        await admin.close()


def record(force: str, message, *, key: str | None = None, personal: dict | None = None, stack=None,
           source: str = "test-rms") -> tuple[bytes, str]:
    key = key or f"test-{uuid.uuid4().hex}"
    envelope = InboundRecord(idempotency_key=key, force_id=force, source_system=source)
    envelope.record.Pack(message)
    if personal is not None:
        envelope.personal_ciphertext = hpke_seal(stack.keys.inbound_public_key(), json.dumps(personal).encode(),
                                                 INBOUND_PERSONAL_INFO + key.encode())
    return envelope.SerializeToString(), key


async def publish(stack, domain: str, topic_force: str, *values: bytes, key: bytes = b"k") -> None:
    producer = AIOKafkaProducer(bootstrap_servers=stack.servers.kafka_bootstrap, enable_idempotence=True)
    await producer.start()
    try:
        for value in values:
            await producer.send_and_wait(stack.topic_prefix + force_inbound_topic(domain, topic_force), value,
                                         key=key)
    finally:
        await producer.stop()


async def committed_records(bootstrap: str, topic: str) -> list:
    """Every committed record on a topic now (read_committed: aborted transactions never show)."""
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False, auto_offset_reset="earliest",
                                isolation_level="read_committed")
    await consumer.start()
    try:
        partitions = await topic_partitions(consumer, [topic])
        if not partitions:
            return []
        consumer.assign(partitions)
        end = await consumer.end_offsets(partitions)
        await consumer.seek_to_beginning(*partitions)
        out = []
        while any([await consumer.position(tp) < end[tp] for tp in partitions]):
            for tp, records in (await consumer.getmany(timeout_ms=500)).items():
                out.extend(r for r in records if r.offset < end[tp])
        return out
    finally:
        await consumer.stop()


async def egress_events(stack, force: str) -> list:
    topic = stack.topic_prefix + force_topic(force)
    return [(r, *decode(r.value)) for r in await committed_records(stack.servers.kafka_bootstrap, topic)]


async def dead_letters(stack, domain: str, force: str) -> list[dl.DeadLetter]:
    topic = stack.topic_prefix + force_dead_letter_topic(domain, force)
    return [dl.DeadLetter.FromString(r.value) for r in await committed_records(stack.servers.kafka_bootstrap, topic)]


async def wait_dead_letter(stack, domain, force, value: bytes) -> dl.DeadLetter:
    async def found():
        return next((d for d in await dead_letters(stack, domain, force) if d.source_value == value), None)
    return await wait_for(found, timeout=60, message="the dead letter")


def enrolment(staff: str) -> inbound_training.OfficerEnrolmentRecord:
    return inbound_training.OfficerEnrolmentRecord(
        staff_number=staff, role=training_pb.OFFICER_ROLE_RESPONSE, enrolled_on=Date(year=2026, month=1, day=5))


def administration(**overrides) -> inbound_incidents.AdministrationRecord:
    message = inbound_incidents.AdministrationRecord(
        administered_by=incidents_pb.ADMINISTRATOR_OFFICER, staff_number="WM4242", doses=2, route=incidents_pb.ADMINISTRATION_ROUTE_INTRANASAL,
        suspected_substances=[incidents_pb.SUSPECTED_SUBSTANCE_HEROIN], outcome_final=True,
        outcome=incidents_pb.INCIDENT_OUTCOME_ALIVE_AT_HANDOVER, place=inbound_incidents.Place(area_code="B1"))
    message.administered_at.FromDatetime(datetime(2026, 2, 1, 3, 4, 5))
    for name, value in overrides.items():
        setattr(message, name, value)
    return message


async def incidents_events(stack, force: str, event_type: str) -> list:
    return await stack.scalar("SELECT count(*) FROM events WHERE event_type = $1 AND force_id = $2",
                              event_type, force, service_name="incidents")


async def test_records_become_commands_and_reach_the_forces_topic_in_order(stack):
    staff = f"HR{uuid.uuid4().hex[:6].upper()}"
    enrol_value, _ = record(WM, enrolment(staff), source="sap-hr")
    course = inbound_training.TrainingRecord(staff_number=staff, course="NALOXONE-1", provider="WMP-LEARNING",
                                             completed_on=Date(year=2026, month=1, day=10))
    training_value, _ = record(WM, course, source="sap-hr")
    await publish(stack, "training", WM, enrol_value, training_value, key=staff.encode())

    officer_id = officer_id_for(WM, staff)
    async with httpx.AsyncClient(base_url=stack.api("training"), timeout=20) as client:
        async def certified():
            r = await client.get(f"/v1/forces/{WM}/officers/{officer_id}", headers=stack.auth(WM))
            return r.status_code == 200 and r.json().get("certification") == "certified" and r.json()
        officer = await wait_for(certified, timeout=60, message="the officer enrolled and trained from HR's records")
    assert officer["staff_number"] == staff

    async def on_egress():
        mine = [(r, env) for r, env, _ in await egress_events(stack, WM) if env.aggregate_id == str(officer_id)]
        return len(mine) >= 2 and mine
    mine = await wait_for(on_egress, timeout=60, message="the officer's events on the force's egress topic")
    assert [env.event_type for _, env in mine] == ["naloxone.training.v1.OfficerEnrolled",
                                                   "naloxone.training.v1.TrainingCompleted"]
    assert [env.aggregate_version for _, env in mine] == [1, 2]
    for r, env in mine:
        assert r.key == str(officer_id).encode()  # keyed by aggregate: one partition, in order
        assert len({x.partition for x, _ in mine}) == 1
        headers = dict(r.headers)
        assert headers["event_id"].decode() == env.event_id and headers["event_type"].decode() == env.event_type
        assert env.actor == f"force-system:{WM}:sap-hr"


async def test_a_redelivered_record_is_applied_once(stack):
    value, key = record(WM, administration(), personal={"place": {"latitude": 52.48, "longitude": -1.89}},
                        stack=stack)
    # the same record again, re-encrypted (new bytes, same content): still the same command
    again, _ = record(WM, administration(), key=key, personal={"place": {"latitude": 52.48, "longitude": -1.89}},
                      stack=stack)
    before = await incidents_events(stack, WM, "NaloxoneAdministered")
    await publish(stack, "incidents", WM, value, value, again, value)
    await wait_for(lambda: _count_is(stack, WM, before + 1), timeout=60, message="the administration recorded")
    await publish(stack, "incidents", WM, value)  # and once more, after it was applied
    after_marker, _ = record(WM, administration(doses=1), key=f"after-{key}")
    await publish(stack, "incidents", WM, after_marker)
    await wait_for(lambda: _count_is(stack, WM, before + 2), timeout=60, message="the next record applied")
    assert await incidents_events(stack, WM, "NaloxoneAdministered") == before + 2
    assert not [d for d in await dead_letters(stack, "incidents", WM) if d.source_value in (value, again)]


async def _count_is(stack, force, n):
    return await incidents_events(stack, force, "NaloxoneAdministered") == n


async def test_invalid_records_are_dead_lettered_with_the_original_bytes_and_never_block(stack):
    invalid, _ = record(WM, administration(doses=0))
    bad_latitude, _ = record(WM, administration(), personal={"place": {"latitude": 70.0, "longitude": -1.8}},
                             stack=stack)
    garbage = b"\x00\xffnot a protobuf record\xff"
    wrong_type, _ = record(WM, enrolment("X1"))  # a training record on the incidents topic
    reused_value, reused_key = record(WM, administration(doses=1))
    reused_other, _ = record(WM, administration(doses=3), key=reused_key)
    valid, _ = record(WM, administration(doses=4))
    before = await incidents_events(stack, WM, "NaloxoneAdministered")
    # one partition (one key), the bad ones first: the good record behind them must still be applied
    await publish(stack, "incidents", WM, invalid, bad_latitude, garbage, wrong_type, reused_value, reused_other,
                  valid, key=b"one-partition")
    await wait_for(lambda: _count_is(stack, WM, before + 2), timeout=60, message="the valid records applied")

    letter = await wait_dead_letter(stack, "incidents", WM, invalid)
    assert (letter.reason, letter.field) == (dl.REJECTION_REASON_INVALID, "doses")
    assert letter.source_key == b"one-partition" and letter.force_id == WM and letter.rejected_by == "incidents-inbound"
    assert letter.source_topic == stack.topic_prefix + force_inbound_topic("incidents", WM)
    letter = await wait_dead_letter(stack, "incidents", WM, bad_latitude)
    assert (letter.reason, letter.field) == (dl.REJECTION_REASON_INVALID, "place.latitude")
    assert "70" not in letter.detail  # the detail never repeats a personal value
    letter = await wait_dead_letter(stack, "incidents", WM, garbage)
    assert letter.reason == dl.REJECTION_REASON_UNPARSEABLE
    letter = await wait_dead_letter(stack, "incidents", WM, wrong_type)
    assert (letter.reason, letter.field) == (dl.REJECTION_REASON_UNKNOWN_EVENT_TYPE, "record")
    letter = await wait_dead_letter(stack, "incidents", WM, reused_other)
    assert (letter.reason, letter.field) == (dl.REJECTION_REASON_INVALID, "idempotency_key")


async def test_a_force_submits_only_for_itself(stack):
    before = await incidents_events(stack, LEICS, "NaloxoneAdministered")
    forged, _ = record(LEICS, administration())  # Leicestershire's record on West Midlands' own topic
    await publish(stack, "incidents", WM, forged)
    letter = await wait_dead_letter(stack, "incidents", WM, forged)
    assert (letter.reason, letter.field, letter.force_id) == (dl.REJECTION_REASON_FORBIDDEN, "force_id", LEICS)
    assert await incidents_events(stack, LEICS, "NaloxoneAdministered") == before
    assert not await dead_letters(stack, "incidents", LEICS)  # the refusal is the sender's, not the victim's


async def test_egress_gives_each_force_its_own_events_and_keys_only_it_can_use(stack):
    latitude = 52.4862 + uuid.uuid4().int % 1000 / 1e6
    wm_value, _ = record(WM, administration(), stack=stack,
                         personal={"place": {"latitude": latitude, "longitude": -1.8904},
                                   "subject": {"local_identifier": "CUST-0001", "age_band": "25_to_34",
                                               "sex": "female"}})
    leics_value, _ = record(LEICS, administration(), stack=stack,
                            personal={"place": {"latitude": 52.63, "longitude": -1.13}})
    await publish(stack, "incidents", WM, wm_value)
    await publish(stack, "incidents", LEICS, leics_value)

    async def both():
        wm = [x for x in await egress_events(stack, WM) if x[1].event_type.endswith("NaloxoneAdministered")]
        leics = [x for x in await egress_events(stack, LEICS) if x[1].event_type.endswith("NaloxoneAdministered")]
        return wm and leics and (wm, leics)
    await wait_for(both, timeout=60, message="administrations on both forces' topics")
    for force in (WM, LEICS):
        assert {env.force_id for _, env, _ in await egress_events(stack, force)} == {force}

    wm_events = [x for x in await egress_events(stack, WM) if x[1].event_type.endswith("NaloxoneAdministered")]
    opened = None
    for r, env, payload in wm_events:
        if not payload.location_ciphertext:
            assert "data_keys" not in dict(r.headers)  # nothing sealed, no key shared
            continue
        keys = ForceDataKeys.FromString(dict(r.headers)["data_keys"])
        shared = keys.keys[0]
        assert shared.record_id == payload.administration_id and shared.record_type == "administration"
        data_key = unwrap_shared_key(stack.keys.force_private_key(WM), uuid.UUID(shared.key_id), shared.wrapped_key)
        context = f"incidents/administration/{payload.administration_id}/location"
        location = unseal_json(data_key, payload.location_ciphertext, context)
        if location["latitude"] == latitude:
            opened = (r, shared, payload)
            assert unseal_json(data_key, payload.subject_details_ciphertext,
                               context.replace("location", "subject_details")) == {"age_band": "25_to_34",
                                                                                   "sex": "female"}
    assert opened, "West Midlands opened its own administration's location"
    r, shared, payload = opened
    assert str(latitude).encode() not in r.value  # ciphertext on the topic, never the value
    with pytest.raises(Unreadable):  # another force's private key opens nothing
        unwrap_shared_key(stack.keys.force_private_key(LEICS), uuid.UUID(shared.key_id), shared.wrapped_key)


async def test_egress_killed_mid_transaction_republishes_each_event_once(stack):
    stack.stack.stop("incidents-egress")
    stack.start("incidents-egress", env={"NALOX_FAILPOINTS": "egress.mid_transaction=kill"})
    value, _ = record(WM, administration(doses=5))
    before = len(await egress_events(stack, WM))
    await publish(stack, "incidents", WM, value)

    async def died():
        return stack.stack.pid("incidents-egress") is None
    await wait_for(died, timeout=60, message="the egress killed inside its transaction")
    stack.start("incidents-egress")
    await wait_for(lambda: _egress_count_at_least(stack, WM, before + 1), timeout=60, message="the event republished")
    events = await egress_events(stack, WM)
    ids = [env.event_id for _, env, _ in events]
    assert len(ids) == len(set(ids)), "no event republished twice after the crash"


async def _egress_count_at_least(stack, force, n):
    return len(await egress_events(stack, force)) >= n
