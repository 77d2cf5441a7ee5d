import pytest
from pydantic import ValidationError

from training.config import TrainingSettings


def test_development_defaults_work(monkeypatch):
    monkeypatch.delenv("TRAINING_DATABASE_URL", raising=False)
    settings = TrainingSettings()
    assert settings.database_url.endswith("/training")
    assert settings.events_topic == "naloxone.training.events.v1"


def test_default_secrets_are_refused_outside_development(monkeypatch):
    monkeypatch.setenv("TRAINING_ENVIRONMENT", "production")
    monkeypatch.delenv("TRAINING_DATABASE_URL", raising=False)
    with pytest.raises(ValidationError, match="development password"):
        TrainingSettings()


def test_real_secrets_are_accepted_outside_development(monkeypatch):
    monkeypatch.setenv("TRAINING_ENVIRONMENT", "production")
    monkeypatch.setenv("TRAINING_DATABASE_URL", "postgresql://svc:s3cret@db/training")
    monkeypatch.setenv("TRAINING_TOKEN_ISSUER", "https://idp.example.police.uk")
    assert TrainingSettings().environment == "production"
