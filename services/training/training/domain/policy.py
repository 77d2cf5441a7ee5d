"""A force's certification policy: how long naloxone training stays valid.

Force configuration, not code: a force admin sets it through the API and it is an
event like any other, so every view and every later decision sees the same rule.
"""

from __future__ import annotations

import calendar
import uuid
from dataclasses import dataclass
from datetime import date
from typing import ClassVar
from uuid import UUID

from naloxone_kernel.domain import Aggregate, DomainError, DomainEvent

POLICY_NAMESPACE = uuid.UUID("0b5e2f6c-1d4e-4c1a-9f7e-6a2d8c3b9e14")
DEFAULT_CERTIFICATION_MONTHS = 12  # the annual refresher most forces run
MAX_CERTIFICATION_MONTHS = 60


def policy_id_for(force_id: str) -> UUID:
    return uuid.uuid5(POLICY_NAMESPACE, force_id)


def add_months(day: date, months: int) -> date:
    """The same day `months` later, clamped to the month's end (31 Jan + 1 month = 28/29 Feb)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


@dataclass(frozen=True, kw_only=True)
class CertificationPolicySet(DomainEvent):
    event_type: ClassVar[str] = "CertificationPolicySet"
    force_id: str
    certification_months: int
    effective_on: date


POLICY_EVENTS = (CertificationPolicySet,)


class TrainingPolicy(Aggregate):
    """One per force (id derived from the force); absent means the default."""

    aggregate_type = "TrainingPolicy"

    def __init__(self, aggregate_id: UUID) -> None:
        super().__init__(aggregate_id)
        self.certification_months = DEFAULT_CERTIFICATION_MONTHS

    def set_certification_months(self, *, force_id: str, months: int, effective_on: date) -> None:
        if not 1 <= months <= MAX_CERTIFICATION_MONTHS:
            raise DomainError(f"certification_months must be between 1 and {MAX_CERTIFICATION_MONTHS}")
        if self.version and months == self.certification_months:
            return  # already so: nothing happened
        self._raise(CertificationPolicySet(force_id=force_id, certification_months=months,
                                           effective_on=effective_on))

    def valid_until(self, completed_on: date) -> date:
        """The last day a certification from training completed that day is valid."""
        return add_months(completed_on, self.certification_months)

    def apply(self, event: DomainEvent) -> None:
        match event:
            case CertificationPolicySet():
                self.force_id = event.force_id
                self.certification_months = event.certification_months
