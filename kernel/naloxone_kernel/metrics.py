"""Prometheus metrics every process exposes on /metrics."""

from prometheus_client import Counter, Gauge, Histogram

HTTP_LATENCY = Histogram(
    "http_request_duration_seconds",
    "HTTP request latency by route",
    ["method", "route", "status"],
    buckets=(0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5),
)
OUTBOX_BACKLOG = Gauge("outbox_backlog_rows", "Outbox rows not yet published to Kafka")
RELAY_PUBLISHED = Counter("relay_published_events_total", "Events the relay published to Kafka")
RELAY_BATCH_SECONDS = Histogram("relay_batch_seconds", "Time to publish and mark one outbox batch")
PROJECTOR_APPLIED = Counter("projector_applied_events_total", "Events applied to read models", ["projector"])
PROJECTOR_DUPLICATES = Counter("projector_duplicate_events_total", "Redelivered events skipped", ["projector"])
CONSUMER_LAG = Gauge("consumer_lag_messages", "Messages between a consumer's position and the end", ["group", "topic", "partition"])
DENIALS = Counter("auth_denials_total", "Requests refused by authentication or authorisation", ["reason"])
