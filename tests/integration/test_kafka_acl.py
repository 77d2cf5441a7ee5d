"""The broker keeps forces apart: SCRAM users with ACLs on the real local broker's SASL listener.

One force's credentials read its own egress topic and write its own inbound topic, and are
refused by the broker when they read another force's topic, write as another force or use a
consumer group outside their own. The Strimzi KafkaUsers are the same ACLs, rendered."""

from __future__ import annotations

import asyncio
import os
import secrets

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.errors import (
    GroupAuthorizationFailedError,
    KafkaConnectionError,
    KafkaError,
    TopicAuthorizationFailedError,
)

from naloxctl.kafka_users import USERS_DIR, delete_scram, provision_force, render_users
from naloxone.contracts import force_topic
from naloxone_kernel.inbound import force_dead_letter_topic, force_inbound_topic
from naloxone_kernel.kafka import delete_topics
from naloxone_kernel.kafka_acls import force_group_prefix, force_user, inbound_domains, revoke_force

from ..support import unique

pytestmark = pytest.mark.integration

WM, LEICS = "west-midlands", "leicestershire"


@pytest.fixture(scope="module")
def sasl_bootstrap(servers) -> str:
    if os.environ.get("KAFKA_BOOTSTRAP") and not os.environ.get("KAFKA_SASL_BOOTSTRAP"):
        pytest.skip("servers from KAFKA_BOOTSTRAP: set KAFKA_SASL_BOOTSTRAP to its SCRAM listener to test ACLs")
    return os.environ.get("KAFKA_SASL_BOOTSTRAP") or f"127.0.0.1:{os.environ.get('NALOX_KAFKA_SASL_PORT', '19094')}"


@pytest.fixture(scope="module")
async def forces(servers, sasl_bootstrap):
    prefix = unique("t") + "."
    passwords = {f: secrets.token_urlsafe(18) for f in (WM, LEICS)}
    for force, password in passwords.items():
        await provision_force(servers.kafka_bootstrap, force, password, topic_prefix=prefix)
    yield prefix, passwords
    topics = []
    for force in passwords:
        await revoke_force(servers.kafka_bootstrap, force, prefix)
        delete_scram(force_user(force, prefix))
        topics.append(prefix + force_topic(force))
        topics += [prefix + t for d in inbound_domains() for t in (force_inbound_topic(d, force),
                                                                   force_dead_letter_topic(d, force))]
    await delete_topics(servers.kafka_bootstrap, topics)


def as_force(sasl_bootstrap: str, prefix: str, force: str, password: str) -> dict:
    return {"bootstrap_servers": sasl_bootstrap, "security_protocol": "SASL_PLAINTEXT",
            "sasl_mechanism": "SCRAM-SHA-512", "sasl_plain_username": force_user(force, prefix),
            "sasl_plain_password": password, "request_timeout_ms": 15000}


async def read_one(config: dict, topic: str, group: str) -> bytes:
    consumer = AIOKafkaConsumer(topic, group_id=group, auto_offset_reset="earliest", enable_auto_commit=False,
                                **config)
    try:
        await consumer.start()
        while True:
            for records in (await consumer.getmany(timeout_ms=1000)).values():
                if records:
                    return records[0].value
    finally:
        await consumer.stop()


async def write(config: dict, topic: str, value: bytes) -> None:
    producer = AIOKafkaProducer(enable_idempotence=True, **config)
    await producer.start()
    try:
        await asyncio.wait_for(producer.send_and_wait(topic, value), 30)
    finally:
        await producer.stop()


async def test_a_force_reads_its_own_egress_and_writes_its_own_inbound(servers, sasl_bootstrap, forces):
    prefix, passwords = forces
    wm = as_force(sasl_bootstrap, prefix, WM, passwords[WM])
    await write({"bootstrap_servers": servers.kafka_bootstrap}, prefix + force_topic(WM), b"for west midlands")
    value = await asyncio.wait_for(read_one(wm, prefix + force_topic(WM), force_group_prefix(WM, prefix) + "it"), 60)
    assert value == b"for west midlands"
    await write(wm, prefix + force_inbound_topic("incidents", WM), b"a record")


async def test_another_forces_topic_is_refused_by_the_broker(sasl_bootstrap, forces):
    prefix, passwords = forces
    wm = as_force(sasl_bootstrap, prefix, WM, passwords[WM])
    with pytest.raises(TopicAuthorizationFailedError):
        await asyncio.wait_for(read_one(wm, prefix + force_topic(LEICS), force_group_prefix(WM, prefix) + "it"), 60)
    with pytest.raises(TopicAuthorizationFailedError):
        await asyncio.wait_for(read_one(wm, prefix + force_dead_letter_topic("incidents", LEICS),
                                        force_group_prefix(WM, prefix) + "it"), 60)


async def test_writing_as_another_force_is_refused_by_the_broker(sasl_bootstrap, forces):
    prefix, passwords = forces
    wm = as_force(sasl_bootstrap, prefix, WM, passwords[WM])
    for domain in inbound_domains():
        with pytest.raises(TopicAuthorizationFailedError):
            await write(wm, prefix + force_inbound_topic(domain, LEICS), b"forged")
    with pytest.raises(TopicAuthorizationFailedError):  # nor onto its own egress topic
        await write(wm, prefix + force_topic(WM), b"forged event")


async def test_consumer_groups_outside_the_forces_own_prefix_are_refused(sasl_bootstrap, forces):
    prefix, passwords = forces
    wm = as_force(sasl_bootstrap, prefix, WM, passwords[WM])
    with pytest.raises(GroupAuthorizationFailedError):
        await asyncio.wait_for(read_one(wm, prefix + force_topic(WM), force_group_prefix(LEICS, prefix) + "x"), 60)


async def test_a_wrong_password_is_refused(sasl_bootstrap, forces):
    prefix, _ = forces
    with pytest.raises((KafkaError, KafkaConnectionError)):
        await write(as_force(sasl_bootstrap, prefix, WM, "not-the-password"), prefix + force_inbound_topic(
            "incidents", WM), b"x")


def test_the_committed_strimzi_users_are_what_the_acls_render():
    files = render_users()
    committed = {p.name: p.read_text() for p in USERS_DIR.glob("*.yaml")}
    assert committed == files, "run `naloxctl kafka users` and commit deploy/k8s/base/kafka-users/"
