"""An in-memory event store with the PostgreSQL store's contract, for fast unit tests.

Command handlers run against it exactly as against PostgreSQL (cosmicpython's fake
unit of work): the same optimistic check on (aggregate_id, version), the same
idempotency record, the same outbox. The PostgreSQL store keeps its own tests; this
one exists so a service's decisions can be tested in microseconds.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Sequence
from uuid import UUID

from .eventstore import (
    ConcurrencyError,
    IdempotencyKeyInFlight,
    IdempotentResponse,
    NewEvent,
    OutboxMessage,
    StoreCursor,
    StoredEvent,
)


@dataclass
class InMemoryEventStore:
    events: list[StoredEvent] = field(default_factory=list)
    outbox: list[OutboxMessage] = field(default_factory=list)
    responses: dict[str, IdempotentResponse] = field(default_factory=dict)
    _positions: itertools.count = field(default_factory=lambda: itertools.count(1))
    _streams: dict[UUID, list[StoredEvent]] = field(default_factory=dict)

    async def load(self, aggregate_id: UUID) -> list[StoredEvent]:
        return list(self._streams.get(aggregate_id, ()))

    async def load_many(self, aggregate_ids: Sequence[UUID]) -> dict[UUID, list[StoredEvent]]:
        return {aggregate_id: list(self._streams.get(aggregate_id, ())) for aggregate_id in aggregate_ids}

    async def append(self, events: Sequence[NewEvent], outbox: Sequence[OutboxMessage] = (),
                     idempotency: IdempotentResponse | None = None) -> list[int]:
        """All or nothing, like the one-statement PostgreSQL append."""
        claimed: set[tuple[UUID, int]] = set()
        for event in events:
            slot = (event.aggregate_id, event.aggregate_version)
            taken = any(e.aggregate_version == event.aggregate_version for e in self._streams.get(event.aggregate_id, ()))
            if taken or slot in claimed:
                raise ConcurrencyError("the stream was changed by another writer")
            claimed.add(slot)
        if idempotency is not None and idempotency.key in self.responses:
            raise IdempotencyKeyInFlight(idempotency.key)
        now = datetime.now(UTC)
        positions = []
        for event in events:
            position = next(self._positions)
            positions.append(position)
            stored = StoredEvent(
                position=position, transaction_id=position, event_id=event.event_id,
                aggregate_type=event.aggregate_type, aggregate_id=event.aggregate_id,
                aggregate_version=event.aggregate_version, event_type=event.event_type, force_id=event.force_id,
                occurred_at=event.occurred_at, recorded_at=now, correlation_id=event.correlation_id,
                causation_id=event.causation_id, actor=event.actor, payload=event.payload_json,
            )
            self.events.append(stored)
            self._streams.setdefault(event.aggregate_id, []).append(stored)
        self.outbox.extend(outbox)
        if idempotency is not None:
            self.responses[idempotency.key] = idempotency
        return positions

    async def find_response(self, key: str) -> IdempotentResponse | None:
        return self.responses.get(key)

    async def read_all(self, after: StoreCursor = StoreCursor(), limit: int = 1000) -> list[StoredEvent]:
        return [e for e in self.events if StoreCursor(e.transaction_id, e.position) > after][:limit]
