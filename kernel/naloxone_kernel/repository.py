"""Between aggregates and the store: domain events to rows and outbox envelopes, and back.

The store keeps the service's own vocabulary (JSON); the outbox carries the public
contract (protobuf envelopes), translated here at the edge by the service's `to_proto`.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Callable, Iterable, TypeVar
from uuid import UUID

from google.protobuf.message import Message

from .domain import Aggregate, DomainEvent
from .envelope import EnvelopeMeta, to_outbox
from .eventstore import NewEvent, OutboxMessage, StoredEvent
from .serialization import EventRegistry, event_to_json

A = TypeVar("A", bound=Aggregate)


@dataclass(frozen=True)
class CommandContext:
    """Who asked, under which correlation id, with which idempotency key and fingerprint."""

    actor: str
    correlation_id: str
    idempotency_key: str | None = None
    fingerprint: str = ""
    expected_version: int | None = None  # from If-Match, when the caller pins a version
    causation_id: str | None = None  # the event or request that caused this command

    @property
    def cause(self) -> str | None:
        return self.causation_id or self.idempotency_key


class EventMapper:
    """A service's event vocabulary: its domain event classes, its contract and its topic."""

    def __init__(self, events: Iterable[type[DomainEvent]], to_proto: Callable[[DomainEvent], Message],
                 topic: str) -> None:
        self.registry = EventRegistry(*events)
        self.to_proto = to_proto
        self.topic = topic

    def replay(self, cls: type[A], aggregate_id: UUID, stored: Iterable[StoredEvent]) -> A:
        return cls.replay(aggregate_id, (self.registry.decode(e.event_type, e.payload) for e in stored))

    def pending_rows(self, aggregate: Aggregate, ctx: CommandContext,
                     now: datetime | None = None) -> tuple[list[NewEvent], list[OutboxMessage]]:
        """Store rows and outbox messages for the aggregate's pending events."""
        if aggregate.pending and not aggregate.force_id:
            raise ValueError(f"{aggregate.aggregate_type} {aggregate.id} has events but no force")
        now = now or datetime.now(UTC)
        rows, outbox = [], []
        for offset, event in enumerate(aggregate.pending, start=1):
            event_id = uuid.uuid4()
            version = aggregate.version + offset
            rows.append(NewEvent(
                event_id=event_id, aggregate_type=aggregate.aggregate_type, aggregate_id=aggregate.id,
                aggregate_version=version, event_type=event.event_type, force_id=aggregate.force_id,
                occurred_at=now, payload_json=event_to_json(event), correlation_id=ctx.correlation_id,
                causation_id=ctx.cause, actor=ctx.actor,
            ))
            meta = EnvelopeMeta(
                event_id=event_id, aggregate_type=aggregate.aggregate_type, aggregate_id=aggregate.id,
                aggregate_version=version, force_id=aggregate.force_id, occurred_at=now, recorded_at=now,
                correlation_id=ctx.correlation_id, causation_id=ctx.cause, actor=ctx.actor,
            )
            outbox.append(to_outbox(self.topic, meta, self.to_proto(event)))
        return rows, outbox
