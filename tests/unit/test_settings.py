"""Settings come from the registry's row, overridden by <SERVICE>_* environment variables."""

import pytest
from pydantic import ValidationError

from naloxone_kernel.registry import SERVICES
from naloxone_kernel.settings import settings_for


@pytest.mark.parametrize("entry", SERVICES, ids=lambda e: e.name)
def test_development_defaults_come_from_the_registry(monkeypatch, entry):
    monkeypatch.delenv(f"{entry.env_prefix}DATABASE_URL", raising=False)
    monkeypatch.delenv(f"{entry.env_prefix}PORT", raising=False)
    settings = settings_for(entry.name)
    assert settings.database_url.endswith(f"/{entry.database}")
    assert settings.events_topic == entry.topic
    assert settings.port == entry.port("api") and settings.relay_ops_port == entry.port("relay")


def test_environment_overrides_the_registry(monkeypatch):
    monkeypatch.setenv("TRAINING_PORT", "9123")
    monkeypatch.setenv("TRAINING_TOPIC_PREFIX", "x.")
    settings = settings_for("training")
    assert settings.port == 9123 and settings.events_topic == "x.naloxone.training.events.v1"


def test_default_secrets_are_refused_outside_development(monkeypatch):
    monkeypatch.setenv("TRAINING_ENVIRONMENT", "production")
    monkeypatch.delenv("TRAINING_DATABASE_URL", raising=False)
    with pytest.raises(ValidationError, match="development password"):
        settings_for("training")


def test_real_secrets_are_accepted_outside_development(monkeypatch):
    monkeypatch.setenv("TRAINING_ENVIRONMENT", "production")
    monkeypatch.setenv("TRAINING_DATABASE_URL", "postgresql://svc:s3cret@db/training")
    monkeypatch.setenv("TRAINING_TOKEN_ISSUER", "https://idp.example.police.uk")
    assert settings_for("training").environment == "production"
