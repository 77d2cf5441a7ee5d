"""Alerts' commands and the decisions they run: each loads the force's EarlyWarning and lets it decide."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from naloxone_kernel.commands import Decision, Session

from ..domain import EarlyWarning, SpikePolicy, early_warning_id


@dataclass(frozen=True)
class SetThresholds:
    force_id: str
    policy: SpikePolicy
    now: datetime


@dataclass(frozen=True)
class CountAdministration:
    force_id: str
    administration_id: UUID
    area_code: str
    administered_at: datetime
    incident_id: UUID | None = None


@dataclass(frozen=True)
class RecountAdministration:
    force_id: str
    administration_id: UUID
    area_code: str | None = None
    administered_at: datetime | None = None


@dataclass(frozen=True)
class CloseDueSpikes:
    force_id: str
    now: datetime


@dataclass(frozen=True)
class SubscribeWebhook:
    force_id: str
    subscription_id: UUID
    url: str
    now: datetime


@dataclass(frozen=True)
class UnsubscribeWebhook:
    force_id: str
    subscription_id: UUID
    now: datetime


async def _early_warning(session: Session, force_id: str) -> EarlyWarning:
    return await session.get(EarlyWarning, early_warning_id(force_id))


def thresholds_body(policy: SpikePolicy | None) -> dict:
    """The thresholds as the API shows them (None: the force has set none, nothing is watched)."""
    policy = policy or SpikePolicy()
    return {"window_hours": policy.window_hours, "default_threshold": policy.default_threshold,
            "areas": dict(policy.area_thresholds), "neighbours": {a: list(n) for a, n in policy.neighbours.items()},
            "grace_minutes": policy.grace_minutes}


def _alerts(warning: EarlyWarning) -> dict:
    """What a command changed, for its answer: the alerts its events raised or closed."""
    return {"alerts_detected": [str(e.alert_id) for e in warning.pending if e.event_type == "OverdoseSpikeDetected"],
            "alerts_subsided": [str(e.alert_id) for e in warning.pending if e.event_type == "OverdoseSpikeSubsided"]}


def set_thresholds(cmd: SetThresholds) -> Decision:
    async def decide(session: Session) -> dict:
        warning = await _early_warning(session, cmd.force_id)
        warning.set_thresholds(force_id=cmd.force_id, policy=cmd.policy, set_at=cmd.now)
        return {"force_id": cmd.force_id, **thresholds_body(warning.policy)}

    return decide


def count(cmd: CountAdministration) -> Decision:
    async def decide(session: Session) -> dict:
        warning = await _early_warning(session, cmd.force_id)
        warning.count(force_id=cmd.force_id, administration_id=cmd.administration_id, area_code=cmd.area_code,
                      administered_at=cmd.administered_at, incident_id=cmd.incident_id)
        return _alerts(warning)

    return decide


def recount(cmd: RecountAdministration) -> Decision:
    async def decide(session: Session) -> dict:
        warning = await _early_warning(session, cmd.force_id)
        warning.recount(administration_id=cmd.administration_id, area_code=cmd.area_code,
                        administered_at=cmd.administered_at)
        return _alerts(warning)

    return decide


def close_due(cmd: CloseDueSpikes) -> Decision:
    async def decide(session: Session) -> dict:
        warning = await _early_warning(session, cmd.force_id)
        warning.close_due(cmd.now)
        return _alerts(warning)

    return decide


def subscribe(cmd: SubscribeWebhook) -> Decision:
    async def decide(session: Session) -> dict:
        warning = await _early_warning(session, cmd.force_id)
        warning.subscribe(force_id=cmd.force_id, subscription_id=cmd.subscription_id, url=cmd.url,
                          subscribed_at=cmd.now)
        return {"subscription_id": str(cmd.subscription_id), "url": cmd.url, "subscribed_at": cmd.now.isoformat()}

    return decide


def unsubscribe(cmd: UnsubscribeWebhook) -> Decision:
    async def decide(session: Session) -> dict:
        warning = await _early_warning(session, cmd.force_id)
        warning.unsubscribe(force_id=cmd.force_id, subscription_id=cmd.subscription_id, unsubscribed_at=cmd.now)
        return {"subscription_id": str(cmd.subscription_id), "unsubscribed_at": cmd.now.isoformat()}

    return decide
