"""Settings shared by every service: pydantic-settings, one env prefix per service.

Development defaults make `make up` work on a laptop; outside development a default
secret is refused at start-up so a misconfigured deployment fails loudly, not quietly.
"""

from __future__ import annotations

import os
from functools import cache
from pathlib import Path
from urllib.parse import urlsplit

from typing import ClassVar

from pydantic import model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEV_DB_PASSWORD = "naloxone-dev"
DEFAULT_STATE_DIR = "/var/tmp/naloxone-local"


def state_dir() -> Path:
    """Where local servers, dev keys, logs and pid files live (NALOX_STATE_DIR)."""
    return Path(os.environ.get("NALOX_STATE_DIR", DEFAULT_STATE_DIR))


def default_database_url(database: str) -> str:
    port = os.environ.get("NALOX_PG_PORT", "54329")
    return f"postgresql://naloxone:{DEV_DB_PASSWORD}@127.0.0.1:{port}/{database}"


def default_kafka_bootstrap() -> str:
    return f"127.0.0.1:{os.environ.get('NALOX_KAFKA_PORT', '19092')}"


class ServiceSettings(BaseSettings):
    """Base for a service's settings; subclasses set `model_config` with their own env prefix."""

    model_config = SettingsConfigDict(extra="ignore")
    #: False for processes that keep no state of their own (the gateway, for now).
    uses_database: ClassVar[bool] = True

    environment: str = "development"
    service_name: str = "service"
    database_url: str = ""
    kafka_bootstrap: str = ""
    # Prepended to every topic name; lets a test run or a staging copy share one broker
    # without touching the contract topic names. Empty in production.
    topic_prefix: str = ""
    host: str = "127.0.0.1"
    port: int = 8000
    log_level: str = "INFO"
    max_body_bytes: int = 64 * 1024
    # Token verification: a JWKS document, from a file (development issuer) or a URL.
    jwks_path: str = ""
    jwks_url: str = ""
    token_issuer: str = "naloxone-dev-issuer"
    token_audience: str = "naloxone-platform"

    @model_validator(mode="after")
    def _fill_and_refuse_dev_secrets(self) -> "ServiceSettings":
        if not self.kafka_bootstrap:
            self.kafka_bootstrap = default_kafka_bootstrap()
        if not self.jwks_path and not self.jwks_url:
            self.jwks_path = str(state_dir() / "dev-issuer" / "jwks.json")
        if self.environment != "development":
            password = urlsplit(self.database_url).password if self.database_url else DEV_DB_PASSWORD
            if self.uses_database and (password == DEV_DB_PASSWORD or not self.database_url):
                raise ValueError(
                    f"{self.service_name}: database_url uses the development password; "
                    "set a real secret outside development"
                )
            if self.token_issuer == "naloxone-dev-issuer":
                raise ValueError(
                    f"{self.service_name}: token_issuer is the development issuer; "
                    "set the real issuer outside development"
                )
        return self

    def topic(self, name: str) -> str:
        return f"{self.topic_prefix}{name}"


class ServiceProcessSettings(ServiceSettings):
    """A registered service's settings: defaults (database, ports, topic) from its registry row.

    Built per service by `settings_for`, with the env prefix `<NAME>_`; a service with
    options of its own subclasses this and passes its class to `settings_for`.
    """

    relay_ops_port: int = 0
    projector_ops_port: int = 0
    reactor_ops_port: int = 0
    egress_ops_port: int = 0
    inbound_ops_port: int = 0
    worker_ops_port: int = 0
    events_topic_name: str = ""

    def fingerprint_key(self) -> bytes:
        """The key of request fingerprints (see http.request_fingerprint): none unless the
        service holds personal data."""
        return b""

    @model_validator(mode="before")
    @classmethod
    def _registry_defaults(cls, data):
        from .registry import service

        if not isinstance(data, dict):
            return data
        entry = service(cls.model_fields["service_name"].default)
        if not data.get("database_url"):
            data["database_url"] = default_database_url(entry.database)
        for kind, key in (("api", "port"), ("relay", "relay_ops_port"), ("projector", "projector_ops_port"),
                          ("reactor", "reactor_ops_port"), ("egress", "egress_ops_port"),
                          ("inbound", "inbound_ops_port"), ("worker", "worker_ops_port")):
            if data.get(key) in (None, "", 0):
                data[key] = entry.port(kind)
        data["events_topic_name"] = entry.topic
        return data

    @property
    def events_topic(self) -> str:
        return self.topic(self.events_topic_name)

    def port_of(self, kind: str) -> int:
        return self.port if kind == "api" else getattr(self, f"{kind}_ops_port")


@cache
def _settings_class(name: str, base: type[ServiceProcessSettings]) -> type[ServiceProcessSettings]:
    return type(f"{name.title()}Settings", (base,), {
        "__annotations__": {"service_name": str},
        "service_name": name,
        "model_config": SettingsConfigDict(env_prefix=f"{name.upper()}_", extra="ignore", populate_by_name=True),
    })


def settings_for(name: str, base: type[ServiceProcessSettings] = ServiceProcessSettings) -> ServiceProcessSettings:
    """The settings of the registered service `name`, read from `<NAME>_*` environment variables now."""
    return _settings_class(name, base)()
