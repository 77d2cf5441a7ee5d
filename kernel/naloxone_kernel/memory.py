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

    async def load(self, aggregate_id: UUID) -> list[StoredEvent]:
        return [e for e in self.events if e.aggregate_id == aggregate_id]

    async def load_many(self, aggregate_ids: Sequence[UUID]) -> dict[UUID, list[StoredEvent]]:
        wanted = set(aggregate_ids)
        out: dict[UUID, list[StoredEvent]] = {aggregate_id: [] for aggregate_id in aggregate_ids}
        for event in self.events:
            if event.aggregate_id in wanted:
                out[event.aggregate_id].append(event)
        return out

    async def append(self, events: Sequence[NewEvent], outbox: Sequence[OutboxMessage] = (),
                     idempotency: IdempotentResponse | None = None) -> list[int]:
        """All or nothing, like the one-statement PostgreSQL append."""
        taken = {(e.aggregate_id, e.aggregate_version) for e in self.events}
        for event in events:
            if (event.aggregate_id, event.aggregate_version) in taken:
                raise ConcurrencyError("the stream was changed by another writer")
            taken.add((event.aggregate_id, event.aggregate_version))
        if idempotency is not None and idempotency.key in self.responses:
            raise IdempotencyKeyInFlight(idempotency.key)
        now = datetime.now(UTC)
        positions = []
        for event in events:
            position = next(self._positions)
            positions.append(position)
            self.events.append(StoredEvent(
                position=position, transaction_id=position, event_id=event.event_id,
                aggregate_type=event.aggregate_type, aggregate_id=event.aggregate_id,
                aggregate_version=event.aggregate_version, event_type=event.event_type, force_id=event.force_id,
                occurred_at=event.occurred_at, recorded_at=now, correlation_id=event.correlation_id,
                causation_id=event.causation_id, actor=event.actor, payload=event.payload_json,
            ))
        self.outbox.extend(outbox)
        if idempotency is not None:
            self.responses[idempotency.key] = idempotency
        return positions

    async def find_response(self, key: str) -> IdempotentResponse | None:
        return self.responses.get(key)

    async def read_all(self, after: StoreCursor = StoreCursor(), limit: int = 1000) -> list[StoredEvent]:
        return [e for e in self.events if StoreCursor(e.transaction_id, e.position) > after][:limit]
