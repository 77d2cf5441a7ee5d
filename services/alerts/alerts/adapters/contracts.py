"""Translation at the edge: alerts domain events to the public protobuf contract (naloxone.alerts.v1)."""

from __future__ import annotations

from datetime import datetime

from google.protobuf.message import Message
from naloxone.alerts.v1 import events_pb2 as pb
from naloxone.alerts.v1 import types_pb2 as types
from naloxone_kernel.contract_values import to_text, to_timestamp
from naloxone_kernel.domain import DomainEvent

from ..domain import (
    AdministrationCounted,
    AdministrationRecounted,
    OverdoseSpikeDetected,
    OverdoseSpikeSubsided,
    SpikeThresholdsSet,
    WebhookSubscribed,
    WebhookUnsubscribed,
)


def _cases(records) -> list[types.SpikeCase]:
    return [types.SpikeCase(administration_id=r["administration_id"], area_code=r["area_code"],
                            administered_at=to_timestamp(datetime.fromisoformat(r["administered_at"])))
            for r in records]


def to_proto(event: DomainEvent) -> Message:
    match event:
        case SpikeThresholdsSet():
            return pb.SpikeThresholdsSet(
                force_id=event.force_id, window_hours=event.window_hours,
                default_threshold=event.default_threshold or 0,
                area_thresholds=[types.AreaThreshold(area_code=a, threshold=t)
                                 for a, t in sorted(event.area_thresholds.items())],
                neighbours=[types.AreaNeighbours(area_code=a, neighbour_area_codes=n)
                            for a, n in sorted(event.neighbours.items())],
                grace_minutes=event.grace_minutes, set_at=to_timestamp(event.set_at))
        case AdministrationCounted():
            return pb.AdministrationCounted(
                force_id=event.force_id, administration_id=str(event.administration_id),
                incident_id=to_text(event.incident_id), area_code=event.area_code,
                administered_at=to_timestamp(event.administered_at))
        case AdministrationRecounted():
            return pb.AdministrationRecounted(
                force_id=event.force_id, administration_id=str(event.administration_id), area_code=event.area_code,
                administered_at=to_timestamp(event.administered_at), previous_area_code=event.previous_area_code,
                previous_administered_at=to_timestamp(event.previous_administered_at))
        case OverdoseSpikeDetected():
            return pb.OverdoseSpikeDetected(
                alert_id=str(event.alert_id), force_id=event.force_id, area_code=event.area_code,
                neighbouring_area_codes=list(event.neighbouring_area_codes), threshold=event.threshold,
                window_hours=event.window_hours, window_start=to_timestamp(event.window_start),
                window_end=to_timestamp(event.window_end), cases=_cases(event.cases),
                administrations=len(event.cases), grace_minutes=event.grace_minutes)
        case OverdoseSpikeSubsided():
            return pb.OverdoseSpikeSubsided(
                alert_id=str(event.alert_id), force_id=event.force_id, area_code=event.area_code,
                started_at=to_timestamp(event.started_at), subsided_at=to_timestamp(event.subsided_at),
                cases=_cases(event.cases), administrations=len(event.cases),
                peak_administrations=event.peak_administrations)
        case WebhookSubscribed():
            return pb.WebhookSubscribed(force_id=event.force_id, subscription_id=str(event.subscription_id),
                                        url=event.url, subscribed_at=to_timestamp(event.subscribed_at))
        case WebhookUnsubscribed():
            return pb.WebhookUnsubscribed(force_id=event.force_id, subscription_id=str(event.subscription_id),
                                          unsubscribed_at=to_timestamp(event.unsubscribed_at))
    raise TypeError(f"no contract for {type(event).__name__}")
