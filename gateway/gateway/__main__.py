"""`python -m gateway`: the public API on GATEWAY_PORT (8080), /readyz and /metrics on GATEWAY_OPS_PORT (8081).

uvicorn with uvloop and httptools, and a protocol that bounds what a client may send and
how slowly (see gateway.protocol).
"""

import asyncio

import uvicorn

from naloxone_kernel.workers import QuietServer

from .app import create_app
from .config import GatewaySettings
from .protocol import LimitedHttpToolsProtocol


def main() -> None:
    settings = GatewaySettings()
    gateway = create_app(settings)
    protocol = LimitedHttpToolsProtocol.configured(
        max_headers=settings.max_headers, max_header_bytes=settings.max_header_bytes,
        max_url_bytes=settings.max_url_bytes, header_timeout=settings.header_timeout_seconds,
        body_timeout=settings.body_timeout_seconds)
    public = QuietServer(uvicorn.Config(
        gateway, host=settings.host, port=settings.port, log_config=None, access_log=False, loop="uvloop",
        http=protocol, timeout_keep_alive=int(settings.keep_alive_seconds), limit_concurrency=settings.max_connections,
        server_header=False, date_header=False, proxy_headers=False))
    ops = QuietServer(uvicorn.Config(
        gateway.ops, host=settings.host, port=settings.ops_port, log_config=None, access_log=False, loop="uvloop",
        http="httptools", lifespan="off", server_header=False))

    async def serve() -> None:
        ops_serving = asyncio.create_task(ops.serve())
        try:
            await public.serve()
        finally:
            ops.should_exit = True
            await ops_serving

    import uvloop

    uvloop.run(serve())


if __name__ == "__main__":
    main()
