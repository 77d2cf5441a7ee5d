#!/usr/bin/env python3
"""What a force's records, HR or custody system runs to send records into the platform.

    python examples/force_producer.py --force west-midlands \
        --bootstrap 127.0.0.1:19094 --user force.west-midlands --password "$PASSWORD" \
        --platform-key inbound.pub.pem --key rms-2026-000123 \
        administration --staff-number WM4242 --administered-at 2026-02-01T03:04:05Z --doses 2 \
        --route intranasal --area-code B1 --latitude 52.4862 --longitude -1.8904 --local-identifier CUST-0001

    ... enrolment --staff-number WM4242 --role response --enrolled-on 2026-01-05
    ... training --staff-number WM4242 --course NALOXONE-1 --provider WMP-LEARNING --completed-on 2026-01-10

Each record goes to the force's own inbound topic of its domain,
`naloxone.inbound.<domain>.<force>.v1` (the broker lets only this force write there),
wrapped in an InboundRecord with the idempotency key: sending it again (a retry, a replay)
applies it once. Personal fields never travel in the clear: they are sealed with HPKE for
the platform's inbound public key. A refused record appears, with the reason and field, on
the force's dead-letter topic (force_consumer.py --dead-letters DOMAIN).
It needs only the generated contracts, aiokafka and cryptography. See docs/integration.md.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from datetime import date, datetime

from aiokafka import AIOKafkaProducer
from cryptography.hazmat.primitives import hpke
from cryptography.hazmat.primitives.serialization import load_pem_public_key
from naloxone.common.v1.types_pb2 import Date
from naloxone.inbound.v1 import incidents_pb2, training_pb2
from naloxone.inbound.v1.record_pb2 import InboundRecord
from naloxone.incidents.v1 import events_pb2 as incidents
from naloxone.training.v1 import events_pb2 as training

INBOUND_PERSONAL_INFO = b"naloxone/inbound-personal/v1:"
HPKE = hpke.Suite(hpke.KEM.X25519, hpke.KDF.HKDF_SHA256, hpke.AEAD.AES_256_GCM)


def enum(enum_type, prefix: str, value: str | None) -> int:
    return 0 if value is None else enum_type.Value(f"{prefix}_{value.upper()}")


def day(text: str | None) -> Date | None:
    if text is None:
        return None
    d = date.fromisoformat(text)
    return Date(year=d.year, month=d.month, day=d.day)


def build(args) -> tuple[str, object, dict | None]:
    """The record for the subcommand: (domain, message, personal fields or None)."""
    if args.kind == "enrolment":
        return "training", training_pb2.OfficerEnrolmentRecord(
            staff_number=args.staff_number, role=enum(training.OfficerRole, "OFFICER_ROLE", args.role),
            enrolled_on=day(args.enrolled_on), area_code=args.area_code or ""), None
    if args.kind == "training":
        return "training", training_pb2.TrainingRecord(
            staff_number=args.staff_number, course=args.course, provider=args.provider,
            completed_on=day(args.completed_on), valid_until=day(args.valid_until)), None
    record = incidents_pb2.AdministrationRecord(
        administered_by=enum(incidents.Administrator, "ADMINISTRATOR", args.administered_by),
        staff_number=args.staff_number or "", doses=args.doses,
        route=enum(incidents.AdministrationRoute, "ADMINISTRATION_ROUTE", args.route),
        suspected_substances=[enum(incidents.SuspectedSubstance, "SUSPECTED_SUBSTANCE", s) for s in args.substance],
        outcome=enum(incidents.IncidentOutcome, "INCIDENT_OUTCOME", args.outcome), outcome_final=args.outcome_final,
        place=incidents_pb2.Place(area_code=args.area_code))
    record.administered_at.FromDatetime(datetime.fromisoformat(args.administered_at.replace("Z", "+00:00")))
    personal: dict = {}
    if args.latitude is not None:
        personal["place"] = {"latitude": args.latitude, "longitude": args.longitude}
    if args.local_identifier or args.age_band or args.sex:
        personal["subject"] = {k: v for k, v in (("local_identifier", args.local_identifier),
                                                 ("age_band", args.age_band), ("sex", args.sex)) if v}
    return "incidents", record, personal or None


async def send(args) -> int:
    domain, message, personal = build(args)
    envelope = InboundRecord(idempotency_key=args.key, force_id=args.claim_force or args.force,
                             source_system=args.source_system, correlation_id=args.correlation_id or "")
    envelope.produced_at.GetCurrentTime()
    envelope.record.Pack(message)
    if personal:
        platform_key = load_pem_public_key(open(args.platform_key, "rb").read())
        envelope.personal_ciphertext = HPKE.encrypt(json.dumps(personal).encode(), platform_key,
                                                    info=INBOUND_PERSONAL_INFO + args.key.encode())
    topic = f"{args.topic_prefix}naloxone.inbound.{domain}.{args.force}.v1"
    security = {} if not args.user else {
        "security_protocol": "SASL_PLAINTEXT", "sasl_mechanism": "SCRAM-SHA-512",
        "sasl_plain_username": args.user, "sasl_plain_password": args.password}
    producer = AIOKafkaProducer(bootstrap_servers=args.bootstrap, enable_idempotence=True, acks="all", **security)
    await producer.start()
    try:
        # keyed by the sending system's own record id, so its corrections stay in order behind it
        sent = await producer.send_and_wait(topic, envelope.SerializeToString(), key=args.key.encode())
    finally:
        await producer.stop()
    print(json.dumps({"topic": sent.topic, "partition": sent.partition, "offset": sent.offset,
                      "idempotency_key": args.key}))
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--force", required=True, help="the sending force (its own inbound topic)")
    parser.add_argument("--claim-force", help=argparse.SUPPRESS)  # tests: a record claiming another force
    parser.add_argument("--bootstrap", default="127.0.0.1:19094")
    parser.add_argument("--user", help="SCRAM-SHA-512 user (force.<force_id>); none: plaintext (development)")
    parser.add_argument("--password")
    parser.add_argument("--platform-key", help="the platform's inbound public key (PEM), for personal fields")
    parser.add_argument("--key", required=True, help="idempotency key: 8-128 of A-Z a-z 0-9 . _ : -")
    parser.add_argument("--source-system", default="example-rms")
    parser.add_argument("--correlation-id")
    parser.add_argument("--topic-prefix", default="", help="(tests) a prefix before every topic name")
    sub = parser.add_subparsers(dest="kind", required=True)
    e = sub.add_parser("enrolment")
    e.add_argument("--staff-number", required=True)
    e.add_argument("--role", required=True, help="e.g. response, neighbourhood, pcso, police_officer")
    e.add_argument("--enrolled-on", required=True)
    e.add_argument("--area-code")
    t = sub.add_parser("training")
    t.add_argument("--staff-number", required=True)
    t.add_argument("--course", required=True)
    t.add_argument("--provider", required=True)
    t.add_argument("--completed-on", required=True)
    t.add_argument("--valid-until")
    a = sub.add_parser("administration")
    a.add_argument("--administered-by", default="officer")
    a.add_argument("--staff-number")
    a.add_argument("--administered-at", required=True)
    a.add_argument("--doses", type=int, required=True)
    a.add_argument("--route", required=True, help="intranasal | intramuscular")
    a.add_argument("--substance", action="append", default=[], help="e.g. heroin (repeatable)")
    a.add_argument("--outcome", help="e.g. alive_at_handover")
    a.add_argument("--outcome-final", action="store_true")
    a.add_argument("--area-code", required=True)
    a.add_argument("--latitude", type=float)
    a.add_argument("--longitude", type=float)
    a.add_argument("--local-identifier", help="the force's own id for the person (sealed; a pseudonym is made)")
    a.add_argument("--age-band")
    a.add_argument("--sex")
    return asyncio.run(send(parser.parse_args(argv)))


if __name__ == "__main__":
    sys.exit(main())
