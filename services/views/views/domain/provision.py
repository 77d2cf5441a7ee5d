"""A force's naloxone provision status: force-managed data, kept as events.

The national monitoring of police naloxone counts forces by status (ongoing, pilot,
agreed, committed, none). A force admin records the force's status; because it is an
event, a national count published on a day can be reproduced exactly later.
"""

from __future__ import annotations

import enum
import uuid
from dataclasses import dataclass
from datetime import date
from typing import ClassVar
from uuid import UUID

from naloxone_kernel.domain import Aggregate, DomainError, DomainEvent

PROVISION_NAMESPACE = uuid.UUID("4c7d2e1a-8b3f-4f6e-a9d0-2e5b7c1f3a68")


def provision_id_for(force_id: str) -> UUID:
    return uuid.uuid5(PROVISION_NAMESPACE, force_id)


class ProvisionStatus(enum.StrEnum):
    ONGOING = "ongoing"
    PILOT = "pilot"
    AGREED = "agreed"
    COMMITTED = "committed"
    NONE = "none"


@dataclass(frozen=True, kw_only=True)
class ProvisionStatusSet(DomainEvent):
    event_type: ClassVar[str] = "ProvisionStatusSet"
    force_id: str
    status: ProvisionStatus
    previous_status: ProvisionStatus | None
    effective_on: date


PROVISION_EVENTS = (ProvisionStatusSet,)


class ForceProvision(Aggregate):
    """One per force (id derived from the force); absent means nothing recorded yet."""

    aggregate_type = "ForceProvision"

    def __init__(self, aggregate_id: UUID) -> None:
        super().__init__(aggregate_id)
        self.status: ProvisionStatus | None = None
        self.effective_on: date | None = None

    def set_status(self, *, force_id: str, status: ProvisionStatus, effective_on: date) -> None:
        """Record the status; the same status again is no change. A status cannot take effect
        before the one it replaces (the history must read in order)."""
        if status == self.status:
            return
        if self.effective_on is not None and effective_on < self.effective_on:
            raise DomainError(f"effective_on {effective_on} is before the current status's "
                              f"effective_on {self.effective_on}")
        self._raise(ProvisionStatusSet(force_id=force_id, status=status, previous_status=self.status,
                                       effective_on=effective_on))

    def apply(self, event: DomainEvent) -> None:
        match event:
            case ProvisionStatusSet():
                self.force_id = event.force_id
                self.status = event.status
                self.effective_on = event.effective_on
