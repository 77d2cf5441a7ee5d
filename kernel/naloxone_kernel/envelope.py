"""The envelope codec: every event on Kafka is an EventEnvelope with an Any payload."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from uuid import UUID

from google.protobuf.message import Message
from naloxone.common.v1.envelope_pb2 import EventEnvelope
from naloxone.contracts import CONTENT_TYPE, message_class

from .contract_values import to_timestamp
from .eventstore import OutboxMessage


@dataclass(frozen=True)
class EnvelopeMeta:
    event_id: UUID
    aggregate_type: str
    aggregate_id: UUID
    aggregate_version: int
    force_id: str
    occurred_at: datetime
    recorded_at: datetime
    correlation_id: str | None
    causation_id: str | None
    actor: str | None


def encode(meta: EnvelopeMeta, payload: Message) -> EventEnvelope:
    envelope = EventEnvelope(
        event_id=str(meta.event_id),
        event_type=payload.DESCRIPTOR.full_name,
        aggregate_type=meta.aggregate_type,
        aggregate_id=str(meta.aggregate_id),
        aggregate_version=meta.aggregate_version,
        force_id=meta.force_id,
        occurred_at=to_timestamp(meta.occurred_at),
        recorded_at=to_timestamp(meta.recorded_at),
        correlation_id=meta.correlation_id or "",
        causation_id=meta.causation_id or "",
        actor=meta.actor or "",
    )
    envelope.payload.Pack(payload)
    return envelope


def to_outbox(topic: str, meta: EnvelopeMeta, payload: Message) -> OutboxMessage:
    """Keyed by aggregate id so one aggregate's events stay in order on one partition."""
    envelope = encode(meta, payload)
    return OutboxMessage(
        event_id=meta.event_id,
        topic=topic,
        key=str(meta.aggregate_id).encode(),
        value=envelope.SerializeToString(deterministic=True),
        headers=[
            ("event_type", envelope.event_type),
            ("content-type", CONTENT_TYPE),
            ("event_id", envelope.event_id),
            ("correlation_id", envelope.correlation_id),
        ],
    )


@lru_cache(maxsize=1024)  # one entry per event type; unknown names raise and are not kept
def _payload_type(event_type: str) -> tuple[type[Message], str]:
    """The class an event type's payload decodes to, and the type URL `Any.Pack` gives it."""
    cls = message_class(event_type)
    return cls, f"type.googleapis.com/{cls.DESCRIPTOR.full_name}"


def decode(value: bytes) -> tuple[EventEnvelope, Message]:
    """Parse an envelope and unpack its payload to the generated message class."""
    envelope = EventEnvelope.FromString(value)
    cls, type_url = _payload_type(envelope.event_type)
    packed = envelope.payload
    # Any.Unpack's own type check splits and looks up the descriptor on every call: a rebuild
    # decodes every event, so compare the packed type URL with the class's directly
    if packed.type_url != type_url and packed.type_url.rpartition("/")[2] != cls.DESCRIPTOR.full_name:
        raise ValueError(f"payload is not a {envelope.event_type}")
    return envelope, cls.FromString(packed.value)
