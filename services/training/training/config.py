"""Training service settings (env prefix TRAINING_)."""

from pydantic import model_validator
from pydantic_settings import SettingsConfigDict

from naloxone_kernel.settings import ServiceSettings, default_database_url

EVENTS_TOPIC = "naloxone.training.events.v1"


class TrainingSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="TRAINING_", extra="ignore")

    service_name: str = "training"
    port: int = 8101
    relay_ops_port: int = 8102
    projector_ops_port: int = 8103

    @model_validator(mode="before")
    @classmethod
    def _default_database(cls, data):
        if isinstance(data, dict) and not data.get("database_url"):
            data["database_url"] = default_database_url("training")
        return data

    @property
    def events_topic(self) -> str:
        return self.topic(EVENTS_TOPIC)
