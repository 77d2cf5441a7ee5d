"""What alerts does when incidents reports facts: every administration is counted towards its force's spikes.

Incidents publishes NaloxoneAdministered with the coarse area and when the first dose was
given; alerts counts it (the occurrence time decides, never when it was consumed). A
correction that changes the area or the time moves the administration (AdministrationRecounted);
corrections of anything else do not matter to spikes. The reactor runs each reaction
exactly once per event (its event id is the idempotency key), and the domain counts an
administration once whatever the redelivery.
"""

from __future__ import annotations

from datetime import UTC
from uuid import UUID

from naloxone.contracts import TOPICS
from naloxone.incidents.v1 import events_pb2 as incidents_pb
from naloxone_kernel.projector import ProjectedEvent
from naloxone_kernel.reactor import Reaction

from .handlers import CountAdministration, RecountAdministration, count, recount

#: Fields of a correction that move an administration in space or time.
MOVING_FIELDS = frozenset({"area_code", "administered_at"})


def count_administration(event: ProjectedEvent):
    p = event.payload
    if not isinstance(p, incidents_pb.NaloxoneAdministered) or not p.area_code or not p.HasField("administered_at"):
        return None
    return count(CountAdministration(
        force_id=p.force_id or event.envelope.force_id, administration_id=UUID(p.administration_id),
        incident_id=UUID(p.incident_id) if p.incident_id else None, area_code=p.area_code,
        administered_at=p.administered_at.ToDatetime(tzinfo=UTC)))


def recount_corrected_administration(event: ProjectedEvent):
    p = event.payload
    if not isinstance(p, incidents_pb.AdministrationCorrected):
        return None
    moved = MOVING_FIELDS & set(p.corrected_fields)
    if not moved:
        return None
    return recount(RecountAdministration(
        force_id=p.force_id or event.envelope.force_id, administration_id=UUID(p.administration_id),
        area_code=p.area_code if "area_code" in moved and p.area_code else None,
        administered_at=p.administered_at.ToDatetime(tzinfo=UTC)
        if "administered_at" in moved and p.HasField("administered_at") else None))


REACTIONS = (
    Reaction("count-administration", (TOPICS["incidents"],), count_administration),
    Reaction("recount-corrected-administration", (TOPICS["incidents"],), recount_corrected_administration),
)
