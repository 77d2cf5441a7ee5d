"""The alerts read model, built only from alerts' own public events (so it can be dropped and rebuilt).

`alerts_view`:
- `alerts`: one row per alert, open or closed, with the administrations of the window
  that raised it and, once closed, every administration it counted;
- `thresholds`: each force's spike thresholds as last set;
- `webhooks`: each force's webhook subscriptions (never their secrets).

Values come from the events alone (never from "now"); an alert's month is the UK
calendar month in which the count reached its threshold.
"""

from __future__ import annotations

import json
from datetime import date, datetime, timezone
from typing import Sequence
from uuid import UUID

import asyncpg
from naloxone.alerts.v1 import events_pb2 as pb
from naloxone.contracts import TOPICS
from naloxone_kernel.contract_values import from_timestamp
from naloxone_kernel.domain import UK
from naloxone_kernel.projector import ProjectedEvent
from naloxone_kernel.readmodel import row_json


def cases_json(cases) -> str:
    return json.dumps([{"administration_id": c.administration_id, "area_code": c.area_code,
                        "administered_at": from_timestamp(c.administered_at).isoformat()} for c in cases])


def _month(instant: datetime) -> date:
    return instant.astimezone(UK).date().replace(day=1)


class AlertsReadModel:
    name = "alerts_view"
    topics = (TOPICS["alerts"],)

    def ddl(self, schema: str) -> str:
        return f"""
        CREATE TABLE IF NOT EXISTS {schema}.alerts (
            alert_id                 uuid PRIMARY KEY,
            force_id                 text NOT NULL,
            area_code                text NOT NULL,
            neighbouring_area_codes  text[] NOT NULL,
            threshold                integer NOT NULL,
            window_hours             integer NOT NULL,
            grace_minutes            integer NOT NULL,
            window_start             timestamptz NOT NULL,
            window_end               timestamptz NOT NULL,
            detected_cases           jsonb NOT NULL,
            detected_administrations integer NOT NULL,
            detected_recorded_at     timestamptz NOT NULL,
            month                    date NOT NULL,
            status                   text NOT NULL,
            started_at               timestamptz NOT NULL,
            subsided_at              timestamptz,
            subsided_recorded_at     timestamptz,
            cases                    jsonb NOT NULL,
            administrations          integer NOT NULL,
            peak_administrations     integer NOT NULL
        );
        CREATE INDEX IF NOT EXISTS alerts_by_force ON {schema}.alerts (force_id, window_end DESC, alert_id DESC);
        CREATE INDEX IF NOT EXISTS alerts_open ON {schema}.alerts (force_id) WHERE status = 'open';
        CREATE TABLE IF NOT EXISTS {schema}.thresholds (
            force_id          text PRIMARY KEY,
            window_hours      integer NOT NULL,
            default_threshold integer,
            area_thresholds   jsonb NOT NULL,
            neighbours        jsonb NOT NULL,
            grace_minutes     integer NOT NULL,
            set_at            timestamptz NOT NULL
        );
        CREATE TABLE IF NOT EXISTS {schema}.webhooks (
            subscription_id uuid PRIMARY KEY,
            force_id        text NOT NULL,
            url             text NOT NULL,
            subscribed_at   timestamptz NOT NULL,
            unsubscribed_at timestamptz
        );
        """

    async def apply_batch(self, conn: asyncpg.Connection, schema: str, events: Sequence[ProjectedEvent]) -> None:
        for item in events:
            p, recorded_at = item.payload, item.envelope.recorded_at.ToDatetime(tzinfo=timezone.utc)
            if isinstance(p, pb.OverdoseSpikeDetected):
                started = from_timestamp(p.window_end)
                await conn.execute(
                    f"""INSERT INTO {schema}.alerts VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10::jsonb, $11,
                            $12, $13, 'open', $9, NULL, NULL, $10::jsonb, $11, $11)
                        ON CONFLICT (alert_id) DO NOTHING""",
                    UUID(p.alert_id), p.force_id, p.area_code, list(p.neighbouring_area_codes), p.threshold,
                    p.window_hours, p.grace_minutes, from_timestamp(p.window_start), started, cases_json(p.cases),
                    p.administrations, recorded_at, _month(started))
            elif isinstance(p, pb.OverdoseSpikeSubsided):
                await conn.execute(
                    f"""UPDATE {schema}.alerts SET status = 'closed', started_at = $2, subsided_at = $3,
                            subsided_recorded_at = $4, cases = $5::jsonb, administrations = $6,
                            peak_administrations = $7
                        WHERE alert_id = $1""",
                    UUID(p.alert_id), from_timestamp(p.started_at), from_timestamp(p.subsided_at), recorded_at,
                    cases_json(p.cases), p.administrations, p.peak_administrations)
            elif isinstance(p, pb.SpikeThresholdsSet):
                await conn.execute(
                    f"""INSERT INTO {schema}.thresholds VALUES ($1, $2, $3, $4::jsonb, $5::jsonb, $6, $7)
                        ON CONFLICT (force_id) DO UPDATE SET window_hours = EXCLUDED.window_hours,
                            default_threshold = EXCLUDED.default_threshold,
                            area_thresholds = EXCLUDED.area_thresholds, neighbours = EXCLUDED.neighbours,
                            grace_minutes = EXCLUDED.grace_minutes, set_at = EXCLUDED.set_at""",
                    p.force_id, p.window_hours, p.default_threshold or None,
                    json.dumps({t.area_code: t.threshold for t in p.area_thresholds}),
                    json.dumps({n.area_code: list(n.neighbour_area_codes) for n in p.neighbours}),
                    p.grace_minutes, from_timestamp(p.set_at))
            elif isinstance(p, pb.WebhookSubscribed):
                await conn.execute(
                    f"INSERT INTO {schema}.webhooks VALUES ($1, $2, $3, $4, NULL) ON CONFLICT DO NOTHING",
                    UUID(p.subscription_id), p.force_id, p.url, from_timestamp(p.subscribed_at))
            elif isinstance(p, pb.WebhookUnsubscribed):
                await conn.execute(f"UPDATE {schema}.webhooks SET unsubscribed_at = $2 WHERE subscription_id = $1",
                                   UUID(p.subscription_id), from_timestamp(p.unsubscribed_at))


# --- reading -----------------------------------------------------------------------------

def alert_json(row) -> dict:
    item = row_json({k: v for k, v in dict(row).items() if k not in ("detected_cases", "cases", "month")})
    item["detected_cases"] = json.loads(row["detected_cases"])
    item["cases"] = json.loads(row["cases"])
    return item


class AlertsQueries:
    """Reads for the API and the job, only from alerts' own schema, always scoped to one force."""

    def __init__(self, pool: asyncpg.Pool, *, schema: str = AlertsReadModel.name) -> None:
        self.pool = pool
        self.schema = schema

    async def alerts(self, force_id: str, *, status: str | None = None, area_code: str | None = None,
                     limit: int = 100, after: UUID | None = None) -> list[dict]:
        """Newest first (by when the threshold was reached); `after` is the last alert_id of the previous page."""
        rows = await self.pool.fetch(
            f"""SELECT * FROM {self.schema}.alerts
                WHERE force_id = $1 AND ($2::text IS NULL OR status = $2) AND ($3::text IS NULL OR area_code = $3)
                  AND ($4::uuid IS NULL OR (window_end, alert_id) < (
                        SELECT window_end, alert_id FROM {self.schema}.alerts WHERE alert_id = $4))
                ORDER BY window_end DESC, alert_id DESC LIMIT $5""",
            force_id, status, area_code, after, limit)
        return [alert_json(r) for r in rows]

    async def alert(self, force_id: str, alert_id: UUID) -> dict | None:
        row = await self.pool.fetchrow(f"SELECT * FROM {self.schema}.alerts WHERE force_id = $1 AND alert_id = $2",
                                       force_id, alert_id)
        return alert_json(row) if row else None

    async def thresholds(self, force_id: str) -> dict | None:
        row = await self.pool.fetchrow(f"SELECT * FROM {self.schema}.thresholds WHERE force_id = $1", force_id)
        if row is None:
            return None
        return {"window_hours": row["window_hours"], "default_threshold": row["default_threshold"],
                "areas": json.loads(row["area_thresholds"]), "neighbours": json.loads(row["neighbours"]),
                "grace_minutes": row["grace_minutes"], "set_at": row["set_at"].isoformat()}

    async def webhooks(self, force_id: str) -> list[dict]:
        rows = await self.pool.fetch(
            f"SELECT * FROM {self.schema}.webhooks WHERE force_id = $1 ORDER BY subscribed_at, subscription_id",
            force_id)
        return [row_json(r) | {"active": r["unsubscribed_at"] is None} for r in rows]

    async def webhook(self, force_id: str, subscription_id: UUID) -> dict | None:
        row = await self.pool.fetchrow(
            f"SELECT * FROM {self.schema}.webhooks WHERE force_id = $1 AND subscription_id = $2",
            force_id, subscription_id)
        return row_json(row) | {"active": row["unsubscribed_at"] is None} if row else None

    async def summary(self, force_id: str, *, since: date | None = None, until: date | None = None) -> list[dict]:
        """By UK calendar month: alerts raised, still open, administrations in them, by area, hours they lasted."""
        rows = await self.pool.fetch(
            f"""SELECT month, count(*) AS alerts, count(*) FILTER (WHERE status = 'open') AS open,
                       sum(administrations) AS administrations, max(peak_administrations) AS peak,
                       round(avg(extract(epoch FROM subsided_at - started_at) / 3600)
                             FILTER (WHERE status = 'closed')::numeric, 1)::float AS mean_hours
                FROM {self.schema}.alerts
                WHERE force_id = $1 AND ($2::date IS NULL OR month >= $2) AND ($3::date IS NULL OR month <= $3)
                GROUP BY month ORDER BY month""", force_id, since, until)
        areas = await self.pool.fetch(
            f"""SELECT month, area_code, count(*) AS n FROM {self.schema}.alerts
                WHERE force_id = $1 AND ($2::date IS NULL OR month >= $2) AND ($3::date IS NULL OR month <= $3)
                GROUP BY 1, 2""", force_id, since, until)
        return [{"month": r["month"].strftime("%Y-%m"), "alerts": r["alerts"], "open": r["open"],
                 "administrations": r["administrations"], "peak_administrations": r["peak"],
                 "mean_hours": r["mean_hours"],
                 "areas": {a["area_code"]: a["n"] for a in areas if a["month"] == r["month"]}} for r in rows]

    async def subscribed(self, force_id: str, subscription_id: UUID) -> bool:
        """Whether the subscription is active, from the event store itself (read your own writes: the
        force admin asks for the secret straight after subscribing, before the view has caught up)."""
        kinds = {r["event_type"] for r in await self.pool.fetch(
            """SELECT event_type FROM events WHERE force_id = $1 AND aggregate_type = 'EarlyWarning'
                 AND event_type IN ('WebhookSubscribed', 'WebhookUnsubscribed')
                 AND payload->>'subscription_id' = $2""", force_id, str(subscription_id))}
        return kinds == {"WebhookSubscribed"}

    # Deliveries live in the alerts database's own `webhook_deliveries` table (see adapters/webhooks.py).

    async def delivery_counts(self, force_id: str) -> dict[str, dict[str, int]]:
        rows = await self.pool.fetch(
            """SELECT subscription_id, count(*) FILTER (WHERE delivered_at IS NOT NULL) AS delivered,
                      count(*) FILTER (WHERE delivered_at IS NULL AND abandoned_at IS NULL) AS pending,
                      count(*) FILTER (WHERE abandoned_at IS NOT NULL) AS abandoned
               FROM webhook_deliveries WHERE force_id = $1 GROUP BY subscription_id""", force_id)
        return {str(r["subscription_id"]): {k: r[k] for k in ("delivered", "pending", "abandoned")} for r in rows}

    async def deliveries(self, force_id: str, subscription_id: UUID, *, limit: int = 100,
                         after: UUID | None = None) -> list[dict]:
        rows = await self.pool.fetch(
            """SELECT delivery_id, event_id, event_type, created_at, attempts, next_attempt_at, delivered_at,
                      abandoned_at, last_status, last_error
               FROM webhook_deliveries
               WHERE force_id = $1 AND subscription_id = $2
                 AND ($3::uuid IS NULL OR (created_at, delivery_id) < (
                       SELECT created_at, delivery_id FROM webhook_deliveries WHERE delivery_id = $3))
               ORDER BY created_at DESC, delivery_id DESC LIMIT $4""", force_id, subscription_id, after, limit)
        return [row_json(r) | {"status": "delivered" if r["delivered_at"] else
                               "abandoned" if r["abandoned_at"] else "pending"} for r in rows]

    async def forces_with_open_alerts(self) -> list[str]:
        return [r["force_id"] for r in await self.pool.fetch(
            f"SELECT DISTINCT force_id FROM {self.schema}.alerts WHERE status = 'open' ORDER BY force_id")]
