"""The dashboard: static files (HTML, CSS, JavaScript) served by the gateway at /dashboard, and
the chart library it draws with, Apache ECharts, at /dashboard/vendor/echarts.min.js. That file
is built, not committed: `make dashboard` (run by `make up` and `make test`) copies it from
gateway/dashboard-web's npm lock file into static/vendor/; the Dockerfile does the same in a node
stage. The files are public and hold no data: the page asks the public API for everything with
the bearer token its user pastes (or that `naloxctl token` prints), so it sees exactly what that
token may see. On the local stack only, a development sign-in picker mints that token (see
dashboard/dev.py; off unless GATEWAY_DEV_ISSUER_DIR is set).

A strict Content-Security-Policy: scripts, styles and requests only from this origin, no
inline script or style, no framing, no plugins. ECharts draws on a canvas and styles its own
elements through the CSSOM (element.style), which the policy does not govern, so it needs no
'unsafe-inline'.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import FileResponse, Response
from naloxone_kernel.auth import DevIssuer

from .dev import mount_dev_signin

STATIC = Path(__file__).with_name("static")
VENDOR = STATIC / "vendor"
CONTENT_SECURITY_POLICY = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
                           "connect-src 'self'; font-src 'self'; base-uri 'none'; form-action 'none'; "
                           "frame-ancestors 'none'")
HEADERS = {"Content-Security-Policy": CONTENT_SECURITY_POLICY, "X-Frame-Options": "DENY",
           "Referrer-Policy": "no-referrer", "Cross-Origin-Opener-Policy": "same-origin"}
TYPES = {".html": "text/html; charset=utf-8", ".js": "text/javascript; charset=utf-8",
         ".css": "text/css; charset=utf-8", ".svg": "image/svg+xml", ".json": "application/json"}
#: The files served, by name (nothing else under the folder is reachable).
FILES = {p.name: p for p in STATIC.iterdir() if p.is_file() and p.suffix in TYPES}
#: The built files, by name: looked up when asked for, so a build after the gateway started is served.
BUILT = {"echarts.min.js": VENDOR / "echarts.min.js"}
NOT_FOUND = b'{"error":"not_found","message":"no such dashboard file"}'
NOT_BUILT = (b'{"error":"not_found","message":"the dashboard was not built: run `make dashboard` '
             b'(npm ci and npm run build in gateway/dashboard-web)"}')


def mount_dashboard(api: FastAPI, dev_issuer: DevIssuer | None = None) -> None:
    """/dashboard (the page; the gateway refuses trailing slashes), /dashboard/<file>,
    /dashboard/vendor/<built file>, and /dashboard/dev/... (development sign-in, 404 without
    `dev_issuer`)."""

    def serve(path: Path | None, missing: bytes = NOT_FOUND) -> Response:
        if path is None or not path.is_file():
            return Response(status_code=404, content=missing, media_type="application/json", headers=HEADERS)
        return FileResponse(path, media_type=TYPES[path.suffix], headers=HEADERS)

    @api.get("/dashboard", include_in_schema=False)
    async def dashboard() -> Response:
        return serve(FILES.get("index.html"))

    @api.get("/dashboard/{name}", include_in_schema=False)
    async def dashboard_file(name: str) -> Response:
        return serve(FILES.get(name))

    @api.get("/dashboard/vendor/{name}", include_in_schema=False)
    async def dashboard_built_file(name: str) -> Response:
        path = BUILT.get(name)
        return serve(path, NOT_BUILT if path is not None else NOT_FOUND)

    mount_dev_signin(api, dev_issuer, HEADERS)
