"""The one public entry: verifies the caller, scopes them to their force, routes the call.

Every force-scoped route is checked here before any service sees it (401 without a
valid token, 403 for another force's records, 422 for an unknown force), and again in
the service itself, so a service reached by another path is no weaker.
"""

from contextlib import asynccontextmanager
from typing import Annotated

import httpx
from fastapi import Depends, FastAPI, Request
from fastapi.responses import JSONResponse, Response

from naloxone_kernel.auth import Identity, TokenVerifier, authorize_force
from naloxone_kernel.http import PlatformMiddleware, authenticated, error_body, install_error_handlers, install_probes
from naloxone_kernel.logging import configure_logging, current_correlation_id, get_logger
from naloxone_kernel.reference.forces import FORCES
from naloxone_kernel.registry import service_for_route

from .config import GatewaySettings

log = get_logger("gateway")

FORWARDED_REQUEST_HEADERS = ("authorization", "content-type", "accept", "idempotency-key", "if-match")
RETURNED_RESPONSE_HEADERS = ("content-type", "location", "etag", "idempotent-replayed", "www-authenticate",
                             "retry-after")


def create_app(settings: GatewaySettings | None = None) -> FastAPI:
    settings = settings or GatewaySettings()
    configure_logging("gateway", settings.log_level)
    verifier = TokenVerifier.from_settings(settings)
    upstreams = settings.upstreams()
    state: dict = {}

    @asynccontextmanager
    async def lifespan(_app: FastAPI):
        state["client"] = httpx.AsyncClient(
            timeout=settings.upstream_timeout_seconds,
            limits=httpx.Limits(max_connections=200, max_keepalive_connections=50),
        )
        yield
        await state["client"].aclose()

    app = FastAPI(title="Naloxone Partnership Platform gateway", version="1", lifespan=lifespan)
    app.state.verifier = verifier
    install_error_handlers(app)

    def upstream_check(name: str, base: str):
        async def check() -> None:
            response = await state["client"].get(f"{base}/readyz", timeout=3)
            if response.status_code != 200:
                raise RuntimeError(f"{name} is not ready ({response.status_code})")

        return check

    install_probes(app, {name: upstream_check(name, base) for name, base in upstreams.items()})
    Caller = Annotated[Identity, Depends(authenticated)]

    @app.get("/v1/reference/forces", tags=["reference"])
    async def list_forces(_caller: Caller):
        """Every UK territorial force, Police Scotland, PSNI and BTP, with region and country."""
        return {"items": [{"id": f.id, "name": f.name, "country": f.country, "region": f.region} for f in FORCES]}

    @app.api_route("/v1/forces/{force_id}/{rest:path}", methods=["GET", "POST", "PUT", "PATCH", "DELETE"],
                   tags=["force-scoped"])
    async def force_scoped(force_id: str, rest: str, request: Request, caller: Caller):
        authorize_force(caller, force_id)
        entry = service_for_route(rest.split("/", 1)[0])
        if entry is None:
            return JSONResponse(status_code=404, content=error_body("not_found", f"no resource '/{rest}' here"))
        return await _proxy(request, upstreams[entry.name], caller)

    async def _proxy(request: Request, base: str, caller: Identity) -> Response:
        headers = {k: v for k, v in request.headers.items() if k.lower() in FORWARDED_REQUEST_HEADERS}
        headers["x-request-id"] = current_correlation_id()
        headers["x-forwarded-for"] = request.client.host if request.client else ""
        headers["x-authenticated-subject"] = caller.subject
        url = f"{base}{request.url.path}"
        if request.url.query:
            url += f"?{request.url.query}"
        try:
            upstream = await state["client"].request(request.method, url, headers=headers,
                                                     content=await request.body())
        except httpx.HTTPError as exc:
            log.error("upstream unavailable", url=url, error=str(exc))
            return JSONResponse(status_code=503, content=error_body("upstream_unavailable",
                                                                    "the service is not answering; retry shortly"),
                                headers={"Retry-After": "1"})
        out = {k: v for k, v in upstream.headers.items() if k.lower() in RETURNED_RESPONSE_HEADERS}
        return Response(content=upstream.content, status_code=upstream.status_code, headers=out)

    app.add_middleware(PlatformMiddleware, max_body_bytes=settings.max_body_bytes)
    return app
