"""The dashboard: static files (HTML, CSS, JavaScript; no build step, nothing from elsewhere)
served by the gateway at /dashboard. The files are public and hold no data: the page asks
the public API for everything with the bearer token its user pastes (or that
`naloxctl token` prints), so it sees exactly what that token may see.

A strict Content-Security-Policy: scripts, styles and requests only from this origin, no
inline script or style, no framing, no plugins.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import FileResponse, Response

STATIC = Path(__file__).with_name("static")
CONTENT_SECURITY_POLICY = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
                           "connect-src 'self'; font-src 'self'; base-uri 'none'; form-action 'none'; "
                           "frame-ancestors 'none'")
HEADERS = {"Content-Security-Policy": CONTENT_SECURITY_POLICY, "X-Frame-Options": "DENY",
           "Referrer-Policy": "no-referrer", "Cross-Origin-Opener-Policy": "same-origin"}
TYPES = {".html": "text/html; charset=utf-8", ".js": "text/javascript; charset=utf-8",
         ".css": "text/css; charset=utf-8", ".svg": "image/svg+xml", ".json": "application/json"}
#: The files served, by name (nothing else under the folder is reachable).
FILES = {p.name: p for p in STATIC.iterdir() if p.is_file() and p.suffix in TYPES}


def mount_dashboard(api: FastAPI) -> None:
    """/dashboard (the page; the gateway refuses trailing slashes) and /dashboard/<file>."""

    def serve(name: str) -> Response:
        path = FILES.get(name)
        if path is None:
            return Response(status_code=404, content=b'{"error":"not_found","message":"no such dashboard file"}',
                            media_type="application/json", headers=HEADERS)
        return FileResponse(path, media_type=TYPES[path.suffix], headers=HEADERS)

    @api.get("/dashboard", include_in_schema=False)
    async def dashboard() -> Response:
        return serve("index.html")

    @api.get("/dashboard/{name}", include_in_schema=False)
    async def dashboard_file(name: str) -> Response:
        return serve(name)
