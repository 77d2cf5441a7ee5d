"""What every HTTP app of the platform shares: errors, correlation ids, limits, probes, metrics.

Errors have one shape, naming the field and the rule that failed:
    {"error": "validation_failed", "message": "...", "errors": [{"field": "body.staff_number",
     "rule": "missing", "message": "Field required"}]}
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import re
import time
from datetime import date, datetime
from decimal import Decimal
from typing import Awaitable, Callable
from uuid import UUID

import structlog
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, PlainTextResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from starlette.exceptions import HTTPException as StarletteHTTPException

from .auth import AuthError, Forbidden, Identity, UnknownForce
from .commands import IdempotencyKeyReused, NotFound
from .domain import DomainError, InvalidValue
from .eventstore import ConcurrencyError
from .logging import correlation_id_var, get_logger, new_correlation_id
from .metrics import DENIALS, HTTP_LATENCY

log = get_logger("http")

ReadinessCheck = Callable[[], Awaitable[None]]


def error_body(error: str, message: str, errors: list[dict] | None = None) -> dict:
    body: dict = {"error": error, "message": message}
    if errors:
        body["errors"] = errors
    return body


#: A caller's X-Request-Id is kept only if it looks like one; otherwise a fresh one is made.
REQUEST_ID = re.compile(rb"^[A-Za-z0-9._:-]{1,64}$")
#: Control characters, a NUL or a byte outside ASCII in a path or query (raw or %-encoded).
_BAD_TARGET = re.compile(rb"[\x00-\x20\x7f-\xff]|%(?:[01][0-9a-fA-F]|7[fF])")
#: The scope key under which PlatformMiddleware leaves the caller it authenticated.
IDENTITY_SCOPE_KEY = "naloxone.identity"


def request_id_from(value: bytes | None) -> str:
    """The caller's X-Request-Id if it is a plain bounded token, else a new one."""
    if value and REQUEST_ID.match(value):
        return value.decode("ascii")
    return new_correlation_id()


def bad_target(scope) -> str | None:
    """Why the request target is unusable (control characters, NUL), or None."""
    if _BAD_TARGET.search(scope.get("raw_path") or scope["path"].encode("utf-8", "replace")):
        return "the path holds a control character or a byte outside ASCII"
    if _BAD_TARGET.search(scope.get("query_string") or b""):
        return "the query string holds a control character, NUL or a byte outside ASCII"
    return None


class PlatformMiddleware:
    """Pure ASGI: request id, structured access log, latency metric, request body limit,
    a sane request target, and (with a verifier) authentication of every /v1/ request
    before its body is read, so an anonymous caller gets 401 whatever it sends."""

    def __init__(self, app, max_body_bytes: int, verifier=None) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes
        self.verifier = verifier

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        headers = dict(scope.get("headers") or [])
        request_id = request_id_from(headers.get(b"x-request-id"))
        problem = bad_target(scope)
        if problem is None and self.verifier is not None and scope["path"].startswith("/v1/"):
            try:
                scope[IDENTITY_SCOPE_KEY] = identity_from_headers(self.verifier, scope.get("headers") or [])
            except AuthError as exc:
                DENIALS.labels("unauthenticated").inc()
                log.warning("request denied", status=401, reason=str(exc), path=scope["path"])
                await _send_json(send, 401, error_body("unauthenticated", str(exc)), request_id,
                                 [(b"www-authenticate", b"Bearer")])
                return
        if problem is not None:
            await _send_json(send, 400, error_body("bad_request", problem, [
                {"field": "path", "rule": "printable_ascii", "message": problem}]), request_id)
            return
        token = correlation_id_var.set(request_id)
        structlog.contextvars.bind_contextvars(correlation_id=request_id)
        started = time.perf_counter()
        status_holder = {"status": 500}
        limit = self.max_body_bytes

        declared = headers.get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            await _send_json(send, 413, _too_large(limit), request_id)
            status_holder["status"] = 413
            self._observe(scope, status_holder["status"], started)
            correlation_id_var.reset(token)
            return

        received = 0

        async def limited_receive():
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise _BodyTooLarge()
            return message

        async def send_with_id(message):
            if message["type"] == "http.response.start":
                status_holder["status"] = message["status"]
                message.setdefault("headers", [])
                message["headers"] = list(message["headers"]) + [(b"x-request-id", request_id.encode())]
            await send(message)

        try:
            await self.app(scope, limited_receive, send_with_id)
        except _BodyTooLarge:
            status_holder["status"] = 413
            await _send_json(send, 413, _too_large(limit), request_id)
        finally:
            self._observe(scope, status_holder["status"], started)
            structlog.contextvars.unbind_contextvars("correlation_id")
            correlation_id_var.reset(token)

    @staticmethod
    def _observe(scope, status: int, started: float) -> None:
        elapsed = time.perf_counter() - started
        route = scope.get("route")
        template = getattr(route, "path", None) or "unmatched"
        HTTP_LATENCY.labels(scope["method"], template, str(status)).observe(elapsed)
        if template not in ("/healthz", "/readyz", "/metrics"):
            log.info("request", method=scope["method"], path=scope["path"], route=template,
                     status=status, duration_ms=round(elapsed * 1000, 2))


class _BodyTooLarge(Exception):
    pass


def _too_large(limit: int) -> dict:
    return error_body("body_too_large", f"request body exceeds {limit} bytes",
                      [{"field": "body", "rule": f"max_bytes={limit}", "message": "request body too large"}])


async def _send_json(send, status: int, body: dict, request_id: str,
                     extra: list[tuple[bytes, bytes]] | None = None) -> None:
    data = json.dumps(body).encode()
    await send({"type": "http.response.start", "status": status, "headers": [
        (b"content-type", b"application/json"), (b"content-length", str(len(data)).encode()),
        (b"x-request-id", request_id.encode()), (b"cache-control", b"no-store"), *(extra or [])]})
    await send({"type": "http.response.body", "body": data})


def _field(loc) -> str:
    return ".".join(str(part) for part in loc)


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(StarletteHTTPException)
    async def _http_error(_request: Request, exc: StarletteHTTPException):
        # FastAPI's own refusals (a body it cannot parse, too deeply nested JSON, an unknown
        # route, a wrong method) in the platform's shape, naming the rule.
        status = exc.status_code
        error, field, rule = {400: ("bad_request", "body", "parseable_json"), 404: ("not_found", "path", "route"),
                              405: ("method_not_allowed", "method", "allowed_methods")}.get(
            status, ("http_error", "request", f"http_{status}"))
        message = str(exc.detail)
        return JSONResponse(status_code=status, content=error_body(error, message, [
            {"field": field, "rule": rule, "message": message}]), headers=getattr(exc, "headers", None))

    @app.exception_handler(RequestValidationError)
    async def _validation(_request: Request, exc: RequestValidationError):
        errors = [
            {"field": _field(e.get("loc", ())), "rule": e.get("type", "invalid"), "message": e.get("msg", "")}
            for e in exc.errors()
        ]
        summary = "; ".join(f"{e['field']}: {e['message']} ({e['rule']})" for e in errors)
        return JSONResponse(status_code=422, content=error_body("validation_failed", summary, errors))

    @app.exception_handler(AuthError)
    async def _unauthenticated(request: Request, exc: AuthError):
        DENIALS.labels("unauthenticated").inc()
        log.warning("request denied", status=401, reason=str(exc), path=request.url.path)
        return JSONResponse(status_code=401, content=error_body("unauthenticated", str(exc)),
                            headers={"WWW-Authenticate": "Bearer"})

    @app.exception_handler(Forbidden)
    async def _forbidden(request: Request, exc: Forbidden):
        DENIALS.labels("forbidden").inc()
        log.warning("request denied", status=403, reason=str(exc), path=request.url.path)
        return JSONResponse(status_code=403, content=error_body("forbidden", str(exc)))

    @app.exception_handler(ConcurrencyError)
    async def _conflict(_request: Request, exc: ConcurrencyError):
        return JSONResponse(status_code=409, content=error_body(
            "concurrency_conflict", f"{exc}; reload and retry"))

    @app.exception_handler(DomainError)
    async def _domain(_request: Request, exc: DomainError):
        return JSONResponse(status_code=409, content=error_body("rule_violation", str(exc)))

    @app.exception_handler(InvalidValue)
    async def _invalid(_request: Request, exc: InvalidValue):
        return JSONResponse(status_code=422, content=error_body("validation_failed", str(exc), [
            {"field": exc.field, "rule": "domain_rule", "message": str(exc)}]))

    @app.exception_handler(NotFound)
    async def _not_found(_request: Request, exc: NotFound):
        return JSONResponse(status_code=404, content=error_body("not_found", str(exc)))

    @app.exception_handler(UnknownForce)
    async def _unknown_force(_request: Request, exc: UnknownForce):
        return JSONResponse(status_code=422, content=error_body("validation_failed", str(exc), [
            {"field": "path.force_id", "rule": "unknown_force", "message": str(exc)}]))

    @app.exception_handler(IdempotencyKeyReused)
    async def _key_reused(_request: Request, exc: IdempotencyKeyReused):
        return JSONResponse(status_code=422, content=error_body("validation_failed", str(exc), [
            {"field": "header.Idempotency-Key", "rule": "reused_for_different_request", "message": str(exc)}]))


def _plain(value):
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, UUID):
        return str(value)
    raise TypeError(f"{type(value).__name__} is not JSON")


def json_answer(body: dict | list, status_code: int = 200) -> Response:
    """A large read's answer serialised once by `json`: FastAPI's jsonable_encoder walks every value
    of a returned dict in Python first, and for the views' tables that walk was 3/4 of the CPU."""
    return Response(json.dumps(body, default=_plain, separators=(",", ":")).encode(), status_code=status_code,
                    media_type="application/json")


def install_probes(app: FastAPI, process: str, checks: dict[str, ReadinessCheck]) -> None:
    """/healthz and /readyz; both name the process, so whoever waits on a port knows who answered
    (a port handed out twice once let one service's readiness stand in for another's)."""

    @app.get("/healthz", include_in_schema=False)
    async def healthz():
        return {"status": "ok", "process": process}

    @app.get("/readyz", include_in_schema=False)
    async def readyz():
        failures = {}
        for name, check in checks.items():
            try:
                await asyncio.wait_for(check(), timeout=3)
            except Exception as exc:  # any failure means not ready
                failures[name] = f"{type(exc).__name__}: {exc}"[:200]
        if failures:
            return JSONResponse(status_code=503, content={"status": "not ready", "process": process,
                                                          "failures": failures})
        return {"status": "ready", "process": process, "checks": sorted(checks)}

    @app.get("/metrics", include_in_schema=False)
    async def metrics():
        return PlainTextResponse(generate_latest(), media_type=CONTENT_TYPE_LATEST)


def identity_from_headers(verifier, headers) -> Identity:
    """The caller named by exactly one `Authorization: Bearer <token>` header, or AuthError."""
    values = [v for k, v in headers if k == b"authorization"]
    if len(values) > 1:
        raise AuthError("more than one Authorization header")
    scheme, _, token = (values[0].decode("latin-1") if values else "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise AuthError("missing bearer token (Authorization: Bearer <token>)")
    return verifier.verify(token.strip())


async def authenticated(request: Request) -> Identity:
    """A FastAPI dependency: the caller verified by the app's `state.verifier`, or 401.

    Async on purpose: FastAPI runs sync dependencies in a thread pool, which costs a
    hop per request and loses the log context (the actor) bound here.
    """
    identity = request.scope.get(IDENTITY_SCOPE_KEY)
    if identity is None:
        identity = identity_from_headers(request.app.state.verifier, request.scope.get("headers") or [])
    structlog.contextvars.bind_contextvars(actor=identity.subject)
    return identity


def page(items: list[dict], limit: int, key: str) -> dict:
    """One page of a list route: the items, and the cursor to ask for the next page (None at the end)."""
    return {"items": items, "next_after": items[-1][key] if len(items) == limit else None}


def request_fingerprint(method: str, path: str, body: bytes, key: bytes = b"") -> str:
    """What a replayed request must match. Keyed (HMAC-SHA256) where the body may hold personal
    fields: a bare hash of a body with a few guessable fields (an age band, a sex, a custody
    number) could be reversed by trying them, and the fingerprint outlives erasure."""
    message = method.encode() + b" " + path.encode() + b"\n" + body
    if key:
        return hmac.new(key, message, hashlib.sha256).hexdigest()
    return hashlib.sha256(message).hexdigest()
