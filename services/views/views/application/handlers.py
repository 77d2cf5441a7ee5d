"""The views service's one command: a force records its provision status."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from naloxone_kernel.commands import Decision, Session

from ..domain import ForceProvision, ProvisionStatus, provision_id_for


@dataclass(frozen=True)
class SetProvisionStatus:
    force_id: str
    status: ProvisionStatus
    effective_on: date


def set_provision_status(cmd: SetProvisionStatus) -> Decision:
    async def decide(session: Session) -> dict:
        provision = await session.get(ForceProvision, provision_id_for(cmd.force_id))
        provision.set_status(force_id=cmd.force_id, status=cmd.status, effective_on=cmd.effective_on)
        return {"force_id": cmd.force_id, "status": str(provision.status),
                "effective_on": provision.effective_on.isoformat(), "version": provision.version}

    return decide
