"""Webhook deliveries of alerts: signed like Stripe's, retried with exponential backoff, never in the way.

Two loops in the alerts `worker` process, neither of which the detection (the reactor)
ever waits for:

1. `WebhookDeliveries`, a consumer of the alerts topic on the kernel's projector runner
   (exactly once): each OverdoseSpikeDetected and OverdoseSpikeSubsided becomes one
   delivery row per webhook subscribed at that point of the force's stream (subscriptions
   and alerts share one stream per force, so the order is exact). The delivery id is
   derived from the subscription and the event, so a redelivered event or a consumer
   starting afresh adds nothing.
2. `WebhookSender` claims due rows (a lease, so a crash mid-call only delays a retry),
   POSTs them and records the answer. A 2xx is delivered; anything else (a 500, a
   timeout, a refused connection) is retried after base * 2^(attempt-1) seconds, capped,
   until `webhook_max_attempts`, then abandoned (visible in the deliveries route).
   Each alert event reaches each subscriber once when it answers 2xx; a crash between
   its 2xx and the record of it can repeat one delivery, with the same delivery id.

Signing (verify it as Stripe's and GitHub's are verified):

    Naloxone-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>." + raw body)>
    Naloxone-Timestamp: <the same t>
    Naloxone-Delivery:  <delivery id: dedupe on it>
    Naloxone-Event:     naloxone.alerts.v1.OverdoseSpikeDetected | ...Subsided

A receiver recomputes the HMAC over the raw bytes it received with its secret,
compares in constant time with v1, and refuses a t more than five minutes from its own
clock (a replayed delivery); see `verify`. Each subscription's secret is derived from
the service's signing key (ALERTS_WEBHOOK_SIGNING_SECRET, a setting) and the subscription
id: nothing secret is stored in the database, an event or a log line. A force admin
reads it from `GET alerts/webhooks/{id}/secret`; revoking and subscribing again rotates it.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
import random
import time
from typing import Sequence
from urllib.parse import urlsplit
from uuid import UUID, uuid5

import aiohttp
import asyncpg
from google.protobuf.json_format import MessageToDict
from naloxone.alerts.v1 import events_pb2 as pb
from naloxone.contracts import TOPICS
from naloxone_kernel.contract_values import from_timestamp
from naloxone_kernel.db import create_pool
from naloxone_kernel.logging import get_logger
from naloxone_kernel.projector import ProjectedEvent, ProjectorRunner, create_schema
from naloxone_kernel.workers import WorkerGroup
from prometheus_client import Counter, Gauge

from ..domain.early_warning import NAMESPACE

log = get_logger("webhooks")

SIGNATURE_HEADER = "Naloxone-Signature"
TIMESTAMP_HEADER = "Naloxone-Timestamp"
DELIVERY_HEADER = "Naloxone-Delivery"
EVENT_HEADER = "Naloxone-Event"
#: How far a receiver should let a signature's timestamp be from its own clock.
TOLERANCE_SECONDS = 300
#: The events delivered: the alerts themselves (thresholds and counting stay on Kafka).
DELIVERED = (pb.OverdoseSpikeDetected, pb.OverdoseSpikeSubsided)

DELIVERIES = Counter("webhook_deliveries_total", "Webhook delivery attempts by outcome", ["outcome"])
BACKLOG = Gauge("webhook_deliveries_pending", "Webhook deliveries not yet delivered or abandoned")


# --- signing ------------------------------------------------------------------------------

def webhook_secret(signing_key: str, subscription_id: UUID | str) -> str:
    """A subscription's signing secret, derived (never stored) from the service's key."""
    digest = hmac.new(signing_key.encode(), f"naloxone-alerts-webhook/{subscription_id}".encode(),
                      hashlib.sha256).digest()
    return "whsec_" + base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def signature(secret: str, timestamp: int, body: bytes) -> str:
    """The Naloxone-Signature header value for a body sent at `timestamp` (unix seconds)."""
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={mac}"


def verify(secret: str, header: str, body: bytes, *, now: float | None = None,
           tolerance: int = TOLERANCE_SECONDS) -> bool:
    """What a receiver does: the v1 HMAC over "t." + the raw body matches, and t is recent."""
    parts: dict[str, list[str]] = {}
    for item in header.split(","):
        key, _, value = item.strip().partition("=")
        parts.setdefault(key, []).append(value)
    try:
        timestamp = int(parts["t"][0])
    except (KeyError, ValueError):
        return False
    if abs((time.time() if now is None else now) - timestamp) > tolerance:
        return False
    expected = signature(secret, timestamp, body).rsplit("v1=", 1)[1]
    return any(hmac.compare_digest(expected, candidate) for candidate in parts.get("v1", []))


def delivery_id(subscription_id: UUID | str, event_id: UUID | str) -> UUID:
    return uuid5(NAMESPACE, f"delivery/{subscription_id}/{event_id}")


def delivery_body(delivery: UUID, item: ProjectedEvent) -> bytes:
    """The JSON a subscriber receives: the event's envelope fields and the alert in the contract's JSON form."""
    env = item.envelope
    return json.dumps({
        "delivery_id": str(delivery), "event_id": env.event_id, "event_type": env.event_type,
        "force_id": env.force_id, "aggregate_id": env.aggregate_id, "aggregate_version": env.aggregate_version,
        "recorded_at": from_timestamp(env.recorded_at).isoformat(),
        "alert": MessageToDict(item.payload, preserving_proto_field_name=True,
                               always_print_fields_with_no_presence=True),
    }, sort_keys=True, separators=(",", ":")).encode()


def backoff_seconds(attempts: int, base: float, cap: float) -> float:
    """How long to wait after the `attempts`-th failed attempt: base, 2 base, 4 base ... capped."""
    return min(cap, base * 2 ** max(0, attempts - 1))


# --- 1. alerts become delivery rows (exactly once) --------------------------------------------

class WebhookDeliveries:
    """A consumer of the alerts topic: the subscriptions as they stand at each alert, and one
    delivery row per subscription and alert event (in the alerts database's `webhook_deliveries`)."""

    name = "alerts_webhooks"
    topics = (TOPICS["alerts"],)

    def __init__(self, wake: asyncio.Event | None = None) -> None:
        self.wake = wake

    def ddl(self, schema: str) -> str:
        return f"""
        CREATE TABLE IF NOT EXISTS {schema}.subscriptions (
            subscription_id uuid PRIMARY KEY,
            force_id        text NOT NULL,
            url             text NOT NULL,
            active          boolean NOT NULL
        );
        CREATE INDEX IF NOT EXISTS subscriptions_by_force ON {schema}.subscriptions (force_id) WHERE active;
        """

    async def apply_batch(self, conn: asyncpg.Connection, schema: str, events: Sequence[ProjectedEvent]) -> None:
        added = 0
        for item in events:
            p = item.payload
            if isinstance(p, pb.WebhookSubscribed):
                await conn.execute(f"INSERT INTO {schema}.subscriptions VALUES ($1, $2, $3, true) "
                                   "ON CONFLICT (subscription_id) DO NOTHING",
                                   UUID(p.subscription_id), p.force_id, p.url)
            elif isinstance(p, pb.WebhookUnsubscribed):
                await conn.execute(f"UPDATE {schema}.subscriptions SET active = false WHERE subscription_id = $1",
                                   UUID(p.subscription_id))
            elif isinstance(p, DELIVERED):
                subscribers = await conn.fetch(
                    f"SELECT subscription_id, url FROM {schema}.subscriptions WHERE force_id = $1 AND active",
                    item.envelope.force_id)
                for s in subscribers:
                    delivery = delivery_id(s["subscription_id"], item.envelope.event_id)
                    await conn.execute(
                        """INSERT INTO webhook_deliveries (delivery_id, subscription_id, force_id, url, event_id,
                                                           event_type, body)
                           VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (delivery_id) DO NOTHING""",
                        delivery, s["subscription_id"], item.envelope.force_id, s["url"],
                        UUID(item.envelope.event_id), item.envelope.event_type, delivery_body(delivery, item))
                    added += 1
        if added and self.wake is not None:
            self.wake.set()  # the sender looks now (and again at its next poll, should it beat the commit)


# --- 2. the sender --------------------------------------------------------------------------

_CLAIM = """
UPDATE webhook_deliveries d SET attempts = d.attempts + 1, next_attempt_at = now() + make_interval(secs => $2)
FROM (SELECT delivery_id FROM webhook_deliveries
      WHERE delivered_at IS NULL AND abandoned_at IS NULL AND next_attempt_at <= now()
      ORDER BY next_attempt_at LIMIT $1 FOR UPDATE SKIP LOCKED) due
WHERE d.delivery_id = due.delivery_id
RETURNING d.delivery_id, d.subscription_id, d.url, d.event_type, d.body, d.attempts,
          coalesce((SELECT s.active FROM {schema}.subscriptions s WHERE s.subscription_id = d.subscription_id),
                   true) AS active
"""


class WebhookSender:
    """Sends due deliveries, a few at a time, and records each answer (see the module docstring)."""

    def __init__(self, settings, wake: asyncio.Event, *, schema: str = WebhookDeliveries.name) -> None:
        self.settings = settings
        self.wake = wake
        self.schema = schema
        self.ready = False
        self._stopping = asyncio.Event()

    def stop(self) -> None:
        self._stopping.set()
        self.wake.set()

    async def run(self) -> None:
        s = self.settings
        pool = await create_pool(s.database_url, min_size=1, max_size=4)
        async with pool.acquire() as conn:  # the consumer beside it may not have made its tables yet
            await create_schema(conn, WebhookDeliveries(), self.schema)
        timeout = aiohttp.ClientTimeout(total=s.webhook_timeout_seconds,
                                        sock_connect=min(5.0, s.webhook_timeout_seconds))
        session = aiohttp.ClientSession(timeout=timeout, headers={"User-Agent": "naloxone-alerts-webhooks/1"})
        self.ready = True
        log.info("webhook sender running", concurrency=s.webhook_concurrency)
        try:
            last_backlog, woken = 0.0, False
            while not self._stopping.is_set():
                self.wake.clear()
                sent = await self.send_due(pool, session)
                if time.monotonic() - last_backlog > 5.0:
                    BACKLOG.set(await pool.fetchval("SELECT count(*) FROM webhook_deliveries "
                                                    "WHERE delivered_at IS NULL AND abandoned_at IS NULL"))
                    last_backlog = time.monotonic()
                if sent:
                    continue
                # Idle: sleep until the next retry is due, a new delivery wakes us, or the poll. A wake
                # may come before the consumer's commit is visible: then look once more shortly after.
                wait = 0.2 if woken else min(s.webhook_poll_seconds, await self._until_next_due(pool))
                try:
                    await asyncio.wait_for(self.wake.wait(), max(0.05, wait))
                    woken = True
                except TimeoutError:
                    woken = False
        finally:
            self.ready = False
            await session.close()
            await pool.close()

    @staticmethod
    async def _until_next_due(pool: asyncpg.Pool) -> float:
        seconds = await pool.fetchval(
            "SELECT extract(epoch FROM min(next_attempt_at) - now()) FROM webhook_deliveries "
            "WHERE delivered_at IS NULL AND abandoned_at IS NULL")
        return float("inf") if seconds is None else float(seconds)

    async def send_due(self, pool: asyncpg.Pool, session: aiohttp.ClientSession) -> int:
        s = self.settings
        lease = s.webhook_timeout_seconds + 30
        rows = await pool.fetch(_CLAIM.format(schema=self.schema), s.webhook_concurrency, lease)
        if rows:
            await asyncio.gather(*(self._deliver(pool, session, row) for row in rows))
        return len(rows)

    async def _deliver(self, pool: asyncpg.Pool, session: aiohttp.ClientSession, row) -> None:
        s = self.settings
        where = {"delivery_id": str(row["delivery_id"]), "subscription_id": str(row["subscription_id"]),
                 "event_type": row["event_type"], "attempt": row["attempts"], "host": urlsplit(row["url"]).hostname}
        if not row["active"]:
            await pool.execute("UPDATE webhook_deliveries SET abandoned_at = now(), last_error = $2 "
                               "WHERE delivery_id = $1", row["delivery_id"], "subscription revoked")
            DELIVERIES.labels("revoked").inc()
            log.info("webhook delivery dropped: subscription revoked", **where)
            return
        body = bytes(row["body"])
        timestamp = int(time.time())
        headers = {"Content-Type": "application/json", SIGNATURE_HEADER: signature(
            webhook_secret(s.webhook_signing_secret, row["subscription_id"]), timestamp, body),
            TIMESTAMP_HEADER: str(timestamp), DELIVERY_HEADER: str(row["delivery_id"]),
            EVENT_HEADER: row["event_type"]}
        status, error = None, None
        try:
            async with session.post(row["url"], data=body, headers=headers, allow_redirects=False) as response:
                status = response.status
                await response.read()
        except (aiohttp.ClientError, TimeoutError, OSError) as exc:
            error = type(exc).__name__
        if status is not None and 200 <= status < 300:
            await pool.execute("UPDATE webhook_deliveries SET delivered_at = now(), last_status = $2, "
                               "last_error = NULL WHERE delivery_id = $1", row["delivery_id"], status)
            DELIVERIES.labels("delivered").inc()
            log.info("webhook delivered", status=status, **where)
            return
        reason = error or f"HTTP {status}"
        if row["attempts"] >= s.webhook_max_attempts:
            await pool.execute("UPDATE webhook_deliveries SET abandoned_at = now(), last_status = $2, last_error = $3 "
                               "WHERE delivery_id = $1", row["delivery_id"], status, reason)
            DELIVERIES.labels("abandoned").inc()
            log.warning("webhook delivery abandoned after its last attempt", reason=reason, **where)
            return
        wait = backoff_seconds(row["attempts"], s.webhook_retry_base_seconds, s.webhook_retry_max_seconds)
        wait *= random.uniform(0.9, 1.1)  # a little jitter: many endpoints down together do not retry in step
        await pool.execute("UPDATE webhook_deliveries SET next_attempt_at = now() + make_interval(secs => $2), "
                           "last_status = $3, last_error = $4 WHERE delivery_id = $1",
                           row["delivery_id"], wait, status, reason)
        DELIVERIES.labels("retry").inc()
        log.warning("webhook delivery failed; will retry", reason=reason, retry_in_seconds=round(wait, 1), **where)


def webhook_worker(settings) -> WorkerGroup:
    """The alerts `worker` process: the delivery consumer and the sender, side by side."""
    wake = asyncio.Event()
    consumer = ProjectorRunner(WebhookDeliveries(wake), settings.database_url, settings.kafka_bootstrap,
                               topic_prefix=settings.topic_prefix,
                               group_id=f"{settings.topic_prefix}alerts.worker.{WebhookDeliveries.name}")
    return WorkerGroup([consumer, WebhookSender(settings, wake)])
