"""`python -m gateway`: serve the public API on 127.0.0.1:8080."""

import uvicorn

from .app import create_app
from .config import GatewaySettings


def main() -> None:
    settings = GatewaySettings()
    uvicorn.run(create_app(settings), host=settings.host, port=settings.port, log_config=None, access_log=False)


if __name__ == "__main__":
    main()
