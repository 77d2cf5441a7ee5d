"""Webhook signing as a receiver checks it, the backoff schedule, and the delivery body."""

import json
import time
import uuid

import pytest
from pydantic import ValidationError

from alerts.adapters.webhooks import backoff_seconds, delivery_id, signature, verify, webhook_secret
from alerts.settings import AlertsSettings
from naloxone_kernel.settings import settings_for

SECRET = webhook_secret("a-signing-secret-of-at-least-32-bytes!!", uuid.UUID(int=7))
BODY = b'{"alert":{"area_code":"B1"}}'


def test_a_signature_verifies_over_the_raw_body_and_nothing_else():
    now = int(time.time())
    header = signature(SECRET, now, BODY)
    assert header.startswith(f"t={now},v1=") and verify(SECRET, header, BODY)
    assert not verify(SECRET, header, BODY + b" ")  # one byte more
    assert not verify(SECRET, header, json.dumps(json.loads(BODY)).encode())  # re-serialised is not the raw body
    assert not verify(webhook_secret("another-signing-secret-of-32-bytes!!", uuid.UUID(int=7)), header, BODY)
    assert not verify(SECRET, header.replace(f"t={now}", f"t={now + 1}"), BODY)  # the time is signed too
    assert not verify(SECRET, "v1=" + header.rsplit("v1=", 1)[1], BODY)  # no timestamp


def test_an_old_signature_is_refused_as_a_replay():
    header = signature(SECRET, int(time.time()) - 301, BODY)
    assert not verify(SECRET, header, BODY)
    assert verify(SECRET, header, BODY, tolerance=400)


def test_secrets_and_delivery_ids_are_derived_per_subscription():
    a, b = uuid.UUID(int=1), uuid.UUID(int=2)
    key = "a-signing-secret-of-at-least-32-bytes!!"
    assert webhook_secret(key, a) == webhook_secret(key, a) != webhook_secret(key, b)
    assert webhook_secret(key, a).startswith("whsec_")
    event = uuid.uuid4()
    assert delivery_id(a, event) == delivery_id(a, event) != delivery_id(b, event)


def test_retries_back_off_exponentially_to_a_cap():
    assert [backoff_seconds(n, 5, 3600) for n in range(1, 12)] == [
        5, 10, 20, 40, 80, 160, 320, 640, 1280, 2560, 3600]


def test_the_development_signing_secret_is_refused_outside_development(monkeypatch):
    monkeypatch.setenv("ALERTS_ENVIRONMENT", "production")
    monkeypatch.setenv("ALERTS_DATABASE_URL", "postgresql://svc:s3cret@db/alerts")
    monkeypatch.setenv("ALERTS_TOKEN_ISSUER", "https://idp.example.police.uk")
    with pytest.raises(ValidationError, match="webhook_signing_secret is the development"):
        settings_for("alerts", AlertsSettings)
    monkeypatch.setenv("ALERTS_WEBHOOK_SIGNING_SECRET", "a-real-secret-of-at-least-thirty-two-bytes")
    production = settings_for("alerts", AlertsSettings)
    assert not production.allows_http_webhooks  # https only outside development unless allowed
    monkeypatch.setenv("ALERTS_ENVIRONMENT", "development")
    assert settings_for("alerts", AlertsSettings).allows_http_webhooks
