"""The one public entry: checks what a client sends, who it is, what it may reach; routes the call.

The hot path (/v1/forces/{force_id}/<resource>/... of a registered service) is plain ASGI,
not a FastAPI route: the request target is checked (no dot segments, no encoded slash,
no control characters: the path authorised is byte for byte the path forwarded), the
headers are checked (ASCII only, one Authorization), the caller is authenticated
(verified tokens are cached by hash, never past `exp`), rate-limited per client, and
scoped by the access rules below; the body is read under a cap and forwarded with a
pooled keep-alive aiohttp client. Downstream failures become 502/503/504 bodies in the
platform's error shape. Writes and denials go to the audit log.

Access (the service applies the force rule again, so a service reached another way is
no weaker):
- a force's user reaches only their own force;
- a partner organisation's worker reaches only forces with an active data-sharing
  agreement naming the organisation (data held here, managed by force admins; a token's
  `forces` claim grants nothing);
- a national lead reaches aggregate routes only (GET .../summary), never per-person or
  per-incident records;
- submit-only roles (officer, custody, partner) cannot read analytics (aggregate routes);
- an auditor reaches their force's records read-only, and /v1/audit for forces they audit;
- /v1/partners/{org}/... is for that organisation's workers only; /v1/regions/... and
  /v1/national/... (cross-force aggregates) are read-only, for national leads and force users
  with an analytic role (the service suppresses small numbers of other forces).

Agreements and grants are also published (kernel outbox relay, run here) on the partnership
topic, from which every service learns which forces a partner reaches.

The gateway's own routes (reference data, agreements, role grants, audit, the merged
OpenAPI document and /docs) are a FastAPI app behind the same checks. /readyz and
/metrics are served on the ops port only.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import time
import uuid
from contextlib import asynccontextmanager
from datetime import date, datetime
from typing import Annotated

import aiohttp
import asyncpg
from fastapi import Depends, FastAPI, Header, Query, Request
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse, JSONResponse
from naloxone.contracts import TOPICS
from naloxone_kernel.auth import (
    ROLES,
    SLUG_PATTERN,
    SUBJECT_PATTERN,
    SUBMIT_ONLY_ROLES,
    AuthError,
    DevIssuer,
    Forbidden,
    Identity,
    TokenVerifier,
    UnknownForce,
    authorize_force,
)
from naloxone_kernel.db import create_pool, ensure_database
from naloxone_kernel.http import (
    IDENTITY_SCOPE_KEY,
    authenticated,
    error_body,
    install_error_handlers,
    page,
    request_fingerprint,
    request_id_from,
)
from naloxone_kernel.logging import configure_logging, correlation_id_var, get_logger
from naloxone_kernel.metrics import DENIALS, HTTP_LATENCY
from naloxone_kernel.reference.forces import FORCES, get_force
from naloxone_kernel.registry import PUBLIC_ROUTE_SEGMENTS, service_for_public_route, service_for_route
from naloxone_kernel.relay import OutboxRelay
from naloxone_kernel.schemas import PlausibleDate, Strict
from prometheus_client import CONTENT_TYPE_LATEST, Counter, generate_latest
from pydantic import Field
from yarl import URL

from .config import GatewaySettings, dev_issuer_dir
from .dashboard import mount_dashboard
from .dashboard.dev import development_issuer
from .limits import (
    RateLimiter,
    header_problem,
    json_depth_exceeds,
    path_problem,
    query_problem,
    retry_after,
)
from .openapi import OpenApiCache, merge
from .policy import AuditLog, NotFoundHere, PolicyStore, migrate

log = get_logger("gateway")

FORWARDED_REQUEST_HEADERS = frozenset({b"authorization", b"content-type", b"accept", b"idempotency-key",
                                       b"if-match"})
RETURNED_RESPONSE_HEADERS = frozenset({b"content-type", b"etag", b"idempotent-replayed", b"www-authenticate",
                                       b"retry-after"})
WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
#: The last path segment of a route that answers with aggregates only (counts, no records).
AGGREGATE_SEGMENTS = frozenset({"summary", "funnel"})
ADMINS = frozenset({"force_admin"})
AGREEMENT_READERS = frozenset({"force_admin", "auditor"})
UPSTREAM_FAILURES = Counter("gateway_upstream_failures_total", "Downstream calls that failed", ["service", "kind"])
SECURITY_HEADERS = [(b"cache-control", b"no-store"), (b"x-content-type-options", b"nosniff")]


class Refusal(Exception):
    """A request refused before it reaches a service: status, platform error body, headers."""

    def __init__(self, status: int, error: str, message: str, field: str | None = None, rule: str | None = None,
                 headers: list[tuple[bytes, bytes]] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.body = error_body(error, message, [{"field": field, "rule": rule, "message": message}]
                               if field else None)
        self.headers = headers or []


class Access:
    """The access rules of the module docstring, over the agreements and grants held here."""

    def __init__(self, policy_store: PolicyStore | None) -> None:
        self.policy_store = policy_store

    @property
    def policy(self):
        return self.policy_store.policy if self.policy_store else None

    def effective(self, identity: Identity) -> Identity:
        """The identity with the forces its organisation's agreements reach (partners)."""
        if identity.kind == "partner" and self.policy is not None:
            forces = self.policy.forces_for_org(identity.org)
            if forces != identity.forces:
                return dataclasses.replace(identity, forces=forces)
        return identity

    def audited_forces(self, identity: Identity) -> frozenset[str]:
        """Forces whose audit trail this identity may read."""
        forces = set()
        if "auditor" in identity.roles and identity.force_id:
            forces.add(identity.force_id)
        if self.policy is not None:
            forces |= self.policy.forces_granted(identity.subject, "auditor")
        return frozenset(forces)

    def authorize(self, identity: Identity, force_id: str, method: str, path: str) -> None:
        aggregate = path[path.rfind("/") + 1:] in AGGREGATE_SEGMENTS
        kind = identity.kind
        if kind == "force":
            authorize_force(identity, force_id)  # the one force-scope rule every service applies too
        elif get_force(force_id) is None:
            raise UnknownForce(f"'{force_id}' is not a UK police force id (see GET /v1/reference/forces)")
        elif kind == "partner":
            if self.policy is None or force_id not in self.policy.forces_for_org(identity.org):
                raise Forbidden(f"organisation '{identity.org}' has no active data-sharing agreement "
                                f"with force '{force_id}'")
        elif kind == "national":
            if not aggregate or method != "GET":
                raise Forbidden("national leads see aggregate routes only, never per-person or "
                                "per-incident records")
        elif kind == "auditor":
            if force_id not in self.audited_forces(identity):
                raise Forbidden(f"this auditor holds no audit grant for force '{force_id}'")
            if method != "GET":
                raise Forbidden("auditors read; they do not write")
        else:
            raise Forbidden(f"this identity has no access to force '{force_id}'")
        if aggregate and identity.roles <= SUBMIT_ONLY_ROLES:
            raise Forbidden(f"submit-only roles {sorted(identity.roles)} cannot read analytics")


    def authorize_public(self, identity: Identity, segment: str, name: str, method: str) -> None:
        """Routes outside one force's scope: a partner organisation's own routes, and the
        cross-force views (regions, national), which are read-only aggregates."""
        if segment == "partners":
            if identity.kind != "partner" or identity.org != name:
                raise Forbidden(f"only workers of partner organisation '{name}' may use its routes")
            return
        if method != "GET":
            raise Forbidden("cross-force views are read-only")
        if identity.kind == "national" or (identity.kind == "force" and not identity.roles <= SUBMIT_ONLY_ROLES):
            return
        if identity.kind == "force":
            raise Forbidden(f"submit-only roles {sorted(identity.roles)} cannot read analytics")
        raise Forbidden(f"this {identity.kind} identity may not read cross-force views")


def _client_key(scope) -> str:
    client = scope.get("client")
    return client[0] if client else "unknown"


class Gateway:
    """The ASGI application the public port serves (see the module docstring)."""

    def __init__(self, settings: GatewaySettings, dev_issuer: DevIssuer | None = None) -> None:
        self.settings = settings
        #: The local development issuer the dashboard's sign-in picker mints with (None: no picker).
        self.dev_issuer = dev_issuer
        self.verifier = TokenVerifier.from_settings(settings)
        if settings.token_cache_seconds != 60.0:
            self.verifier = TokenVerifier(issuer=settings.token_issuer, audience=settings.token_audience,
                                          jwks_path=settings.jwks_path, jwks_url=settings.jwks_url,
                                          cache_seconds=settings.token_cache_seconds)
        self.upstreams = settings.upstreams()
        self.rate = RateLimiter(settings.rate_per_second, settings.rate_burst)
        self.auth_failures = RateLimiter(settings.auth_failures_per_second, settings.auth_failure_burst)
        self.session: aiohttp.ClientSession | None = None
        self.pool: asyncpg.Pool | None = None
        self.policy_store: PolicyStore | None = None
        self.audit: AuditLog | None = None
        self.access = Access(None)
        self.openapi = OpenApiCache()
        self.timeout = aiohttp.ClientTimeout(total=settings.upstream_timeout_seconds,
                                             sock_connect=settings.upstream_connect_timeout_seconds)
        self.api = build_api(self)
        self.ops = build_ops(self)

    # ------------------------------------------------------------------ lifecycle

    async def start(self) -> None:
        connector = aiohttp.TCPConnector(limit=self.settings.upstream_connections, limit_per_host=0,
                                         keepalive_timeout=4.0, ttl_dns_cache=300, force_close=False)
        self.session = aiohttp.ClientSession(connector=connector, timeout=self.timeout, auto_decompress=False,
                                             skip_auto_headers=("User-Agent", "Accept-Encoding"),
                                             cookie_jar=aiohttp.DummyCookieJar())
        await ensure_database(self.settings.database_url)
        self.pool = await create_pool(self.settings.database_url, min_size=1, max_size=8)
        await migrate(self.pool)
        self.policy_store = PolicyStore(self.pool, self.settings.topic(TOPICS["partnership"]))
        await self.policy_store.catch_up()
        self.access = Access(self.policy_store)
        self.audit = AuditLog(self.pool)
        self._tasks = [asyncio.create_task(self.policy_store.tail(self.settings.policy_refresh_seconds)),
                       asyncio.create_task(self.audit.run()),
                       asyncio.create_task(self._relay_agreements())]

    async def _relay_agreements(self) -> None:
        """Publish agreement and grant events to the partnership topic (the kernel's outbox
        relay, one instance at a time across gateway replicas); restarted if it fails."""
        while True:
            relay = OutboxRelay(self.settings.database_url, self.settings.kafka_bootstrap,
                                client_id="gateway-relay")
            try:
                await relay.run()
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                log.error("agreement relay stopped; restarting", error=f"{type(exc).__name__}: {exc}")
            await asyncio.sleep(1.0)

    async def stop(self) -> None:
        for task in getattr(self, "_tasks", []):
            task.cancel()
        await asyncio.gather(*getattr(self, "_tasks", []), return_exceptions=True)
        if self.session is not None:
            await self.session.close()
        if self.pool is not None:
            await self.pool.close()

    # ------------------------------------------------------------------ ASGI

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.api(scope, receive, send)
        started = time.perf_counter()
        headers = scope["headers"]
        request_id = None
        for name, value in headers:
            if name == b"x-request-id":
                request_id = value
                break
        request_id = request_id_from(request_id)
        correlation_id_var.set(request_id)
        method = scope["method"]
        path = scope["path"]
        identity: Identity | None = None
        force_id: str | None = None
        status = 500
        reason: str | None = None
        try:
            if scope.get("raw_path") == b"/dashboard/" and method in ("GET", "HEAD"):
                # the one trailing slash a person types: sent to the page by a path on this origin
                # (never a host from the request, never an internal address)
                status = 308
                await self._send(send, 308, {"moved_to": "/dashboard"}, request_id, [(b"location", b"/dashboard")])
                return
            self._check_target(scope, headers)
            if not path.startswith("/v1/"):
                status = await self._own(scope, receive, send, request_id)
                return
            identity = self._authenticate(scope, headers)
            wait = self.rate.take(identity.subject)
            if wait:
                raise Refusal(429, "rate_limited", f"too many requests; retry in {retry_after(wait)} s",
                              headers=[(b"retry-after", retry_after(wait).encode())])
            scope[IDENTITY_SCOPE_KEY] = identity
            entry = None
            if path.startswith("/v1/forces/"):
                parts = path.split("/", 5)
                if len(parts) > 4:
                    force_id = parts[3]
                    entry = service_for_route(parts[4])
                if entry is not None:
                    self.access.authorize(identity, force_id, method, path)
            else:
                parts = path.split("/", 4)
                if len(parts) > 3 and parts[3] and parts[2] in PUBLIC_ROUTE_SEGMENTS:
                    self.access.authorize_public(identity, parts[2], parts[3], method)
                    entry = service_for_public_route(parts[2])
            if entry is None:
                status = await self._own(scope, receive, send, request_id)
                return
            status = await self._proxy(scope, receive, send, request_id, entry.name, identity)
        except Refusal as refusal:
            status, reason = refusal.status, str(refusal)
            await self._send(send, status, refusal.body, request_id, refusal.headers)
        except AuthError as exc:
            status, reason = 401, str(exc)
            DENIALS.labels("unauthenticated").inc()
            await self._send(send, 401, error_body("unauthenticated", reason), request_id,
                             [(b"www-authenticate", b"Bearer")])
        except Forbidden as exc:
            status, reason = 403, str(exc)
            DENIALS.labels("forbidden").inc()
            await self._send(send, 403, error_body("forbidden", reason), request_id)
        except UnknownForce as exc:
            status, reason = 422, str(exc)
            await self._send(send, 422, error_body("validation_failed", reason, [
                {"field": "path.force_id", "rule": "unknown_force", "message": reason}]), request_id)
        finally:
            HTTP_LATENCY.labels(method, "proxy" if force_id else "gateway", str(status)).observe(
                time.perf_counter() - started)
            if status in (401, 403, 429) or (method in WRITE_METHODS and path.startswith("/v1/")):
                self._audit(scope, request_id, identity, force_id, status, reason)

    def _check_target(self, scope, headers) -> None:
        problem = path_problem(scope.get("raw_path") or scope["path"].encode("utf-8", "replace"))
        if problem:
            raise Refusal(404 if "trailing slash" in problem else 400, "bad_request", problem, "path",
                          "normalised_path")
        problem = query_problem(scope["query_string"])
        if problem:
            raise Refusal(400, "bad_request", problem, "query", "printable_ascii")
        found = header_problem(headers)
        if found:
            field, message = found
            raise Refusal(400, "bad_request", message, field,
                          "single" if field == "header.Authorization" else "printable_ascii")

    def _authenticate(self, scope, headers) -> Identity:
        client = _client_key(scope)
        wait = self.auth_failures.peek(client)
        if wait:
            raise Refusal(429, "rate_limited", f"too many failed authentications; retry in {retry_after(wait)} s",
                          headers=[(b"retry-after", retry_after(wait).encode())])
        value = None
        for name, v in headers:
            if name == b"authorization":
                value = v
                break
        try:
            if value is None or value[:7].lower() != b"bearer " or not value[7:].strip():
                raise AuthError("missing bearer token (Authorization: Bearer <token>)")
            return self.verifier.verify(value[7:].strip().decode("ascii"))
        except AuthError:
            self.auth_failures.take(client)
            raise

    async def _read_body(self, receive, limit: int) -> bytes:
        chunks = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                raise Refusal(400, "bad_request", "the client went away")
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > limit:
                raise Refusal(413, "body_too_large", f"request body exceeds {limit} bytes", "body",
                              f"max_bytes={limit}")
            chunks.append(chunk)
            if not message.get("more_body", False):
                return b"".join(chunks) if len(chunks) != 1 else chunks[0]

    def _check_json(self, body: bytes) -> None:
        try:
            body.decode("utf-8")
        except UnicodeDecodeError:
            raise Refusal(400, "bad_request", "the request body is not valid UTF-8", "body", "utf8") from None
        if json_depth_exceeds(body, self.settings.max_json_depth):
            raise Refusal(400, "bad_request", f"JSON nests deeper than {self.settings.max_json_depth} levels",
                          "body", f"max_depth={self.settings.max_json_depth}")

    async def _proxy(self, scope, receive, send, request_id: str, service: str, identity: Identity) -> int:
        method = scope["method"]
        limit = self.settings.max_body_bytes
        body = b""
        out_headers = {"x-request-id": request_id, "x-authenticated-subject": identity.subject}
        for name, value in scope["headers"]:
            if name in FORWARDED_REQUEST_HEADERS:
                out_headers[name.decode()] = value.decode("ascii")
            elif name == b"content-length" and value.isdigit() and int(value) > limit:
                raise Refusal(413, "body_too_large", f"request body exceeds {limit} bytes", "body",
                              f"max_bytes={limit}")
        if method in WRITE_METHODS or any(name == b"content-length" for name, _ in scope["headers"]):
            body = await self._read_body(receive, limit)
            if body:
                self._check_json(body)
        client = scope.get("client")
        if client:
            out_headers["x-forwarded-for"] = client[0]
        target = self.upstreams[service] + (scope.get("raw_path") or scope["path"].encode()).decode("ascii")
        if scope["query_string"]:
            target += "?" + scope["query_string"].decode("ascii")
        url = URL(target, encoded=True)
        for attempt in (1, 2):
            try:
                async with self.session.request(method, url, headers=out_headers, data=body or None,
                                                allow_redirects=False) as response:
                    data = await response.read()
                    status = response.status
                    raw = response.raw_headers
                break
            except aiohttp.ServerDisconnectedError:
                # A pooled keep-alive connection the service had just closed: one retry is
                # safe (reads are idempotent; every command carries an Idempotency-Key).
                if attempt == 2:
                    return await self._upstream_failed(send, request_id, service, 502, "disconnected")
            except (asyncio.TimeoutError, aiohttp.ServerTimeoutError):
                return await self._upstream_failed(send, request_id, service, 504, "timeout")
            except aiohttp.ClientConnectorError:
                return await self._upstream_failed(send, request_id, service, 503, "unavailable")
            except aiohttp.ClientError:
                return await self._upstream_failed(send, request_id, service, 502, "bad_response")
        headers = [(k.lower(), v) for k, v in raw if k.lower() in RETURNED_RESPONSE_HEADERS]
        for k, v in raw:
            if k.lower() == b"location" and v.startswith(b"/") and not v.startswith(b"//"):
                headers.append((b"location", v))  # only a path: never an internal address
        headers += [(b"content-length", str(len(data)).encode()), (b"x-request-id", request_id.encode()),
                    *SECURITY_HEADERS]
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": data})
        return status

    async def _upstream_failed(self, send, request_id: str, service: str, status: int, kind: str) -> int:
        UPSTREAM_FAILURES.labels(service, kind).inc()
        log.error("downstream call failed", service=service, kind=kind, status=status, request_id=request_id)
        message = {502: f"the {service} service answered badly; retry shortly",
                   503: f"the {service} service is not answering; retry shortly",
                   504: f"the {service} service did not answer in time"}[status]
        error = {502: "bad_gateway", 503: "upstream_unavailable", 504: "upstream_timeout"}[status]
        await self._send(send, status, error_body(error, message), request_id,
                         [(b"retry-after", b"1")] if status == 503 else None)
        return status

    async def _own(self, scope, receive, send, request_id: str) -> int:
        """The gateway's own routes (FastAPI), with the request id and no-store on every response."""
        holder = {"status": 500}
        limit = self.settings.max_body_bytes
        received = 0

        async def limited_receive():
            nonlocal received
            message = await receive()
            received += len(message.get("body", b""))
            if received > limit:
                raise Refusal(413, "body_too_large", f"request body exceeds {limit} bytes", "body",
                              f"max_bytes={limit}")
            return message

        async def send_with_headers(message):
            if message["type"] == "http.response.start":
                holder["status"] = message["status"]
                message["headers"] = [*message.get("headers", []), (b"x-request-id", request_id.encode()),
                                      *SECURITY_HEADERS]
            await send(message)

        await self.api(scope, limited_receive, send_with_headers)
        return holder["status"]

    def _audit(self, scope, request_id: str, identity: Identity | None, force_id: str | None, status: int,
               reason: str | None) -> None:
        if status in (401, 403, 429):
            log.warning("request denied", status=status, reason=reason, path=scope["path"][:256],
                        actor=identity.subject if identity else None, request_id=request_id)
        if self.audit is None:
            return
        if force_id is None and scope["path"].startswith("/v1/forces/"):
            force_id = scope["path"].split("/", 4)[3][:64] if scope["path"].count("/") >= 3 else None
        if force_id is not None and not SLUG_PATTERN.match(force_id):
            force_id = None
        self.audit.record(request_id=request_id, actor=identity.subject if identity else None, force_id=force_id,
                          method=scope["method"], path=scope["path"][:512], status=status, reason=reason,
                          client=_client_key(scope))

    @staticmethod
    async def _send(send, status: int, body: dict, request_id: str,
                    extra: list[tuple[bytes, bytes]] | None = None) -> None:
        data = json.dumps(body).encode()
        await send({"type": "http.response.start", "status": status, "headers": [
            (b"content-type", b"application/json"), (b"content-length", str(len(data)).encode()),
            (b"x-request-id", request_id.encode()), *SECURITY_HEADERS, *(extra or [])]})
        await send({"type": "http.response.body", "body": data})

    # ------------------------------------------------------------------ merged OpenAPI

    async def merged_openapi(self) -> dict:
        if self.openapi.fresh():
            return self.openapi.document
        docs, complete = {}, True
        for name, base in self.upstreams.items():
            try:
                async with self.session.get(f"{base}/openapi.json", timeout=aiohttp.ClientTimeout(total=5)) as r:
                    docs[name] = await r.json()
            except Exception as exc:  # a service down: its routes are missing until it returns
                complete = False
                log.warning("service OpenAPI unavailable", service=name, error=str(exc))
        document = merge(self.api.openapi(), docs, "Naloxone Partnership Platform API")
        self.openapi.store(document, complete)
        return document

    # ------------------------------------------------------------------ readiness

    async def readiness(self) -> dict[str, str]:
        failures = {}

        async def check(name: str, base: str) -> None:
            try:
                async with self.session.get(f"{base}/readyz", timeout=aiohttp.ClientTimeout(total=3)) as r:
                    if r.status != 200:
                        failures[name] = f"not ready ({r.status})"
            except Exception as exc:
                failures[name] = f"{type(exc).__name__}: {exc}"[:200]

        async def database() -> None:
            try:
                await asyncio.wait_for(self.pool.fetchval("SELECT 1"), 3)
            except Exception as exc:
                failures["postgres"] = f"{type(exc).__name__}: {exc}"[:200]

        if self.session is None:
            return {"gateway": "starting"}
        await asyncio.gather(database(), *(check(n, b) for n, b in self.upstreams.items()))
        return failures


# ---------------------------------------------------------------------- the gateway's own routes

Caller = Annotated[Identity, Depends(authenticated)]
IdempotencyKey = Annotated[str, Header(alias="Idempotency-Key", min_length=8, max_length=128,
                                       pattern=r"^[A-Za-z0-9._:-]+$")]


class AgreementBody(Strict):
    org: str = Field(pattern=SLUG_PATTERN.pattern, description="the partner organisation's id, e.g. cranstoun")
    purpose: str = Field(min_length=1, max_length=200, description="what the data is shared for")
    starts_on: PlausibleDate
    ends_on: PlausibleDate | None = None


class RevocationBody(Strict):
    reason: str = Field(min_length=1, max_length=200)


class GrantBody(Strict):
    subject: str = Field(pattern=SUBJECT_PATTERN.pattern, description="the subject (sub claim) granted the role")
    role: str = Field(pattern="^(" + "|".join(sorted(ROLES - {"national_lead", "partner"})) + ")$")


def build_api(gateway: Gateway) -> FastAPI:

    @asynccontextmanager
    async def lifespan(_app: FastAPI):
        await gateway.start()
        yield
        await gateway.stop()

    api = FastAPI(title="Naloxone Partnership Platform gateway", version="1", lifespan=lifespan,
                  openapi_url=None, docs_url=None, redoc_url=None, redirect_slashes=False)
    api.state.verifier = gateway.verifier
    install_error_handlers(api)
    # /dashboard: public static files (no data without a token), strict CSP; development sign-in
    # only with a development issuer
    mount_dashboard(api, gateway.dev_issuer)

    @api.exception_handler(NotFoundHere)
    async def _not_found(_request: Request, exc: NotFoundHere):
        return JSONResponse(status_code=404, content=error_body("not_found", str(exc)))

    @api.exception_handler(Refusal)
    async def _refusal(_request: Request, exc: Refusal):
        return JSONResponse(status_code=exc.status, content=exc.body, headers={
            k.decode(): v.decode() for k, v in exc.headers})

    def in_force(force_id: str, identity: Identity, roles: frozenset[str]) -> None:
        if identity.kind != "force":
            raise Forbidden(f"only force '{force_id}' manages its agreements and grants")
        authorize_force(identity, force_id, roles)

    async def command(request: Request, identity: Identity, force_id: str, key: str) -> dict:
        body = await request.body()
        return {"actor": identity.subject, "correlation_id": correlation_id_var.get() or uuid.uuid4().hex,
                "idempotency_key": json.dumps([force_id, identity.subject, key]),
                "fingerprint": request_fingerprint(request.method, request.url.path, body)}

    def created(body: dict) -> JSONResponse:
        replayed = body.pop("replayed", False)
        return JSONResponse(status_code=201, content=body,
                            headers={"Idempotent-Replayed": "true"} if replayed else None)

    @api.get("/healthz", include_in_schema=False)
    async def healthz():
        return {"status": "ok", "process": "gateway"}

    @api.get("/openapi.json", include_in_schema=False)
    async def openapi_document():
        return JSONResponse(await gateway.merged_openapi())

    @api.get("/docs", include_in_schema=False)
    async def docs() -> HTMLResponse:
        return get_swagger_ui_html(openapi_url="/openapi.json", title="Naloxone Partnership Platform API")

    @api.get("/v1/reference/forces", tags=["reference"])
    async def list_forces(_caller: Caller):
        """Every UK territorial force, Police Scotland, PSNI and BTP, with region and country."""
        return {"items": [{"id": f.id, "name": f.name, "country": f.country, "region": f.region} for f in FORCES]}

    @api.get("/v1/me", tags=["identity"])
    async def me(caller: Caller):
        """Who the platform takes the caller to be, and which forces it reaches."""
        effective = gateway.access.effective(caller)
        return {"subject": caller.subject, "kind": caller.kind, "roles": sorted(caller.roles),
                "force_id": caller.force_id, "org": caller.org, "forces": sorted(effective.forces),
                "audits": sorted(gateway.access.audited_forces(caller))}

    @api.post("/v1/forces/{force_id}/agreements", status_code=201, tags=["agreements"])
    async def make_agreement(force_id: str, body: AgreementBody, request: Request, caller: Caller,
                             key: IdempotencyKey):
        """Make a data-sharing agreement with a partner organisation (force admins). Its workers
        reach this force from `starts_on` (through `ends_on`) until it is revoked."""
        in_force(force_id, caller, ADMINS)
        if body.ends_on is not None and body.ends_on < body.starts_on:
            raise Refusal(422, "validation_failed", "ends_on must not be before starts_on", "body.ends_on",
                          "after_starts_on")
        ctx = await command(request, caller, force_id, key)
        return created(await gateway.policy_store.make_agreement(
            force_id=force_id, org=body.org, purpose=body.purpose, starts_on=body.starts_on, ends_on=body.ends_on,
            **ctx))

    @api.post("/v1/forces/{force_id}/agreements/{agreement_id}/revocation", status_code=201, tags=["agreements"])
    async def revoke_agreement(force_id: str, agreement_id: uuid.UUID, body: RevocationBody, request: Request,
                               caller: Caller, key: IdempotencyKey):
        """Revoke an agreement: the organisation's workers lose this force at once."""
        in_force(force_id, caller, ADMINS)
        ctx = await command(request, caller, force_id, key)
        return created(await gateway.policy_store.revoke_agreement(
            force_id=force_id, agreement_id=agreement_id, reason=body.reason, **ctx))

    @api.get("/v1/forces/{force_id}/agreements", tags=["agreements"])
    async def list_agreements(force_id: str, caller: Caller,
                              limit: Annotated[int, Query(ge=1, le=500)] = 100,
                              active: Annotated[bool | None, Query()] = None):
        """The force's data-sharing agreements (force admins and auditors)."""
        in_force(force_id, caller, AGREEMENT_READERS)
        today = date.today()
        items = [a.as_json(today) for a in gateway.access.policy.agreements.values() if a.force_id == force_id
                 and (active is None or a.active(today) == active)]
        items.sort(key=lambda a: (a["starts_on"], a["agreement_id"]))
        return {"items": items[:limit], "truncated": len(items) > limit}

    @api.post("/v1/forces/{force_id}/grants", status_code=201, tags=["grants"])
    async def grant_role(force_id: str, body: GrantBody, request: Request, caller: Caller, key: IdempotencyKey):
        """Grant a subject a role in this force (force admins), e.g. `auditor` for a
        data-protection officer, who may then read the force's audit trail."""
        in_force(force_id, caller, ADMINS)
        ctx = await command(request, caller, force_id, key)
        return created(await gateway.policy_store.grant_role(force_id=force_id, subject=body.subject,
                                                             role=body.role, **ctx))

    @api.post("/v1/forces/{force_id}/grants/{grant_id}/revocation", status_code=201, tags=["grants"])
    async def revoke_grant(force_id: str, grant_id: uuid.UUID, request: Request, caller: Caller,
                           key: IdempotencyKey):
        in_force(force_id, caller, ADMINS)
        ctx = await command(request, caller, force_id, key)
        return created(await gateway.policy_store.revoke_grant(force_id=force_id, grant_id=grant_id, **ctx))

    @api.get("/v1/forces/{force_id}/grants", tags=["grants"])
    async def list_grants(force_id: str, caller: Caller, limit: Annotated[int, Query(ge=1, le=500)] = 100):
        in_force(force_id, caller, AGREEMENT_READERS)
        items = [g.as_json() for g in gateway.access.policy.grants.values() if g.force_id == force_id]
        items.sort(key=lambda g: g["grant_id"])
        return {"items": items[:limit], "truncated": len(items) > limit}

    @api.get("/v1/audit", tags=["audit"])
    async def audit(caller: Caller,
                    force: Annotated[str | None, Query(pattern=SLUG_PATTERN.pattern)] = None,
                    actor: Annotated[str | None, Query(pattern=SUBJECT_PATTERN.pattern)] = None,
                    from_: Annotated[datetime | None, Query(alias="from")] = None,
                    to: Annotated[datetime | None, Query()] = None,
                    after: Annotated[int | None, Query(ge=0, le=2**62, description="the last id of the previous page")] = None,
                    limit: Annotated[int, Query(ge=1, le=500)] = 100):
        """Who did what when: every write and every denial through the gateway, with actor,
        force, route, status and request id (auditors, for the forces they audit)."""
        if "auditor" not in caller.roles and not gateway.access.audited_forces(caller):
            raise Forbidden("the audit trail is for auditors")
        allowed = gateway.access.audited_forces(caller)
        if force is not None and force not in allowed:
            raise Forbidden(f"this auditor may not read force '{force}'s audit trail")
        forces = [force] if force else sorted(allowed)
        items = await gateway.audit.query(forces=forces, actor=actor, since=from_, until=to, after=after,
                                          limit=limit)
        return page(items, limit, "id")

    return api


def build_ops(gateway: Gateway):
    """The ops port's app: /healthz, /readyz and /metrics (never on the public port)."""

    async def app(scope, receive, send):
        if scope["type"] != "http":
            return
        path = scope["path"]
        if path == "/readyz":
            failures = await gateway.readiness()
            status = 503 if failures else 200
            body = json.dumps({"status": "not ready", "process": "gateway", "failures": failures} if failures else
                              {"status": "ready", "process": "gateway"}).encode()
            content_type = b"application/json"
        elif path == "/metrics":
            status, body, content_type = 200, generate_latest(), CONTENT_TYPE_LATEST.encode()
        elif path == "/healthz":
            status, body, content_type = 200, b'{"status":"ok","process":"gateway"}', b"application/json"
        else:
            status, body, content_type = 404, b'{"error":"not_found","message":"ops: /healthz /readyz /metrics"}', \
                b"application/json"
        await send({"type": "http.response.start", "status": status,
                    "headers": [(b"content-type", content_type), (b"content-length", str(len(body)).encode())]})
        await send({"type": "http.response.body", "body": body})

    return app


def create_app(settings: GatewaySettings | None = None, dev_issuer_directory: str | None = None) -> Gateway:
    """The gateway; `dev_issuer_directory` (default: GATEWAY_DEV_ISSUER_DIR, unset in deployments)
    turns on the dashboard's development sign-in, refused at start unless this is development."""
    settings = settings or GatewaySettings()
    configure_logging("gateway", settings.log_level)
    directory = dev_issuer_dir() if dev_issuer_directory is None else dev_issuer_directory
    issuer = development_issuer(directory, settings)
    if issuer is not None:
        log.warning("development sign-in is on: the dashboard mints local tokens",
                    dev_issuer_dir=str(issuer.directory))
    return Gateway(settings, issuer)
