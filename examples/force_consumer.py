#!/usr/bin/env python3
"""What a force's IT department runs to read its own events (or dead letters) from the platform.

    python examples/force_consumer.py --force west-midlands \
        --bootstrap 127.0.0.1:19094 --user force.west-midlands --password "$PASSWORD" \
        --group naloxone.force.west-midlands.example [--from-beginning | --since 2026-01-01T00:00:00Z] \
        [--private-key force-west-midlands.key.pem] [--dead-letters incidents]

Prints one JSON line per event: the envelope, the payload, and (with the force's private
key) its sealed personal fields opened. Delivery is at least once: offsets are committed
after each batch is printed, and events are deduplicated by event_id. It needs only the
generated contracts (from proto/), aiokafka and cryptography: no platform code.
See docs/integration.md.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import uuid
from datetime import datetime

from aiokafka import AIOKafkaConsumer, TopicPartition
from cryptography.hazmat.primitives import hpke
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.serialization import load_pem_private_key
from google.protobuf import json_format
from naloxone.common.v1.dead_letter_pb2 import DeadLetter
from naloxone.common.v1.envelope_pb2 import EventEnvelope
from naloxone.contracts import domain_of, force_topic, message_class
from naloxone.egress.v1.keys_pb2 import ForceDataKeys

FORCE_DATA_KEY_INFO = b"naloxone/force-data-key/v1:"
HPKE = hpke.Suite(hpke.KEM.X25519, hpke.KDF.HKDF_SHA256, hpke.AEAD.AES_256_GCM)


def open_sealed(blob: bytes, data_keys: dict, private_key, context: str):
    """A sealed field: 0x01 | key id (16) | nonce (12) | AES-256-GCM(plaintext JSON) with the
    version, key id and context as associated data. The data key comes wrapped for the force."""
    if not blob or blob[:1] != b"\x01" or len(blob) <= 29:
        return None
    key_id = uuid.UUID(bytes=blob[1:17])
    shared = data_keys.get(str(key_id))
    if shared is None or private_key is None:
        return {"personal_data": "no key (erased, expired, or no private key given)"}
    try:
        data_key = HPKE.decrypt(shared.wrapped_key, private_key, info=FORCE_DATA_KEY_INFO + key_id.bytes)
        plaintext = AESGCM(data_key).decrypt(blob[17:29], blob[29:], b"\x01" + key_id.bytes + context.encode())
    except Exception:
        return {"personal_data": "does not open with this force's key"}
    return json.loads(plaintext)


def event_line(record, private_key) -> dict:
    envelope = EventEnvelope.FromString(record.value)
    payload = message_class(envelope.event_type)()
    envelope.payload.Unpack(payload)
    headers = {k: v for k, v in record.headers or ()}
    data_keys = {k.key_id: k for k in ForceDataKeys.FromString(headers["data_keys"]).keys} \
        if "data_keys" in headers else {}
    personal = {}
    for field, value in payload.ListFields():
        if field.name.endswith("_ciphertext") and data_keys:
            name = field.name.removesuffix("_ciphertext")
            key = data_keys.get(str(uuid.UUID(bytes=value[1:17]))) if len(value) > 17 else None
            context = f"{domain_of(envelope.event_type)}/{key.record_type}/{key.record_id}/{name}" if key else ""
            personal[name] = open_sealed(value, data_keys, private_key, context)
    line = {"partition": record.partition, "offset": record.offset, "event_id": envelope.event_id,
            "event_type": envelope.event_type, "aggregate_id": envelope.aggregate_id,
            "aggregate_version": envelope.aggregate_version, "force_id": envelope.force_id,
            "occurred_at": envelope.occurred_at.ToJsonString(), "correlation_id": envelope.correlation_id,
            "payload": json_format.MessageToDict(payload, preserving_proto_field_name=True)}
    if personal:
        line["personal"] = personal
    return line


def dead_letter_line(record) -> dict:
    letter = DeadLetter.FromString(record.value)
    return {"partition": record.partition, "offset": record.offset, "source_topic": letter.source_topic,
            "source_offset": letter.source_offset, "reason": DeadLetter.DESCRIPTOR.fields_by_name[
                "reason"].enum_type.values_by_number[letter.reason].name, "field": letter.field,
            "detail": letter.detail, "source_value_bytes": len(letter.source_value)}


async def consume(args) -> int:
    topic = args.topic_prefix + (
        f"naloxone.inbound.{args.dead_letters}.{args.force}.dlq.v1" if args.dead_letters else force_topic(args.force))
    security = {} if not args.user else {
        "security_protocol": "SASL_PLAINTEXT", "sasl_mechanism": "SCRAM-SHA-512",
        "sasl_plain_username": args.user, "sasl_plain_password": args.password}
    consumer = AIOKafkaConsumer(bootstrap_servers=args.bootstrap, group_id=args.group, enable_auto_commit=False,
                                isolation_level="read_committed", auto_offset_reset="earliest", **security)
    private_key = load_pem_private_key(open(args.private_key, "rb").read(), None) if args.private_key else None
    seen: set[str] = set()
    printed = 0
    await consumer.start()
    try:
        partitions = [TopicPartition(topic, p) for p in sorted(consumer.partitions_for_topic(topic) or [])]
        if not partitions:
            await consumer._client.force_metadata_update()  # noqa: SLF001 (aiokafka has no public refresh)
            partitions = [TopicPartition(topic, p) for p in sorted(consumer.partitions_for_topic(topic) or [])]
        consumer.assign(partitions)
        if args.since:  # consuming from a point in time: the first offset at or after it, per partition
            at = int(datetime.fromisoformat(args.since.replace("Z", "+00:00")).timestamp() * 1000)
            found = await consumer.offsets_for_times({tp: at for tp in partitions})
            end = await consumer.end_offsets(partitions)
            for tp in partitions:
                consumer.seek(tp, found[tp].offset if found[tp] else end[tp])
        elif args.from_beginning:
            await consumer.seek_to_beginning(*partitions)
        # --to-end: catch up to what the topic holds now, then stop (a batch job; the tests)
        end_at_start = await consumer.end_offsets(partitions) if args.to_end else None
        idle = 0.0
        while args.max_events is None or printed < args.max_events:
            if end_at_start is not None and all([await consumer.position(tp) >= end_at_start[tp]
                                                 for tp in partitions]):
                break
            batch = await consumer.getmany(timeout_ms=1000, max_records=args.max_events - printed
                                           if args.max_events else 500)
            if not batch:
                idle += 1.0
                if args.idle_exit is not None and idle >= args.idle_exit:
                    break
                continue
            idle = 0.0
            for tp, records in batch.items():
                for record in records:
                    line = dead_letter_line(record) if args.dead_letters else event_line(record, private_key)
                    event_id = line.get("event_id")
                    if event_id in seen:  # at least once: a duplicate carries the same event_id
                        continue
                    if event_id:
                        seen.add(event_id)
                    print(json.dumps(line), flush=True)
                    printed += 1
            await consumer.commit({tp: records[-1].offset + 1 for tp, records in batch.items()})
    finally:
        await consumer.stop()
    print(f"{printed} printed", file=sys.stderr)
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--force", required=True)
    parser.add_argument("--bootstrap", default="127.0.0.1:19094")
    parser.add_argument("--user", help="SCRAM-SHA-512 user (force.<force_id>); none: plaintext (development)")
    parser.add_argument("--password")
    parser.add_argument("--group", help="consumer group: must start naloxone.force.<force_id>.")
    parser.add_argument("--from-beginning", action="store_true", help="replay everything the topic holds")
    parser.add_argument("--since", help="start at this time (ISO 8601), e.g. 2026-01-01T00:00:00Z")
    parser.add_argument("--private-key", help="the force's X25519 private key (PEM), to open personal fields")
    parser.add_argument("--dead-letters", metavar="DOMAIN", help="read the force's dead letters of a domain")
    parser.add_argument("--max-events", type=int, default=None)
    parser.add_argument("--idle-exit", type=float, default=None, help="stop after this many idle seconds")
    parser.add_argument("--to-end", action="store_true", help="stop once caught up with the topic's end at start")
    parser.add_argument("--topic-prefix", default="", help="(tests) a prefix before every topic name")
    args = parser.parse_args(argv)
    args.group = args.group or f"{args.topic_prefix}naloxone.force.{args.force}.example"
    return asyncio.run(consume(args))


if __name__ == "__main__":
    sys.exit(main())
