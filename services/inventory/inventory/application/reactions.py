"""What inventory does when other services report facts.

- Incidents' NaloxoneAdministered naming a tracked force kit: that kit becomes used (and
  its holder is due a replacement).
- Incidents' SubjectErased (a DPO's erasure request): the subject's take-home supply keys
  in that force are destroyed and each supply records TakeHomeSupplyPersonalDataShredded.

The reactor runs each exactly once
per event, whatever the redelivery; a kit inventory does not know is recorded as a
failed reaction for follow-up, never a blocked partition.
"""

from __future__ import annotations

from datetime import UTC
from uuid import UUID

from naloxone.contracts import TOPICS
from naloxone.incidents.v1 import events_pb2 as incidents_pb
from naloxone_kernel.personal_data import erasure_reaction
from naloxone_kernel.projector import ProjectedEvent
from naloxone_kernel.reactor import Reaction

from ..domain import TakeHomeSupply
from ..settings import InventorySettings
from .handlers import RECORD_TYPE, UseKit, use


#: Administered by someone who is not a force officer (custody staff, a partner worker,
#: a member of the public) using a force kit: the kit is still used.
NOT_AN_OFFICER = UUID(int=0)


def _optional_uuid(value: str) -> UUID | None:
    return UUID(value) if value else None


def kit_used_at_administration(event: ProjectedEvent):
    payload = event.payload
    if not isinstance(payload, incidents_pb.NaloxoneAdministered) or not payload.kit_id:
        return None
    return use(UseKit(
        force_id=payload.force_id, kit_id=UUID(payload.kit_id),
        officer_id=_optional_uuid(payload.officer_id) or NOT_AN_OFFICER,
        incident_id=UUID(payload.incident_id), used_at=payload.administered_at.ToDatetime(tzinfo=UTC),
        doses_used=payload.doses, administration_id=_optional_uuid(payload.administration_id)))


REACTIONS = (
    Reaction("kit-used-at-administration", (TOPICS["incidents"],), kit_used_at_administration),
    erasure_reaction("inventory", InventorySettings, RECORD_TYPE, TakeHomeSupply),
)
