"""The alerts HTTP API under /v1/forces/{force_id}/alerts: alert history, thresholds, webhooks, the summary.

Alerts are raised by the reactor from incidents' administrations, never through this API;
here a force reads its alerts (open or closed, newest first), its force admin sets the
thresholds and subscribes webhook endpoints, and analytics roles read the monthly summary.
"""

from datetime import UTC, date, datetime
from typing import Annotated, Literal
from uuid import UUID, uuid4

from fastapi import APIRouter, Depends, Query
from naloxone_kernel.domain import InvalidValue, NotFound
from naloxone_kernel.http import page
from naloxone_kernel.service import Command, Kit, ServiceParts, force_scope, respond
from naloxone_kernel.schemas import MONTH_PATTERN

from ..adapters.contracts import to_proto
from ..adapters.webhooks import DELIVERY_HEADER, SIGNATURE_HEADER, TIMESTAMP_HEADER, webhook_secret, webhook_worker
from ..application import handlers as h
from ..application.jobs import JOBS
from ..application.reactions import REACTIONS
from ..domain import ALERT_EVENTS, AREA_CODE, SpikePolicy
from ..projections import AlertsQueries, AlertsReadModel
from ..settings import AlertsSettings
from .schemas import ThresholdsBody, WebhookBody

#: Early warning is for the force's own people on the street as much as its leads.
READERS = frozenset({"officer", "custody", "trainer", "force_admin", "auditor"})
ADMINS = frozenset({"force_admin"})
WEBHOOK_READERS = frozenset({"force_admin", "auditor"})
#: Aggregates (analytics): not for submit-only roles (officer, custody, partner), as the gateway rules.
SUMMARY_READERS = frozenset({"force_admin", "trainer", "auditor", "national_lead"})

ReadForce = Annotated[str, Depends(force_scope(READERS))]
AdminForce = Annotated[str, Depends(force_scope(ADMINS))]
WebhookForce = Annotated[str, Depends(force_scope(WEBHOOK_READERS))]
SummaryForce = Annotated[str, Depends(force_scope(SUMMARY_READERS))]
Limit = Annotated[int, Query(ge=1, le=500)]
Month = Annotated[str | None, Query(pattern=MONTH_PATTERN)]

router = APIRouter()


def _webhook_location(force_id: str, subscription_id) -> str:
    return f"/v1/forces/{force_id}/alerts/webhooks/{subscription_id}"


# --- thresholds --------------------------------------------------------------------------

@router.put("/v1/forces/{force_id}/alerts/thresholds", tags=["commands"])
async def set_thresholds(force_id: AdminForce, body: ThresholdsBody, ctx: Command, kit: Kit):
    """Set the force's spike thresholds (replacing the previous ones): a threshold per area, a default for
    the others (or none), the neighbour map (symmetric), the window and the grace period for late records.
    They apply to spikes that administrations counted from now on take part in."""
    policy = SpikePolicy.of(window_hours=body.window_hours, default_threshold=body.default_threshold,
                            area_thresholds=body.areas, neighbours=body.neighbours,
                            grace_minutes=body.grace_minutes)
    result = await kit.runner.run(ctx, h.set_thresholds(h.SetThresholds(force_id=force_id, policy=policy,
                                                                         now=datetime.now(UTC))))
    return respond(result, created=200, location=f"/v1/forces/{force_id}/alerts/thresholds")


@router.get("/v1/forces/{force_id}/alerts/thresholds", tags=["queries"])
async def get_thresholds(force_id: ReadForce, kit: Kit):
    """The force's spike thresholds as last set (nothing is watched until a force admin sets some)."""
    found = await kit.queries.thresholds(force_id)
    return {"force_id": force_id, "configured": found is not None,
            **(found or h.thresholds_body(None) | {"set_at": None})}


# --- webhooks ----------------------------------------------------------------------------

@router.post("/v1/forces/{force_id}/alerts/webhooks", status_code=201, tags=["commands"])
async def subscribe_webhook(force_id: AdminForce, body: WebhookBody, ctx: Command, kit: Kit):
    """Subscribe an endpoint to the force's alerts: every OverdoseSpikeDetected and OverdoseSpikeSubsided is
    POSTed to it as JSON, signed (Naloxone-Signature: t=...,v1=HMAC-SHA256 of "t." and the raw body), and
    retried with exponential backoff until it answers 2xx. Read the signing secret from `.../secret`."""
    if body.url.scheme != "https" and not kit.settings.allows_http_webhooks:
        raise InvalidValue("the URL must be https:// (plain http is allowed in development only)", field="body.url")
    result = await kit.runner.run(ctx, h.subscribe(h.SubscribeWebhook(
        force_id=force_id, subscription_id=uuid4(), url=str(body.url), now=datetime.now(UTC))))
    # a new subscription resource, though it is one more event in the force's stream
    return respond(result, changed=201, location=_webhook_location(force_id, result.body["subscription_id"]))


@router.post("/v1/forces/{force_id}/alerts/webhooks/{subscription_id}/revocation", tags=["commands"])
async def revoke_webhook(force_id: AdminForce, subscription_id: UUID, ctx: Command, kit: Kit):
    """Revoke a subscription: deliveries not yet made to it are dropped."""
    result = await kit.runner.run(ctx, h.unsubscribe(h.UnsubscribeWebhook(
        force_id=force_id, subscription_id=subscription_id, now=datetime.now(UTC))))
    return respond(result, location=_webhook_location(force_id, subscription_id))


@router.get("/v1/forces/{force_id}/alerts/webhooks", tags=["queries"])
async def list_webhooks(force_id: WebhookForce, kit: Kit):
    """The force's webhook subscriptions (never their secrets), with how their deliveries stand."""
    stats = await kit.queries.delivery_counts(force_id)
    return {"items": [w | {"deliveries": stats.get(w["subscription_id"], {})}
                      for w in await kit.queries.webhooks(force_id)]}


@router.get("/v1/forces/{force_id}/alerts/webhooks/{subscription_id}/secret", tags=["queries"])
async def webhook_signing_secret(force_id: AdminForce, subscription_id: UUID, kit: Kit):
    """The subscription's signing secret, for the receiver to verify deliveries with (force admins only)."""
    if not await kit.queries.subscribed(force_id, subscription_id):
        raise NotFound("webhook subscription", subscription_id, force_id)
    return {"subscription_id": str(subscription_id),
            "secret": webhook_secret(kit.settings.webhook_signing_secret, subscription_id),
            "signature_header": SIGNATURE_HEADER, "timestamp_header": TIMESTAMP_HEADER,
            "delivery_header": DELIVERY_HEADER, "scheme": "v1=hex(HMAC-SHA256(secret, f'{t}.' + raw_body))"}


@router.get("/v1/forces/{force_id}/alerts/webhooks/{subscription_id}/deliveries", tags=["queries"])
async def webhook_deliveries(force_id: WebhookForce, subscription_id: UUID, kit: Kit, limit: Limit = 100,
                             after: UUID | None = None):
    """Deliveries to one subscription, newest first: delivered, waiting to be retried, or abandoned."""
    if await kit.queries.webhook(force_id, subscription_id) is None:
        raise NotFound("webhook subscription", subscription_id, force_id)
    items = await kit.queries.deliveries(force_id, subscription_id, limit=limit, after=after)
    return page(items, limit, "delivery_id")


# --- alerts ------------------------------------------------------------------------------

@router.get("/v1/forces/{force_id}/alerts/summary", tags=["queries"])
async def summary(force_id: SummaryForce, kit: Kit, since: Month = None, until: Month = None):
    """By UK month (of when the threshold was reached): alerts raised, still open, administrations counted in
    them, the busiest window, how long they lasted on average, and which areas."""
    months = await kit.queries.summary(force_id, since=date.fromisoformat(f"{since}-01") if since else None,
                                       until=date.fromisoformat(f"{until}-01") if until else None)
    return {"force_id": force_id, "months": months,
            "totals": {"alerts": sum(m["alerts"] for m in months), "open": sum(m["open"] for m in months)}}


@router.get("/v1/forces/{force_id}/alerts", tags=["queries"])
async def list_alerts(force_id: ReadForce, kit: Kit, limit: Limit = 100,
                      after: Annotated[UUID | None, Query(description="the last alert_id of the previous page")] = None,
                      status: Literal["open", "closed"] | None = None,
                      area: Annotated[str | None, Query(pattern=AREA_CODE.pattern)] = None):
    """Overdose spike alerts, newest first: the area, its neighbours counted, the threshold and window, the
    administrations that reached it, and once closed when it subsided and every administration it counted."""
    items = await kit.queries.alerts(force_id, status=status, area_code=area, limit=limit, after=after)
    return page(items, limit, "alert_id")


@router.get("/v1/forces/{force_id}/alerts/{alert_id}", tags=["queries"])
async def get_alert(force_id: ReadForce, alert_id: UUID, kit: Kit):
    found = await kit.queries.alert(force_id, alert_id)
    if found is None:
        raise NotFound("alert", alert_id, force_id)
    return found


service = ServiceParts(
    router=router,
    events=ALERT_EVENTS,
    to_proto=to_proto,
    read_models=(AlertsReadModel(),),
    queries=AlertsQueries,
    reactions=REACTIONS,
    jobs=JOBS,
    settings=AlertsSettings,
    worker=webhook_worker,
    description="Early warning of overdose spikes as ODMAP raises them: per-area thresholds over a sliding window "
                "(24 hours unless set), counting neighbouring areas, judged by when each administration happened. "
                "An alert is raised once per spike and closed once when it subsides; subscribers read them on the "
                "alerts topic or receive them by webhook, signed like Stripe's: header Naloxone-Signature: "
                "t=<unix seconds>,v1=<hex HMAC-SHA256(secret, '<t>.' + raw body)>; verify in constant time, refuse "
                "a t more than five minutes old, and dedupe on Naloxone-Delivery.",
)
