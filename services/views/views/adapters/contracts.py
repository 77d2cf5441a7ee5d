"""Translation at the edge: the provision domain event to its public protobuf contract."""

from __future__ import annotations

from google.protobuf.message import Message
from naloxone.provision.v1 import events_pb2 as pb
from naloxone_kernel.contract_values import to_date, to_enum
from naloxone_kernel.domain import DomainEvent

from ..domain import ProvisionStatusSet


def to_proto(event: DomainEvent) -> Message:
    match event:
        case ProvisionStatusSet():
            return pb.ProvisionStatusSet(
                force_id=event.force_id, status=to_enum(pb.ProvisionStatus, "PROVISION_STATUS", event.status),
                previous_status=to_enum(pb.ProvisionStatus, "PROVISION_STATUS", event.previous_status),
                effective_on=to_date(event.effective_on))
    raise TypeError(f"no contract for {type(event).__name__}")
