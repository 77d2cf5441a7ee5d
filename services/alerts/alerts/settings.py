"""Alerts' own options, on top of the kit's (env prefix ALERTS_).

The webhook signing key is a secret: every subscription's signing secret is derived from
it, so it is refused at start-up outside development while it is the development default.
"""

from pydantic import model_validator

from naloxone_kernel.settings import ServiceProcessSettings

DEV_WEBHOOK_SIGNING_SECRET = "naloxone-dev-webhook-signing-key-not-for-production"
MIN_KEY_BYTES = 32


class AlertsSettings(ServiceProcessSettings):
    #: Derives each webhook subscription's HMAC secret (never logged, never stored).
    webhook_signing_secret: str = DEV_WEBHOOK_SIGNING_SECRET
    #: Plain http:// endpoints (e.g. a receiver on this machine); only https:// unless allowed.
    #: Unset: allowed in development only.
    webhook_allow_http: bool | None = None
    webhook_timeout_seconds: float = 10.0
    #: Retries wait base, 2 base, 4 base ... seconds, at most the max, up to the last attempt.
    webhook_retry_base_seconds: float = 5.0
    webhook_retry_max_seconds: float = 3600.0
    webhook_max_attempts: int = 20
    #: The longest an idle sender waits before looking again (it wakes for new deliveries and due retries).
    webhook_poll_seconds: float = 5.0
    #: Deliveries sent at once.
    webhook_concurrency: int = 8

    @model_validator(mode="after")
    def _refuse_dev_key(self) -> "AlertsSettings":
        if len(self.webhook_signing_secret.encode()) < MIN_KEY_BYTES:
            raise ValueError(f"webhook_signing_secret must be at least {MIN_KEY_BYTES} bytes")
        if self.environment != "development" and self.webhook_signing_secret == DEV_WEBHOOK_SIGNING_SECRET:
            raise ValueError(f"{self.service_name}: webhook_signing_secret is the development key; "
                             "set a real secret outside development")
        if self.webhook_max_attempts < 1 or self.webhook_concurrency < 1:
            raise ValueError("webhook_max_attempts and webhook_concurrency are at least 1")
        return self

    @property
    def allows_http_webhooks(self) -> bool:
        return self.environment == "development" if self.webhook_allow_http is None else self.webhook_allow_http
