"""Gateway settings (env prefix GATEWAY_): upstreams from the registry, its database, its limits."""

import os

from pydantic_settings import SettingsConfigDict

from naloxone_kernel.registry import GATEWAY_PORT, SERVICES
from naloxone_kernel.settings import ServiceSettings, default_database_url

GATEWAY_OPS_PORT = GATEWAY_PORT + 1


def dev_issuer_dir() -> str:
    """GATEWAY_DEV_ISSUER_DIR: the local development issuer's key directory, which turns on the
    dashboard's development sign-in (dashboard/dev.py). Read here, not as a settings field, so the
    deploy renderer never writes it into Compose or Kubernetes: only the local stack sets it."""
    return os.environ.get("GATEWAY_DEV_ISSUER_DIR", "")


class GatewaySettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="GATEWAY_", extra="ignore")

    service_name: str = "gateway"
    port: int = GATEWAY_PORT
    #: /readyz and /metrics: never on the public port.
    ops_port: int = GATEWAY_OPS_PORT

    # Downstream calls: connect and whole-call timeouts, pooled keep-alive connections.
    upstream_connect_timeout_seconds: float = 2.0
    upstream_timeout_seconds: float = 10.0
    upstream_connections: int = 256

    # Per-client rate limits (token buckets): an authenticated caller by subject, and
    # requests that fail authentication by client address.
    rate_per_second: float = 200.0
    rate_burst: int = 400
    auth_failures_per_second: float = 20.0
    auth_failure_burst: int = 1000

    # What a client may send: header count and size, URL length, and how long it may take.
    max_headers: int = 64
    max_header_bytes: int = 16 * 1024
    max_url_bytes: int = 4096
    header_timeout_seconds: float = 10.0
    body_timeout_seconds: float = 30.0
    keep_alive_seconds: float = 5.0
    max_connections: int = 2048
    #: Maximum JSON nesting in a request body.
    max_json_depth: int = 32

    #: How long a verified token's identity is cached (never past its exp).
    token_cache_seconds: float = 60.0
    #: How often other gateway instances' agreement and grant changes are picked up.
    policy_refresh_seconds: float = 1.0

    def model_post_init(self, _context) -> None:
        if not self.database_url:
            self.database_url = default_database_url("gateway")

    def upstreams(self) -> dict[str, str]:
        """Each service's base URL: GATEWAY_<SERVICE>_URL, else its registry port on this host."""
        return {
            entry.name: os.environ.get(f"GATEWAY_{entry.name.upper()}_URL",
                                       f"http://127.0.0.1:{entry.port('api')}")
            for entry in SERVICES
        }
