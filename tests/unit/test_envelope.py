"""The event envelope: what goes on Kafka decodes to the same event, and an envelope whose
payload is not the type it names is refused (a projector records it as rejected)."""

import uuid
from datetime import UTC, datetime

import pytest

from naloxone.incidents.v1 import events_pb2 as incidents_pb
from naloxone.training.v1 import events_pb2 as training_pb
from naloxone_kernel.envelope import EnvelopeMeta, EventEnvelope, decode, to_outbox


def meta() -> EnvelopeMeta:
    now = datetime(2025, 3, 31, 23, 30, tzinfo=UTC)
    return EnvelopeMeta(event_id=uuid.uuid4(), aggregate_type="officer", aggregate_id=uuid.uuid4(),
                        aggregate_version=3, force_id="durham", occurred_at=now, recorded_at=now,
                        correlation_id="req-1", causation_id=None, actor="trainer@durham")


def test_an_outbox_message_decodes_to_its_envelope_and_event():
    event = training_pb.OfficerEnrolled(officer_id="o-1", force_id="durham", staff_number="D1")
    m = meta()
    envelope, payload = decode(to_outbox("training.events", m, event).value)
    assert payload == event and type(payload) is training_pb.OfficerEnrolled
    assert envelope.event_id == str(m.event_id) and envelope.aggregate_version == 3
    assert envelope.correlation_id == "req-1" and envelope.force_id == "durham"


def test_a_payload_of_another_type_than_the_envelope_names_is_refused():
    envelope = EventEnvelope()
    envelope.ParseFromString(to_outbox("training.events", meta(), training_pb.OfficerEnrolled(officer_id="o")).value)
    envelope.payload.Pack(incidents_pb.NaloxoneAdministered(administration_id="a"))  # named OfficerEnrolled still
    with pytest.raises(ValueError, match="OfficerEnrolled"):
        decode(envelope.SerializeToString())


def test_an_unknown_event_type_is_refused():
    envelope = EventEnvelope()
    envelope.ParseFromString(to_outbox("training.events", meta(), training_pb.OfficerEnrolled(officer_id="o")).value)
    envelope.event_type = "naloxone.training.v1.NoSuchEvent"
    with pytest.raises(KeyError):
        decode(envelope.SerializeToString())
