"""Translation at the edge: training domain events to the public protobuf contract."""

from __future__ import annotations


from google.protobuf.message import Message

from naloxone.training.v1 import events_pb2 as pb

from ..domain import (
    CertificationExpired,
    CertificationPolicySet,
    OfficerEnrolled,
    OfficerWithdrawn,
    TrainingCompleted,
)
from naloxone_kernel.contract_values import to_date, to_enum
from naloxone_kernel.domain import DomainEvent


def to_proto(event: DomainEvent) -> Message:
    match event:
        case OfficerEnrolled():
            return pb.OfficerEnrolled(
                officer_id=str(event.officer_id), force_id=event.force_id, staff_number=event.staff_number,
                role=to_enum(pb.OfficerRole, "OFFICER_ROLE", event.role), enrolled_on=to_date(event.enrolled_on),
                area_code=event.area_code or "",
            )
        case TrainingCompleted():
            return pb.TrainingCompleted(
                officer_id=str(event.officer_id), force_id=event.force_id, course=event.course,
                provider=event.provider, completed_on=to_date(event.completed_on), valid_until=to_date(event.valid_until),
                training_type=to_enum(pb.TrainingType, "TRAINING_TYPE", event.training_type),
                delivery=to_enum(pb.TrainingDelivery, "TRAINING_DELIVERY", event.delivery),
            )
        case CertificationExpired():
            return pb.CertificationExpired(
                officer_id=str(event.officer_id), force_id=event.force_id,
                expired_on=to_date(event.expired_on), valid_until=to_date(event.valid_until),
            )
        case OfficerWithdrawn():
            return pb.OfficerWithdrawn(
                officer_id=str(event.officer_id), force_id=event.force_id,
                reason=to_enum(pb.WithdrawalReason, "WITHDRAWAL_REASON", event.reason),
                withdrawn_on=to_date(event.withdrawn_on),
            )
        case CertificationPolicySet():
            return pb.CertificationPolicySet(
                force_id=event.force_id, certification_months=event.certification_months,
                effective_on=to_date(event.effective_on),
            )
    raise TypeError(f"no contract for {type(event).__name__}")
