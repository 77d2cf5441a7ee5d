"""Loading and saving event-sourced aggregates, with idempotent command responses.

The repository turns an aggregate's pending domain events into store rows (JSON, the
service's own vocabulary) and outbox rows (protobuf envelopes, the public contract),
and appends them together with the command's response in one atomic statement.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Awaitable, Callable, Generic, TypeVar
from uuid import UUID

from google.protobuf.message import Message

from .domain import Aggregate, DomainEvent
from .envelope import EnvelopeMeta, to_outbox
from .eventstore import (
    ConcurrencyError,
    EventStore,
    IdempotencyKeyInFlight,
    IdempotentResponse,
    NewEvent,
)
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


@dataclass(frozen=True)
class CommandResult:
    status_code: int
    body: dict
    replayed: bool = False


class IdempotencyKeyReused(Exception):
    """The same Idempotency-Key was sent with a different request (HTTP 422)."""


class Repository(Generic[A]):
    def __init__(
        self,
        store: EventStore,
        aggregate_cls: type[A],
        registry: EventRegistry,
        to_proto: Callable[[DomainEvent], Message],
        topic: str,
    ) -> None:
        self.store = store
        self.aggregate_cls = aggregate_cls
        self.registry = registry
        self.to_proto = to_proto
        self.topic = topic

    async def get(self, aggregate_id: UUID) -> A:
        """The aggregate as of its latest event (a new, empty one if the stream is empty)."""
        stored = await self.store.load(aggregate_id)
        return self.aggregate_cls.replay(aggregate_id, (self.registry.decode(e.event_type, e.payload) for e in stored))

    async def save(self, aggregate: A, force_id: str, ctx: CommandContext, response: tuple[int, dict]) -> list[int]:
        if ctx.expected_version is not None and ctx.expected_version != aggregate.version:
            raise ConcurrencyError(
                f"If-Match expected version {ctx.expected_version} but the stream is at {aggregate.version}"
            )
        now = datetime.now(UTC)
        rows, outbox = [], []
        for offset, event in enumerate(aggregate.pending, start=1):
            event_id = uuid.uuid4()
            version = aggregate.version + offset
            rows.append(NewEvent(
                event_id=event_id, aggregate_type=aggregate.aggregate_type, aggregate_id=aggregate.id,
                aggregate_version=version, event_type=event.event_type, force_id=force_id, occurred_at=now,
                payload_json=event_to_json(event), correlation_id=ctx.correlation_id,
                causation_id=ctx.idempotency_key, actor=ctx.actor,
            ))
            meta = EnvelopeMeta(
                event_id=event_id, aggregate_type=aggregate.aggregate_type, aggregate_id=aggregate.id,
                aggregate_version=version, force_id=force_id, occurred_at=now, recorded_at=now,
                correlation_id=ctx.correlation_id, causation_id=ctx.idempotency_key, actor=ctx.actor,
            )
            outbox.append(to_outbox(self.topic, meta, self.to_proto(event)))
        idem = None
        if ctx.idempotency_key:
            status, body = response
            idem = IdempotentResponse(ctx.idempotency_key, ctx.fingerprint, status, body)
        positions = await self.store.append(rows, outbox, idem)
        aggregate.version += len(aggregate.pending)
        aggregate.pending.clear()
        return positions


async def run_idempotently(
    store: EventStore, ctx: CommandContext, execute: Callable[[], Awaitable[CommandResult]]
) -> CommandResult:
    """A retried command returns the first result and appends nothing new."""

    async def previous() -> CommandResult | None:
        if not ctx.idempotency_key:
            return None
        found = await store.find_response(ctx.idempotency_key)
        if found is None:
            return None
        if found.fingerprint != ctx.fingerprint:
            raise IdempotencyKeyReused(
                "this Idempotency-Key was already used for a different request; use a new key"
            )
        return CommandResult(found.status_code, found.body, replayed=True)

    earlier = await previous()
    if earlier is not None:
        return earlier
    try:
        return await execute()
    except (IdempotencyKeyInFlight, ConcurrencyError):
        # A concurrent twin with the same key may have won: then its answer is ours.
        earlier = await previous()
        if earlier is not None:
            return earlier
        raise
