"""Running a command: load, let the domain decide, save the events and the answer together.

One helper for every service, so each command is only its decision:

    async def issue(session: Session) -> dict:
        kit = await session.existing(Kit, cmd.kit_id, cmd.force_id, "kit")
        kit.issue(...)
        return {"kit_id": str(kit.id)}

    outcome = await runner.run(ctx, issue)

The runner answers a retried Idempotency-Key with the first outcome and appends nothing;
otherwise it appends every touched aggregate's events, their outbox envelopes and the
outcome in one statement (so a crash can never keep one without the other). It returns
created / changed / unchanged; mapping that to HTTP is the entrypoint's business.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Awaitable, Callable, Protocol, Sequence, TypeVar
from uuid import UUID

from .domain import Aggregate, DomainError, InvalidValue, NotFound
from .eventstore import (
    ConcurrencyError,
    IdempotencyKeyInFlight,
    IdempotentResponse,
    NewEvent,
    OutboxMessage,
    StoredEvent,
)
from .repository import CommandContext, EventMapper

A = TypeVar("A", bound=Aggregate)
__all__ = ["CommandOutcome", "CommandRunner", "Decision", "IdempotencyKeyReused", "NotFound", "Outcome", "Session"]


class IdempotencyKeyReused(Exception):
    """The same Idempotency-Key was sent with a different request (HTTP 422)."""


class Outcome(enum.StrEnum):
    CREATED = "created"  # the command started a new stream
    CHANGED = "changed"  # it appended to existing streams
    UNCHANGED = "unchanged"  # the domain had nothing to do (e.g. already expired)


@dataclass(frozen=True)
class CommandOutcome:
    outcome: Outcome
    body: dict
    replayed: bool = False


class Store(Protocol):
    """What the runner needs of an event store (PostgreSQL, or in memory for unit tests)."""

    async def load(self, aggregate_id: UUID) -> list[StoredEvent]: ...

    async def load_many(self, aggregate_ids: Sequence[UUID]) -> dict[UUID, list[StoredEvent]]: ...

    async def append(self, events: Sequence[NewEvent], outbox: Sequence[OutboxMessage] = (),
                     idempotency: IdempotentResponse | None = None) -> list[int]: ...

    async def find_response(self, key: str) -> IdempotentResponse | None: ...


class Session:
    """The unit of work of one command: every aggregate it loads is saved with it."""

    def __init__(self, store: Store, mapper: EventMapper) -> None:
        self.store = store
        self.mapper = mapper
        self.tracked: dict[UUID, Aggregate] = {}
        self.primary: Aggregate | None = None
        self._primary_was_new = False

    def _track(self, aggregate: A) -> A:
        if aggregate.id in self.tracked:
            return self.tracked[aggregate.id]  # type: ignore[return-value]
        self.tracked[aggregate.id] = aggregate
        if self.primary is None:
            self.primary = aggregate
            self._primary_was_new = aggregate.version == 0
        return aggregate

    def add(self, *aggregates: Aggregate) -> None:
        """New aggregates made by a domain operation (e.g. a batch's kits): saved with the command.

        One may stand in for an empty stream loaded earlier (loaded to check it was empty).
        """
        for aggregate in aggregates:
            loaded = self.tracked.get(aggregate.id)
            if loaded is not None and loaded is not aggregate:
                if loaded.version or loaded.pending:
                    raise ValueError(f"{aggregate.aggregate_type} {aggregate.id} already has events")
                self.tracked[aggregate.id] = aggregate
                if self.primary is loaded:
                    self.primary = aggregate
                continue
            self._track(aggregate)

    async def get(self, cls: type[A], aggregate_id: UUID) -> A:
        """The aggregate as of its latest event (a new, empty one if the stream is empty)."""
        if aggregate_id in self.tracked:
            return self.tracked[aggregate_id]  # type: ignore[return-value]
        return self._track(self.mapper.replay(cls, aggregate_id, await self.store.load(aggregate_id)))

    async def existing(self, cls: type[A], aggregate_id: UUID, force_id: str, what: str) -> A:
        """An aggregate that must already exist in this force: unknown and another force's are both 404."""
        return in_force(await self.get(cls, aggregate_id), force_id, what)

    async def get_many(self, cls: type[A], aggregate_ids: Sequence[UUID]) -> list[A]:
        wanted = [i for i in aggregate_ids if i not in self.tracked]
        loaded = await self.store.load_many(wanted) if wanted else {}
        for aggregate_id in wanted:
            self._track(self.mapper.replay(cls, aggregate_id, loaded[aggregate_id]))
        return [self.tracked[i] for i in aggregate_ids]  # type: ignore[misc]

    def outcome(self) -> Outcome:
        changed = [a for a in self.tracked.values() if a.pending]
        if not changed:
            return Outcome.UNCHANGED
        if self.primary is not None and self._primary_was_new and self.primary.pending:
            return Outcome.CREATED
        return Outcome.CHANGED


def in_force(aggregate: A, force_id: str, what: str) -> A:
    """The aggregate, if it exists in this force; NotFound (404) if it is unknown or another force's."""
    if aggregate.version == 0 or aggregate.force_id != force_id:
        raise NotFound(what, aggregate.id, force_id)
    return aggregate


Decision = Callable[[Session], Awaitable[dict | None]]


class CommandRunner:
    """Runs decisions idempotently.

    Optimistic by default: decide and append first, and look for an earlier answer only
    if that fails. The append stores the answer under the key in the same statement, so
    a retry can never append twice: it fails on the key (or on a version, or the domain
    refuses the repeat) and then gets the first answer. That is two round trips per
    command (load, append) instead of three. Decisions with side effects outside the
    append (e.g. creating data keys) ask for `look_first=True`.
    """

    def __init__(self, store: Store, mapper: EventMapper, *, look_first: bool = False) -> None:
        self.store = store
        self.mapper = mapper
        self.look_first = look_first

    async def run(self, ctx: CommandContext, decide: Decision) -> CommandOutcome:
        """Run `decide` once per idempotency key; see the class docstring."""
        if self.look_first:
            earlier = await self._previous(ctx)
            if earlier is not None:
                return earlier
        try:
            return await self._execute(ctx, decide)
        except (IdempotencyKeyInFlight, ConcurrencyError, DomainError, NotFound, InvalidValue):
            # The key's first run (or a concurrent twin) may have answered: then its answer is ours.
            earlier = await self._previous(ctx)
            if earlier is not None:
                return earlier
            raise

    async def _previous(self, ctx: CommandContext) -> CommandOutcome | None:
        if not ctx.idempotency_key:
            return None
        found = await self.store.find_response(ctx.idempotency_key)
        if found is None:
            return None
        if found.fingerprint != ctx.fingerprint:
            raise IdempotencyKeyReused("this Idempotency-Key was already used for a different request; use a new key")
        return CommandOutcome(Outcome(found.outcome), found.body, replayed=True)

    async def _execute(self, ctx: CommandContext, decide: Decision) -> CommandOutcome:
        session = Session(self.store, self.mapper)
        body = dict(await decide(session) or {})
        primary = session.primary
        if ctx.expected_version is not None and primary is not None and ctx.expected_version != primary.version:
            raise ConcurrencyError(
                f"If-Match expected version {ctx.expected_version} but the stream is at {primary.version}")
        outcome = session.outcome()
        rows: list[NewEvent] = []
        outbox: list[OutboxMessage] = []
        touched = [a for a in session.tracked.values() if a.pending]
        for aggregate in touched:
            new_rows, new_outbox = self.mapper.pending_rows(aggregate, ctx)
            rows += new_rows
            outbox += new_outbox
        if primary is not None:
            body.setdefault("version", primary.version + len(primary.pending))
        body["events"] = [row.event_type for row in rows]
        idem = IdempotentResponse(ctx.idempotency_key, ctx.fingerprint, outcome.value, body) \
            if ctx.idempotency_key else None
        if rows or idem is not None:
            await self.store.append(rows, outbox, idem)
        for aggregate in touched:
            aggregate.version += len(aggregate.pending)
            aggregate.pending.clear()
        return CommandOutcome(outcome, body)
