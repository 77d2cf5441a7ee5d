"""Reactions between services: another service's event becomes this service's own command.

A reactor is a consumer of another service's topic that runs, for each event it cares
about, a command of its own (a process manager). It rides on the projector runner's
exactly-once machinery: the command's events are appended on the same PostgreSQL
connection, inside the same transaction that records the consumed offsets and event
ids. The source event id is also the command's idempotency key, so a redelivery, a
replay or a reactor killed mid-batch applies each reaction exactly once.

A reaction the domain refuses (e.g. the kit named does not exist here) is not retried
forever: it is recorded in `reaction_failures` for follow-up and the reactor moves on.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Sequence

import asyncpg

from .commands import CommandRunner, Decision, NotFound
from .domain import DomainError
from .eventstore import ConcurrencyError, SavepointEventStore
from .logging import get_logger
from .projector import ProjectedEvent
from .repository import CommandContext, EventMapper

log = get_logger("reactor")

#: Returns the decision to run for an event, or None when the event needs no reaction.
React = Callable[[ProjectedEvent], Decision | None]


@dataclass(frozen=True)
class Reaction:
    """One rule: events on these (contract) topics may cause a command here."""

    name: str
    topics: tuple[str, ...]
    react: React


class Reactor:
    """The service's reactions as one projection whose output is the service's own event store."""

    def __init__(self, service: str, reactions: Sequence[Reaction], mapper: EventMapper,
                 max_conflict_retries: int = 5) -> None:
        self.name = f"{service}_reactions"
        self.reactions = tuple(reactions)
        self.topics = tuple(dict.fromkeys(t for r in self.reactions for t in r.topics))
        self.mapper = mapper
        self.max_conflict_retries = max_conflict_retries

    def ddl(self, schema: str) -> str:
        return f"""
        CREATE TABLE IF NOT EXISTS {schema}.reaction_failures (
            event_id    uuid NOT NULL,
            reaction    text NOT NULL,
            event_type  text NOT NULL,
            force_id    text NOT NULL,
            reason      text NOT NULL,
            recorded_at timestamptz NOT NULL DEFAULT now(),
            PRIMARY KEY (event_id, reaction)
        );
        """

    async def apply_batch(self, conn: asyncpg.Connection, schema: str, events: Sequence[ProjectedEvent]) -> None:
        # appends in savepoints: a reaction replayed after its bookkeeping was reset (a schema started
        # afresh) fails on its idempotency key and then reads the first answer on the same transaction
        runner = CommandRunner(SavepointEventStore(conn), self.mapper)
        for event in events:
            for reaction in self.reactions:
                decide = reaction.react(event)
                if decide is not None:
                    await self._run(conn, schema, runner, reaction, event, decide)

    async def _run(self, conn, schema: str, runner: CommandRunner, reaction: Reaction, event: ProjectedEvent,
                   decide: Decision) -> None:
        env = event.envelope
        ctx = CommandContext(
            actor=f"system:reaction:{reaction.name}", correlation_id=env.correlation_id or env.event_id,
            idempotency_key=f"reaction:{reaction.name}:{env.event_id}", fingerprint=env.event_id,
            causation_id=env.event_id,
        )
        for attempt in range(1, self.max_conflict_retries + 1):
            try:
                async with conn.transaction():  # a savepoint: a conflict undoes only this reaction
                    outcome = await runner.run(ctx, decide)
                log.info("reaction applied", reaction=reaction.name, source_event=env.event_id,
                         outcome=outcome.outcome.value, replayed=outcome.replayed, correlation_id=ctx.correlation_id)
                return
            except ConcurrencyError:
                if attempt == self.max_conflict_retries:
                    raise  # the batch rolls back whole and is retried from the stored offsets
            except (DomainError, NotFound) as exc:
                log.warning("reaction refused by the domain; recorded", reaction=reaction.name,
                            source_event=env.event_id, reason=str(exc), correlation_id=ctx.correlation_id)
                await conn.execute(
                    f"INSERT INTO {schema}.reaction_failures (event_id, reaction, event_type, force_id, reason) "
                    "VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING",
                    env.event_id, reaction.name, env.event_type, env.force_id, str(exc)[:500])
                return
