"""Who may touch which topic: each force's Kafka user, written once for the local broker and Strimzi.

A force's user (`force.<force_id>`, SCRAM-SHA-512) may
- read its own egress topic `naloxone.force.<force_id>.events.v1`,
- write its own inbound topic of each domain `naloxone.inbound.<domain>.<force_id>.v1`
  (the broker's proof of who sent a record: see naloxone_kernel.inbound),
- read its own dead letters `naloxone.inbound.<domain>.<force_id>.dlq.v1`,
- use consumer groups whose id starts `naloxone.force.<force_id>.`,
and nothing else (the authorizer denies what no ACL allows). The platform's own
processes are super users. The inbound domains are those whose service runs an `inbound`
process (the registry), so a service that starts taking records is covered by the next
provisioning or render.
"""

from __future__ import annotations

from dataclasses import dataclass

from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.protocol.admin import CreateAclsRequest, DeleteAclsRequest
from naloxone.contracts import TOPICS, force_topic

from .inbound import force_dead_letter_topic, force_inbound_topic

PLATFORM_USER = "naloxone-platform"

# Kafka's wire codes (org.apache.kafka.common.acl / resource)
_RESOURCE = {"topic": 2, "group": 3}
_PATTERN = {"literal": 3, "prefix": 4}
_OPERATION = {"Read": 3, "Write": 4, "Describe": 8}
_ANY, _ALLOW = 1, 3


@dataclass(frozen=True)
class Acl:
    resource: str  # topic | group
    name: str
    pattern: str  # literal | prefix
    operations: tuple[str, ...]


def inbound_domains() -> list[str]:
    """Domains that take records from force systems: those whose service runs `inbound`."""
    from .registry import SERVICES

    return [d for entry in SERVICES if "inbound" in entry.processes for d, t in TOPICS.items() if t == entry.topic]


def force_user(force_id: str, topic_prefix: str = "") -> str:
    return f"{topic_prefix}force.{force_id}"


def force_group_prefix(force_id: str, topic_prefix: str = "") -> str:
    """Consumer groups a force may use start with this (e.g. `naloxone.force.west-midlands.rms-sync`)."""
    return f"{topic_prefix}naloxone.force.{force_id}."


def force_acls(force_id: str, topic_prefix: str = "") -> list[Acl]:
    p = topic_prefix
    acls = [Acl("topic", p + force_topic(force_id), "literal", ("Read", "Describe"))]
    for domain in inbound_domains():
        acls.append(Acl("topic", p + force_inbound_topic(domain, force_id), "literal", ("Write", "Describe")))
        acls.append(Acl("topic", p + force_dead_letter_topic(domain, force_id), "literal", ("Read", "Describe")))
    acls.append(Acl("group", force_group_prefix(force_id, p), "prefix", ("Read",)))
    return acls


class AclAdmin(AIOKafkaAdminClient):
    """The admin client with the ACL calls aiokafka's protocol has but its admin client lacks."""

    async def create_acls(self, principal: str, acls: list[Acl]) -> None:
        for acl in acls:
            for operation in acl.operations:
                response = await self._send_request(CreateAclsRequest(
                    _RESOURCE[acl.resource], acl.name, _PATTERN[acl.pattern], f"User:{principal}", "*",
                    _OPERATION[operation], _ALLOW))
                for error_code, message in response.creation_responses:
                    if error_code:
                        raise RuntimeError(f"creating ACL {acl} for {principal} failed: {error_code} {message}")

    async def delete_acls(self, principal: str) -> None:
        await self._send_request(DeleteAclsRequest(_ANY, None, _ANY, f"User:{principal}", None, _ANY, _ANY))


async def grant_force(bootstrap: str, force_id: str, topic_prefix: str = "") -> str:
    """Give the force's user its ACLs on this broker; returns the user name."""
    user = force_user(force_id, topic_prefix)
    admin = AclAdmin(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        await admin.create_acls(user, force_acls(force_id, topic_prefix))
    finally:
        await admin.close()
    return user


async def revoke_force(bootstrap: str, force_id: str, topic_prefix: str = "") -> None:
    admin = AclAdmin(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        await admin.delete_acls(force_user(force_id, topic_prefix))
    finally:
        await admin.close()


def kafka_user(force_id: str, cluster: str = "naloxone") -> dict:
    """The same user and ACLs as a Strimzi KafkaUser (its password is a Secret Strimzi makes)."""
    return {
        "apiVersion": "kafka.strimzi.io/v1beta2", "kind": "KafkaUser",
        "metadata": {"name": force_user(force_id), "labels": {"strimzi.io/cluster": cluster,
                                                              "app.kubernetes.io/part-of": "naloxone",
                                                              "naloxone.uk/force": force_id}},
        "spec": {"authentication": {"type": "scram-sha-512"},
                 "authorization": {"type": "simple", "acls": [
                     {"resource": {"type": a.resource, "name": a.name, "patternType": a.pattern},
                      "operations": list(a.operations), "host": "*"} for a in force_acls(force_id)]}},
    }
