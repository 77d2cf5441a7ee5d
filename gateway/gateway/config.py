"""Gateway settings (env prefix GATEWAY_): where each domain's service listens."""

from pydantic_settings import SettingsConfigDict

from naloxone_kernel.settings import ServiceSettings


class GatewaySettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="GATEWAY_", extra="ignore")

    service_name: str = "gateway"
    port: int = 8080
    database_url: str = "unused"  # the gateway keeps no state of its own yet
    training_url: str = "http://127.0.0.1:8101"
    upstream_timeout_seconds: float = 10.0

    def upstreams(self) -> dict[str, str]:
        return {"training": self.training_url}
