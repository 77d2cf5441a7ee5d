"""The process manager: what diversion does when other services report facts.

- Incidents' NaloxoneAdministered naming a person who survived (or whose outcome is not yet
  known) opens a referral offer to the force's contracted treatment partner; the person's
  consent is asked when the partner makes contact (the offer's consent is pending).
- Inventory's TakeHomeKitSupplied to a person at risk who consented to a referral opens an
  offer the same way, with consent given.
- Incidents' SubjectErased destroys the subject's referral keys in this service too (the
  kernel's `erasure_reaction`).

Each offer's id is derived from the record that opened it (the administration or the
supply), and the partner is the one contracted on the day of that fact, not of the
processing: a redelivery, a replay or a rebuilt reactor opens the same one offer to the
same partner. The reactor runs each reaction once per event id on top of that. A fact
with no partner contracted for the day is recorded in `reaction_failures` for follow-up.
"""

from __future__ import annotations

from uuid import UUID

from naloxone.contracts import TOPICS
from naloxone.incidents.v1 import events_pb2 as incidents_pb
from naloxone.inventory.v1 import events_pb2 as inventory_pb
from naloxone_kernel.commands import Decision
from naloxone_kernel.contract_values import from_timestamp
from naloxone_kernel.domain import DomainError, InvalidValue
from naloxone_kernel.personal_data import erasure_reaction
from naloxone_kernel.projector import ProjectedEvent
from naloxone_kernel.reactor import Reaction

from ..domain import OFFER_SCHEME, Consent, Referral, Source, offer_id
from ..domain.values import checked_area
from ..settings import DiversionSettings
from . import handlers as h


def _uuid(text: str) -> UUID | None:
    return UUID(text) if text else None


def _area(text: str) -> str | None:
    """Another service's area code, kept only where it is one of ours (coarse, no spaces)."""
    try:
        return checked_area(text or None)
    except InvalidValue:
        return None


def _recorded_if_refused(decide: Decision) -> Decision:
    """Another service's fact this domain cannot take as it is becomes a recorded reaction failure
    (for follow-up), never a batch retried forever."""

    async def run(session):
        try:
            return await decide(session)
        except InvalidValue as exc:
            raise DomainError(f"{exc.field}: {exc}") from exc

    return run


def offer_after_administration(event: ProjectedEvent):
    p = event.payload
    if not isinstance(p, incidents_pb.NaloxoneAdministered) or not p.subject_pseudonym:
        return None
    if p.outcome == incidents_pb.INCIDENT_OUTCOME_DIED:
        return None
    administered_at = from_timestamp(p.administered_at)
    return _recorded_if_refused(h.make_referral(h.MakeReferral(
        force_id=p.force_id, referral_id=offer_id(Source.POST_OVERDOSE, UUID(p.administration_id)),
        subject_pseudonym=p.subject_pseudonym, source=Source.POST_OVERDOSE,
        scheme=OFFER_SCHEME[Source.POST_OVERDOSE], consent=Consent.PENDING, referred_at=administered_at,
        now=administered_at, incident_id=_uuid(p.incident_id), area_code=_area(p.area_code),
        source_record_id=UUID(p.administration_id))))


def offer_after_take_home_supply(event: ProjectedEvent):
    p = event.payload
    if not isinstance(p, inventory_pb.TakeHomeKitSupplied) or not (p.referral_consent and p.subject_pseudonym):
        return None
    if p.recipient != inventory_pb.SUPPLY_RECIPIENT_PERSON_AT_RISK:
        return None  # a witness's consent is not the person's
    supplied_at = from_timestamp(p.supplied_at)
    return _recorded_if_refused(h.make_referral(h.MakeReferral(
        force_id=p.force_id, referral_id=offer_id(Source.TAKE_HOME_SUPPLY, UUID(p.supply_id)),
        subject_pseudonym=p.subject_pseudonym, source=Source.TAKE_HOME_SUPPLY,
        scheme=OFFER_SCHEME[Source.TAKE_HOME_SUPPLY], consent=Consent.GIVEN, referred_at=supplied_at,
        now=supplied_at, area_code=_area(p.area_code), source_record_id=UUID(p.supply_id))))


REACTIONS = (
    Reaction("offer-after-administration", (TOPICS["incidents"],), offer_after_administration),
    Reaction("offer-after-take-home-supply", (TOPICS["inventory"],), offer_after_take_home_supply),
    erasure_reaction("diversion", DiversionSettings, h.RECORD_TYPE, Referral),
)
