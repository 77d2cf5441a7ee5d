"""The service kit: what a service supplies, and the one app factory every service API uses.

A service is its domain, its decisions, its contract translation, its read models and
its routes. It hands them to the kit as one `ServiceParts` value (named `service` in
`<package>/entrypoints/api.py`); the kit does the rest the same way for every service:
settings from the registry, the pool, read-model schemas, probes, error handlers,
authentication and force scope, idempotent command context, relay, projector, reactor,
rebuild, migrations and scheduled jobs (see `naloxone_kernel.__main__`).
"""

from __future__ import annotations

import dataclasses
import importlib
import json
import sys
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Annotated, Any, Awaitable, Callable, Sequence

import asyncpg
from fastapi import APIRouter, Depends, FastAPI, Header, Request
from fastapi.responses import JSONResponse
from google.protobuf.message import Message

from .auth import Forbidden, Identity, TokenVerifier, authorize_force
from .commands import CommandOutcome, CommandRunner, Decision, Outcome
from .db import create_pool
from .domain import DomainEvent, uk_day
from .eventstore import EventStore
from .http import PlatformMiddleware, authenticated, install_error_handlers, install_probes, request_fingerprint
from .logging import configure_logging, current_correlation_id
from .partners import PartnerAgreementsView, forces_for_org
from .projector import Projection, create_schema
from .reactor import Reaction
from .readiness import kafka_check
from .registry import ServiceEntry, service
from .repository import CommandContext, EventMapper
from .settings import ServiceProcessSettings, settings_for


@dataclass
class JobContext:
    """What a scheduled job gets: the command runner, the read models' queries, a progress line."""

    name: str
    runner: CommandRunner
    queries: Any
    settings: ServiceProcessSettings
    correlation_id: str

    def progress(self, done: int, total: int, **figures: int) -> None:
        extra = " ".join(f"{k}={v}" for k, v in figures.items())
        sys.stderr.write(f"{self.name}: {done}/{total} {extra}\n")
        sys.stderr.flush()

    async def once_a_day_for_each(
        self, today: date, *, total: int,
        page: Callable[[Any], Awaitable[list[tuple[str, Any]]]],
        decision: Callable[[str, Any], Decision],
    ) -> int:
        """Run `decision(force_id, aggregate_id)` for every candidate the read model pages out.

        Candidates come a page at a time (any number of them) in id order, `page(after)`
        returning (force_id, aggregate_id) pairs after the last id seen. The idempotency
        key is (job, aggregate, day), so a rerun on the same day appends nothing new.
        Returns how many candidates changed.
        """
        changed = checked = 0
        after = None
        while rows := await page(after):
            for force_id, aggregate_id in rows:
                ctx = CommandContext(actor=f"system:{self.name}", correlation_id=self.correlation_id,
                                     idempotency_key=f"{self.name}:{aggregate_id}:{today.isoformat()}",
                                     fingerprint=f"{self.name}:{today.isoformat()}")
                result = await self.runner.run(ctx, decision(force_id, aggregate_id))
                changed += result.outcome is Outcome.CHANGED and not result.replayed
                checked += 1
            after = rows[-1][1]
            self.progress(checked, total, changed=changed)
        return changed


@dataclass(frozen=True)
class Job:
    """A scheduled process that turns the passing of time into events (e.g. expiry)."""

    name: str
    help: str
    run: Callable[[JobContext, date], Awaitable[int]]


@dataclass(frozen=True)
class ServiceParts:
    router: APIRouter
    #: Every domain event class the service stores (decoded back from its event store).
    events: Sequence[type[DomainEvent]]
    #: Domain event to its public protobuf message.
    to_proto: Callable[[DomainEvent], Message]
    #: Read models its projector builds; each lives in a schema named after it.
    read_models: Sequence[Projection] = ()
    #: Builds the read side the routes and jobs query, from the pool.
    queries: Callable[[asyncpg.Pool], Any] | None = None
    #: Other services' events that become this service's commands.
    reactions: Sequence[Reaction] = ()
    jobs: Sequence[Job] = ()
    #: Builds the service's own background loop (the `worker` process) from its settings: something
    #: with run(), stop() and ready, like the kernel's runners (e.g. alerts' webhook deliveries).
    worker: Callable[[ServiceProcessSettings], Any] | None = None
    #: The service's settings class when it has options of its own.
    settings: type[ServiceProcessSettings] = ServiceProcessSettings
    #: Shown at the top of the service's OpenAPI document.
    description: str = ""


def load_parts(entry: ServiceEntry) -> ServiceParts:
    """The service's parts, with the read models every service keeps (partner agreements)."""
    parts = importlib.import_module(f"{entry.package}.entrypoints.api").service
    return dataclasses.replace(parts, read_models=(*parts.read_models, PartnerAgreementsView()))


def mapper_for(parts: ServiceParts, settings: ServiceProcessSettings) -> EventMapper:
    return EventMapper(parts.events, parts.to_proto, settings.events_topic)


@dataclass
class ServiceState:
    """Per-process state a route reaches through the `Kit` dependency."""

    entry: ServiceEntry
    settings: ServiceProcessSettings
    pool: asyncpg.Pool
    runner: CommandRunner
    queries: Any


def create_service_app(name: str, settings: ServiceProcessSettings | None = None) -> FastAPI:
    """The HTTP API of the registered service `name`."""
    entry = service(name)
    parts = load_parts(entry)
    settings = settings or settings_for(name, parts.settings)
    configure_logging(f"{name}-api", settings.log_level)
    mapper = mapper_for(parts, settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        pool = await create_pool(settings.database_url, min_size=2, max_size=20)
        async with pool.acquire() as conn:  # queries work (empty) before the projector first runs
            for read_model in parts.read_models:
                await create_schema(conn, read_model, read_model.name)
        app.state.service = ServiceState(entry, settings, pool, CommandRunner(EventStore(pool), mapper),
                                         parts.queries(pool) if parts.queries else None)
        yield
        await pool.close()

    app = FastAPI(title=f"Naloxone Partnership Platform: {name}", version="1", lifespan=lifespan,
                  description=parts.description)
    app.state.verifier = TokenVerifier.from_settings(settings)
    install_error_handlers(app)

    async def postgres() -> None:
        await app.state.service.pool.fetchval("SELECT 1")

    install_probes(app, entry.process_name("api"), {"postgres": postgres, "kafka": kafka_check(settings.kafka_bootstrap)})
    app.include_router(parts.router)
    app.add_middleware(PlatformMiddleware, max_body_bytes=settings.max_body_bytes, verifier=app.state.verifier)
    return app


# --- dependencies every service's routes use ------------------------------------------

async def service_state(request: Request) -> ServiceState:
    """Async on purpose: a sync dependency costs a thread-pool hop per request."""
    return request.app.state.service


Kit = Annotated[ServiceState, Depends(service_state)]
Caller = Annotated[Identity, Depends(authenticated)]


def force_scope(roles: frozenset[str]):
    """A dependency for /v1/forces/{force_id}/...: the force, once the caller may act in it."""

    async def dependency(force_id: str, identity: Caller, kit: Kit) -> str:
        if identity.kind == "partner":
            # which forces a partner reaches comes from the agreements held, never from the token
            forces = await forces_for_org(kit.pool, identity.org, uk_day(datetime.now(UTC)))
            identity = dataclasses.replace(identity, forces=forces)
        authorize_force(identity, force_id, roles)
        return force_id

    return dependency


def partner_scope(roles: frozenset[str] = frozenset({"partner"})):
    """A dependency for /v1/partners/{org}/...: the organisation, once the caller is one of its
    workers. Which forces the worker reaches is still each record's force and the agreements
    (see `force_scope`); this only stops one organisation reading another's worklist."""

    async def dependency(org: str, identity: Caller) -> str:
        if identity.kind != "partner" or identity.org != org:
            raise Forbidden(f"only workers of partner organisation '{org}' may use its routes")
        if not identity.has_any_role(roles):
            raise Forbidden(f"this action needs one of the roles {sorted(roles)}")
        return org

    return dependency


async def command_context(
    request: Request,
    identity: Caller,
    kit: Kit,
    idempotency_key: Annotated[str, Header(alias="Idempotency-Key", min_length=8, max_length=128,
                                           pattern=r"^[A-Za-z0-9._:-]+$")],
    if_match: Annotated[str | None, Header(alias="If-Match", pattern=r'^"?\d{1,9}"?$')] = None,
) -> CommandContext:
    """Who is asking and the request's identity for idempotency.

    The stored key is scoped to (force, subject, key) as a JSON array, so no subject's
    key can collide with another's however either is spelt.
    """
    body = await request.body()
    scope = json.dumps([request.path_params.get("force_id", ""), identity.as_actor(), idempotency_key])
    return CommandContext(
        actor=identity.as_actor(),
        correlation_id=current_correlation_id(),
        idempotency_key=scope,
        fingerprint=request_fingerprint(request.method, request.url.path, body, kit.settings.fingerprint_key()),
        expected_version=int(if_match.strip('"')) if if_match else None,
    )


Command = Annotated[CommandContext, Depends(command_context)]


def respond(result: CommandOutcome, *, location: str | None = None, created: int = 201,
            changed: int = 200, unchanged: int = 200) -> JSONResponse:
    """A command's outcome as HTTP: the status per outcome, Location, ETag and replay marker."""
    status = {Outcome.CREATED: created, Outcome.CHANGED: changed, Outcome.UNCHANGED: unchanged}[result.outcome]
    headers = {}
    if location:
        headers["Location"] = location
    if "version" in result.body:
        headers["ETag"] = f'"{result.body["version"]}"'
    if result.replayed:
        headers["Idempotent-Replayed"] = "true"
    return JSONResponse(status_code=status, content=result.body, headers=headers)
