"""Gateway settings (env prefix GATEWAY_): where each registered service's API listens."""

import os

from pydantic_settings import SettingsConfigDict

from naloxone_kernel.registry import GATEWAY_PORT, SERVICES
from naloxone_kernel.settings import ServiceSettings


class GatewaySettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="GATEWAY_", extra="ignore")
    uses_database = False  # the gateway keeps no state of its own yet

    service_name: str = "gateway"
    port: int = GATEWAY_PORT
    upstream_timeout_seconds: float = 10.0

    def upstreams(self) -> dict[str, str]:
        """Each service's base URL: GATEWAY_<SERVICE>_URL, else its registry port on this host."""
        return {
            entry.name: os.environ.get(f"GATEWAY_{entry.name.upper()}_URL",
                                       f"http://127.0.0.1:{entry.port('api')}")
            for entry in SERVICES
        }
