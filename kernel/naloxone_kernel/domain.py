"""Pure building blocks for event-sourced aggregates: no I/O, no frameworks.

An aggregate decides by raising events; its state changes only by applying them, so
replaying a stream rebuilds exactly the state that made the decisions.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar, Iterable, Self
from uuid import UUID


class DomainError(Exception):
    """A command that the aggregate's rules refuse (maps to 409 at the API)."""


@dataclass(frozen=True, kw_only=True)
class DomainEvent:
    """Base of every domain event: frozen plain values, named by `event_type`."""

    event_type: ClassVar[str] = ""


class Aggregate:
    """A consistency boundary: a stream of events keyed by id, versioned from 1."""

    aggregate_type: ClassVar[str] = ""

    def __init__(self, aggregate_id: UUID) -> None:
        self.id = aggregate_id
        self.version = 0
        self.pending: list[DomainEvent] = []

    @classmethod
    def replay(cls, aggregate_id: UUID, events: Iterable[DomainEvent]) -> Self:
        aggregate = cls(aggregate_id)
        for event in events:
            aggregate.apply(event)
            aggregate.version += 1
        return aggregate

    @property
    def exists(self) -> bool:
        return self.version > 0 or bool(self.pending)

    def _raise(self, event: DomainEvent) -> None:
        self.apply(event)
        self.pending.append(event)

    def apply(self, event: DomainEvent) -> None:  # pragma: no cover - abstract
        raise NotImplementedError
