"""Request bodies: strict, bounded, and unknown fields refused."""

from __future__ import annotations

from naloxone_kernel.schemas import PlausibleDate, Strict

from ..domain import ProvisionStatus


class ProvisionBody(Strict):
    status: ProvisionStatus
    effective_on: PlausibleDate
