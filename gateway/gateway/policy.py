"""Data-sharing agreements and role grants: events in the gateway's own event store.

A force admin makes or revokes an agreement with a partner organisation, and grants or
revokes a role to a subject in their force. Each is an aggregate whose events go into the
gateway's database through the kernel's event store (optimistic concurrency on the stream
version, the Idempotency-Key kept with the events in one statement). Every gateway
instance holds the current state in memory: its own changes apply at once, and it tails
the store (in commit order, kernel `read_all`) to pick up other instances' within a second.

An agreement is active from `starts_on` through `ends_on` (inclusive, open-ended when
omitted) unless revoked; a partner organisation reaches exactly the forces with an active
agreement naming it.
"""

from __future__ import annotations

import asyncio
import json
import uuid
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime

import asyncpg

from naloxone.partnership.v1 import events_pb2 as partnership
from naloxone_kernel.contract_values import to_date
from naloxone_kernel.envelope import EnvelopeMeta, to_outbox
from naloxone_kernel.eventstore import (
    EVENT_STORE_DDL,
    EventStore,
    IdempotentResponse,
    NewEvent,
    StoreCursor,
    StoredEvent,
)
from naloxone_kernel.logging import get_logger

log = get_logger("gateway.policy")

AUDIT_DDL = """
CREATE TABLE IF NOT EXISTS audit_log (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at          timestamptz NOT NULL,
    request_id  text NOT NULL,
    actor       text,
    force_id    text,
    method      text NOT NULL,
    path        text NOT NULL,
    status      integer NOT NULL,
    reason      text,
    client      text
);
CREATE INDEX IF NOT EXISTS audit_by_force ON audit_log (force_id, at);
CREATE INDEX IF NOT EXISTS audit_by_actor ON audit_log (actor, at);
"""


async def migrate(pool: asyncpg.Pool) -> None:
    """The kernel's event-store schema and the audit table (idempotent, one instance at a time)."""
    async with pool.acquire() as conn, conn.transaction():
        await conn.execute("SELECT pg_advisory_xact_lock(hashtext('naloxone-gateway-schema'))")
        exists = await conn.fetchval("SELECT to_regclass('events') IS NOT NULL")
        if not exists:
            await conn.execute(EVENT_STORE_DDL)
        await conn.execute(AUDIT_DDL)


@dataclass(frozen=True)
class Agreement:
    agreement_id: uuid.UUID
    force_id: str
    org: str
    purpose: str
    starts_on: date
    ends_on: date | None
    made_by: str
    version: int = 1
    revoked: bool = False
    revoked_reason: str | None = None

    def active(self, today: date) -> bool:
        return not self.revoked and self.starts_on <= today and (self.ends_on is None or today <= self.ends_on)

    def as_json(self, today: date) -> dict:
        return {"agreement_id": str(self.agreement_id), "force_id": self.force_id, "org": self.org,
                "purpose": self.purpose, "starts_on": self.starts_on.isoformat(),
                "ends_on": self.ends_on.isoformat() if self.ends_on else None, "made_by": self.made_by,
                "revoked": self.revoked, "revoked_reason": self.revoked_reason, "active": self.active(today),
                "version": self.version}


@dataclass(frozen=True)
class Grant:
    grant_id: uuid.UUID
    force_id: str
    subject: str
    role: str
    granted_by: str
    version: int = 1
    revoked: bool = False

    def as_json(self) -> dict:
        return {"grant_id": str(self.grant_id), "force_id": self.force_id, "subject": self.subject,
                "role": self.role, "granted_by": self.granted_by, "revoked": self.revoked, "version": self.version}


class NotFoundHere(LookupError):
    pass


class StaleVersion(Exception):
    pass


@dataclass
class Policy:
    """The current agreements and grants, as every gateway instance holds them."""

    agreements: dict[uuid.UUID, Agreement] = field(default_factory=dict)
    grants: dict[uuid.UUID, Grant] = field(default_factory=dict)
    cursor: StoreCursor = field(default_factory=StoreCursor)
    applied: set[uuid.UUID] = field(default_factory=set)

    def forces_for_org(self, org: str, today: date | None = None) -> frozenset[str]:
        today = today or date.today()
        return frozenset(a.force_id for a in self.agreements.values() if a.org == org and a.active(today))

    def granted_roles(self, subject: str, force_id: str) -> frozenset[str]:
        return frozenset(g.role for g in self.grants.values()
                         if g.subject == subject and g.force_id == force_id and not g.revoked)

    def forces_granted(self, subject: str, role: str) -> frozenset[str]:
        return frozenset(g.force_id for g in self.grants.values()
                         if g.subject == subject and g.role == role and not g.revoked)

    def apply(self, event_id: uuid.UUID, event_type: str, aggregate_id: uuid.UUID, version: int,
              payload: dict) -> None:
        if event_id in self.applied:
            return
        self.applied.add(event_id)
        if event_type == "AgreementMade":
            self.agreements[aggregate_id] = Agreement(
                aggregate_id, payload["force_id"], payload["org"], payload["purpose"],
                date.fromisoformat(payload["starts_on"]),
                date.fromisoformat(payload["ends_on"]) if payload.get("ends_on") else None, payload["made_by"],
                version)
        elif event_type == "AgreementRevoked" and aggregate_id in self.agreements:
            self.agreements[aggregate_id] = replace(self.agreements[aggregate_id], revoked=True, version=version,
                                                    revoked_reason=payload.get("reason"))
        elif event_type == "RoleGranted":
            self.grants[aggregate_id] = Grant(aggregate_id, payload["force_id"], payload["subject"],
                                              payload["role"], payload["granted_by"], version)
        elif event_type == "RoleGrantRevoked" and aggregate_id in self.grants:
            self.grants[aggregate_id] = replace(self.grants[aggregate_id], revoked=True, version=version)

    def apply_stored(self, event: StoredEvent) -> None:
        self.apply(event.event_id, event.event_type, event.aggregate_id, event.aggregate_version,
                   json.loads(event.payload))


def to_proto(event_type: str, aggregate_id: uuid.UUID, force_id: str, payload: dict):
    """A stored agreement or grant event as its partnership contract message."""
    if event_type == "AgreementMade":
        message = partnership.AgreementMade(agreement_id=str(aggregate_id), force_id=force_id, org=payload["org"],
                                            purpose=payload["purpose"],
                                            starts_on=to_date(date.fromisoformat(payload["starts_on"])))
        if payload.get("ends_on"):
            message.ends_on.CopyFrom(to_date(date.fromisoformat(payload["ends_on"])))
        return message
    if event_type == "AgreementRevoked":
        return partnership.AgreementRevoked(agreement_id=str(aggregate_id), force_id=force_id,
                                            reason=payload.get("reason") or "")
    if event_type == "RoleGranted":
        return partnership.RoleGranted(grant_id=str(aggregate_id), force_id=force_id, grantee=payload["subject"],
                                       role=payload["role"])
    if event_type == "RoleGrantRevoked":
        return partnership.RoleGrantRevoked(grant_id=str(aggregate_id), force_id=force_id)
    raise ValueError(f"no partnership contract for {event_type}")


class PolicyStore:
    """Commands on agreements and grants, and the tail that keeps `policy` current.

    Each change is also written to the outbox in the same statement, so the gateway's relay
    publishes it on the partnership topic and every service learns the agreements too.
    """

    def __init__(self, pool: asyncpg.Pool, topic: str) -> None:
        self.pool = pool
        self.topic = topic
        self.store = EventStore(pool)
        self.policy = Policy()
        self._lock = asyncio.Lock()

    async def catch_up(self) -> int:
        async with self._lock:
            applied = 0
            while True:
                events = await self.store.read_all(self.policy.cursor, limit=1000)
                if not events:
                    return applied
                for event in events:
                    self.policy.apply_stored(event)
                    self.policy.cursor = EventStore.cursor_after(event)
                applied += len(events)

    async def tail(self, every: float) -> None:
        while True:
            await asyncio.sleep(every)
            try:
                await self.catch_up()
            except Exception as exc:  # the database blinked: keep serving the state we hold
                log.warning("policy refresh failed", error=str(exc))

    async def _append(self, *, aggregate_type: str, aggregate_id: uuid.UUID, version: int, event_type: str,
                      force_id: str, payload: dict, actor: str, correlation_id: str, idempotency_key: str,
                      fingerprint: str, body: dict) -> dict:
        found = await self.store.find_response(idempotency_key)
        if found is not None:
            if found.fingerprint != fingerprint:
                from naloxone_kernel.commands import IdempotencyKeyReused

                raise IdempotencyKeyReused(
                    "this Idempotency-Key was already used for a different request; use a new key")
            return {**found.body, "replayed": True}
        now = datetime.now(UTC)
        event = NewEvent(event_id=uuid.uuid4(), aggregate_type=aggregate_type, aggregate_id=aggregate_id,
                         aggregate_version=version, event_type=event_type, force_id=force_id,
                         occurred_at=now, payload_json=json.dumps(payload),
                         correlation_id=correlation_id, actor=actor)
        meta = EnvelopeMeta(event_id=event.event_id, aggregate_type=aggregate_type, aggregate_id=aggregate_id,
                            aggregate_version=version, force_id=force_id, occurred_at=now, recorded_at=now,
                            correlation_id=correlation_id, causation_id=None, actor=actor)
        outbox = [to_outbox(self.topic, meta, to_proto(event_type, aggregate_id, force_id, payload))]
        await self.store.append([event], outbox, IdempotentResponse(idempotency_key, fingerprint, "created", body))
        self.policy.apply(event.event_id, event_type, aggregate_id, version, payload)
        return body

    async def make_agreement(self, *, force_id: str, org: str, purpose: str, starts_on: date, ends_on: date | None,
                             actor: str, correlation_id: str, idempotency_key: str, fingerprint: str) -> dict:
        agreement_id = uuid.uuid4()
        payload = {"force_id": force_id, "org": org, "purpose": purpose, "starts_on": starts_on.isoformat(),
                   "ends_on": ends_on.isoformat() if ends_on else None, "made_by": actor}
        body = {"agreement_id": str(agreement_id), **payload, "version": 1}
        return await self._append(aggregate_type="agreement", aggregate_id=agreement_id, version=1,
                                  event_type="AgreementMade", force_id=force_id, payload=payload, actor=actor,
                                  correlation_id=correlation_id, idempotency_key=idempotency_key,
                                  fingerprint=fingerprint, body=body)

    async def revoke_agreement(self, *, force_id: str, agreement_id: uuid.UUID, reason: str, actor: str,
                               correlation_id: str, idempotency_key: str, fingerprint: str) -> dict:
        current = self.policy.agreements.get(agreement_id)
        if current is None or current.force_id != force_id:
            raise NotFoundHere(f"no agreement {agreement_id} in force '{force_id}'")
        body = {"agreement_id": str(agreement_id), "revoked": True, "version": current.version + 1}
        if current.revoked:
            return {**body, "version": current.version}
        return await self._append(aggregate_type="agreement", aggregate_id=agreement_id,
                                  version=current.version + 1, event_type="AgreementRevoked", force_id=force_id,
                                  payload={"reason": reason, "revoked_by": actor}, actor=actor,
                                  correlation_id=correlation_id, idempotency_key=idempotency_key,
                                  fingerprint=fingerprint, body=body)

    async def grant_role(self, *, force_id: str, subject: str, role: str, actor: str, correlation_id: str,
                         idempotency_key: str, fingerprint: str) -> dict:
        grant_id = uuid.uuid4()
        payload = {"force_id": force_id, "subject": subject, "role": role, "granted_by": actor}
        body = {"grant_id": str(grant_id), **payload, "version": 1}
        return await self._append(aggregate_type="role_grant", aggregate_id=grant_id, version=1,
                                  event_type="RoleGranted", force_id=force_id, payload=payload, actor=actor,
                                  correlation_id=correlation_id, idempotency_key=idempotency_key,
                                  fingerprint=fingerprint, body=body)

    async def revoke_grant(self, *, force_id: str, grant_id: uuid.UUID, actor: str, correlation_id: str,
                           idempotency_key: str, fingerprint: str) -> dict:
        current = self.policy.grants.get(grant_id)
        if current is None or current.force_id != force_id:
            raise NotFoundHere(f"no role grant {grant_id} in force '{force_id}'")
        body = {"grant_id": str(grant_id), "revoked": True, "version": current.version + 1}
        if current.revoked:
            return {**body, "version": current.version}
        return await self._append(aggregate_type="role_grant", aggregate_id=grant_id, version=current.version + 1,
                                  event_type="RoleGrantRevoked", force_id=force_id,
                                  payload={"revoked_by": actor}, actor=actor, correlation_id=correlation_id,
                                  idempotency_key=idempotency_key, fingerprint=fingerprint, body=body)


class AuditLog:
    """Every write and every denial, written in batches off the request path."""

    COLUMNS = ("at", "request_id", "actor", "force_id", "method", "path", "status", "reason", "client")

    def __init__(self, pool: asyncpg.Pool, flush_seconds: float = 0.2, max_queue: int = 100_000) -> None:
        self.pool = pool
        self.flush_seconds = flush_seconds
        self.max_queue = max_queue
        self.pending: list[tuple] = []
        self.dropped = 0
        self._wake = asyncio.Event()

    def record(self, *, request_id: str, actor: str | None, force_id: str | None, method: str, path: str,
               status: int, reason: str | None = None, client: str | None = None) -> None:
        if len(self.pending) >= self.max_queue:
            self.dropped += 1
            return
        self.pending.append((datetime.now(UTC), request_id, actor, force_id, method, path[:512], status,
                             (reason or "")[:300] or None, client))
        if len(self.pending) >= 500:
            self._wake.set()

    async def flush(self) -> int:
        batch, self.pending = self.pending, []
        if not batch:
            return 0
        try:
            async with self.pool.acquire() as conn:
                await conn.copy_records_to_table("audit_log", records=batch, columns=self.COLUMNS)
        except Exception as exc:
            log.error("audit write failed; will retry", error=str(exc), records=len(batch))
            self.pending = batch + self.pending
            await asyncio.sleep(1)
        return len(batch)

    async def run(self) -> None:
        try:
            while True:
                try:
                    await asyncio.wait_for(self._wake.wait(), self.flush_seconds)
                except TimeoutError:
                    pass
                self._wake.clear()
                await self.flush()
        finally:
            await self.flush()

    async def query(self, *, forces: list[str], actor: str | None, since: datetime | None, until: datetime | None,
                    after: int | None, limit: int) -> list[dict]:
        await self.flush()
        rows = await self.pool.fetch(
            "SELECT * FROM audit_log WHERE force_id = ANY($1::text[]) AND ($2::text IS NULL OR actor = $2) "
            "AND ($3::timestamptz IS NULL OR at >= $3) AND ($4::timestamptz IS NULL OR at < $4) "
            "AND ($5::bigint IS NULL OR id > $5) ORDER BY id LIMIT $6",
            forces, actor, since, until, after, limit)
        return [{"id": r["id"], "at": r["at"].isoformat(), "request_id": r["request_id"], "actor": r["actor"],
                 "force_id": r["force_id"], "method": r["method"], "path": r["path"], "status": r["status"],
                 "reason": r["reason"]} for r in rows]
