"""The Officer aggregate: enrolment in a force's naloxone scheme, training, expiry, withdrawal.

Pure domain code. An officer's id is derived from (force, staff number), so one person
has one stream per force and a second enrolment of an active officer is refused.
"""

from __future__ import annotations

import enum
import uuid
from dataclasses import dataclass
from datetime import date
from typing import ClassVar
from uuid import UUID

from naloxone_kernel.domain import Aggregate, DomainError, DomainEvent, NotFound

OFFICER_NAMESPACE = uuid.UUID("6f1c3f0e-5b0d-4d8e-9a55-8e3c1d0b7a21")


def officer_id_for(force_id: str, staff_number: str) -> UUID:
    return uuid.uuid5(OFFICER_NAMESPACE, f"{force_id}/{staff_number.strip().upper()}")


class OfficerRole(enum.StrEnum):
    """Who carries naloxone, as forces record it: warranted officers (by duty where known),
    PCSOs, special constables, custody and detention officers, volunteers."""

    POLICE_OFFICER = "police_officer"
    VOLUNTEER = "volunteer"
    RESPONSE = "response"
    NEIGHBOURHOOD = "neighbourhood"
    PCSO = "pcso"
    CUSTODY_OFFICER = "custody_officer"
    DETENTION_STAFF = "detention_staff"
    SPECIAL_CONSTABLE = "special_constable"
    SPECIALIST = "specialist"
    OTHER = "other"


class TrainingType(enum.StrEnum):
    INITIAL = "initial"
    REFRESHER = "refresher"


class TrainingDelivery(enum.StrEnum):
    IN_PERSON = "in_person"
    ONLINE = "online"
    BLENDED = "blended"


class WithdrawalReason(enum.StrEnum):
    LEFT_FORCE = "left_force"
    OPTED_OUT = "opted_out"
    ROLE_CHANGE = "role_change"
    OTHER = "other"


class OfficerStatus(enum.StrEnum):
    ACTIVE = "active"
    WITHDRAWN = "withdrawn"


class Certification(enum.StrEnum):
    UNTRAINED = "untrained"
    CERTIFIED = "certified"
    EXPIRED = "expired"


@dataclass(frozen=True, kw_only=True)
class OfficerEnrolled(DomainEvent):
    event_type: ClassVar[str] = "OfficerEnrolled"
    officer_id: UUID
    force_id: str
    staff_number: str
    role: OfficerRole
    enrolled_on: date
    area_code: str | None = None


@dataclass(frozen=True, kw_only=True)
class TrainingCompleted(DomainEvent):
    event_type: ClassVar[str] = "TrainingCompleted"
    officer_id: UUID
    force_id: str
    course: str
    provider: str
    completed_on: date
    valid_until: date
    training_type: TrainingType
    delivery: TrainingDelivery | None = None


@dataclass(frozen=True, kw_only=True)
class CertificationExpired(DomainEvent):
    event_type: ClassVar[str] = "CertificationExpired"
    officer_id: UUID
    force_id: str
    expired_on: date
    valid_until: date


@dataclass(frozen=True, kw_only=True)
class OfficerWithdrawn(DomainEvent):
    event_type: ClassVar[str] = "OfficerWithdrawn"
    officer_id: UUID
    force_id: str
    reason: WithdrawalReason
    withdrawn_on: date


OFFICER_EVENTS = (OfficerEnrolled, TrainingCompleted, CertificationExpired, OfficerWithdrawn)


class Officer(Aggregate):
    aggregate_type = "Officer"

    def __init__(self, aggregate_id: UUID) -> None:
        super().__init__(aggregate_id)
        self.force_id: str | None = None
        self.staff_number: str | None = None
        self.status: OfficerStatus | None = None
        self.certification = Certification.UNTRAINED
        self.valid_until: date | None = None

    # --- decisions -------------------------------------------------------------------
    def enrol(self, *, force_id: str, staff_number: str, role: OfficerRole, enrolled_on: date,
              area_code: str | None = None) -> None:
        if self.status is OfficerStatus.ACTIVE:
            raise DomainError(f"officer {staff_number} is already enrolled in {force_id}")
        self._raise(OfficerEnrolled(officer_id=self.id, force_id=force_id, staff_number=staff_number,
                                    role=role, enrolled_on=enrolled_on, area_code=area_code))

    def record_training(self, *, course: str, provider: str, completed_on: date, valid_until: date,
                        delivery: TrainingDelivery | None = None) -> None:
        """Training is a fact: recorded even for a withdrawn officer (it does not re-activate them).

        A refresher extends the certification: the later valid_until wins.
        """
        self._require_enrolled()
        if valid_until <= completed_on:
            raise DomainError("valid_until must be after completed_on")
        training_type = TrainingType.INITIAL if self.certification is Certification.UNTRAINED else TrainingType.REFRESHER
        self._raise(TrainingCompleted(officer_id=self.id, force_id=self.force_id, course=course,
                                      provider=provider, completed_on=completed_on, valid_until=valid_until,
                                      training_type=training_type, delivery=delivery))

    def expire_certification(self, *, today: date) -> bool:
        """Raise CertificationExpired once the certification's last valid day has passed."""
        self._require_enrolled()
        if self.certification is not Certification.CERTIFIED or self.valid_until is None or self.valid_until >= today:
            return False
        self._raise(CertificationExpired(officer_id=self.id, force_id=self.force_id,
                                         expired_on=date.fromordinal(self.valid_until.toordinal() + 1),
                                         valid_until=self.valid_until))
        return True

    def withdraw(self, *, reason: WithdrawalReason, withdrawn_on: date) -> None:
        self._require_enrolled()
        if self.status is OfficerStatus.WITHDRAWN:
            raise DomainError("officer is already withdrawn from the scheme")
        self._raise(OfficerWithdrawn(officer_id=self.id, force_id=self.force_id, reason=reason,
                                     withdrawn_on=withdrawn_on))

    def _require_enrolled(self) -> None:
        if self.status is None:
            raise NotFound("officer", self.id)

    # --- state changes -----------------------------------------------------------------
    def apply(self, event: DomainEvent) -> None:
        match event:
            case OfficerEnrolled():
                self.force_id = event.force_id
                self.staff_number = event.staff_number
                self.status = OfficerStatus.ACTIVE
            case TrainingCompleted():
                if self.valid_until is None or event.valid_until >= self.valid_until:
                    self.valid_until = event.valid_until
                    self.certification = Certification.CERTIFIED
            case CertificationExpired():
                if event.valid_until == self.valid_until:
                    self.certification = Certification.EXPIRED
            case OfficerWithdrawn():
                self.status = OfficerStatus.WITHDRAWN
