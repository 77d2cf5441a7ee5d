"""Diversion's commands and the decisions they run.

A referral goes to the partner the force contracts for its scheme on the day it is made
(the Commissioning stream of that force and scheme, read in the same decision). How to
contact the person and a note arrive in the clear from the API and are sealed here,
inside the command's transaction, with the referral's own data key tagged with the
subject's pseudonym, so the subject's erasure destroys it.

A partner organisation's worker changes only referrals routed to their organisation:
the API scopes them to forces with an active agreement, and every decision on an
existing referral checks the organisation (`acting_org`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Callable
from uuid import UUID

from naloxone_kernel.auth import Forbidden
from naloxone_kernel.commands import Decision, Session
from naloxone_kernel.domain import DomainError
from naloxone_kernel.personal_data import KeyStore, seal_fields

from ..domain import (
    Closure,
    Commissioning,
    Consent,
    DeclineReason,
    Intervention,
    Referral,
    Scheme,
    Source,
    commissioning_id,
    day_in_uk,
)

#: The record type of a referral in the key store.
RECORD_TYPE = "referral"

#: Personal fields (each `<name>_sealed` on the referral): never published, sealed or not.
SEALED = ("contact", "note")


def sealing_context(referral_id: UUID, name: str) -> str:
    """What a sealed field is bound to: this referral and this field (see kernel personal_data.seal)."""
    return f"diversion/{RECORD_TYPE}/{referral_id}/{name}"


@dataclass(frozen=True)
class MakeReferral:
    force_id: str
    referral_id: UUID
    subject_pseudonym: str
    source: Source
    scheme: Scheme
    consent: Consent
    referred_at: datetime
    now: datetime
    #: The partner the caller expects; must be the one contracted for the scheme on the day.
    partner_org: str | None = None
    referring_officer_id: UUID | None = None
    incident_id: UUID | None = None
    area_code: str | None = None
    source_record_id: UUID | None = None
    #: contact {text}, note {text}: sealed here, never published.
    personal: dict[str, Any] | None = None


@dataclass(frozen=True)
class Transition:
    """One dated step of a referral's life, by a force's user or a partner's worker."""

    force_id: str
    referral_id: UUID
    on: date
    today: date
    #: The partner organisation acting, when a partner's worker asks (None for force users).
    acting_org: str | None = None


@dataclass(frozen=True)
class Accept(Transition):
    consent_given: bool | None = None


@dataclass(frozen=True)
class Decline(Transition):
    reason: DeclineReason = DeclineReason.OTHER


@dataclass(frozen=True)
class Engage(Transition):
    intervention: Intervention = Intervention.OTHER


@dataclass(frozen=True)
class Close(Transition):
    closure: Closure = Closure.OTHER


@dataclass(frozen=True)
class Commission:
    force_id: str
    scheme: Scheme
    partner_org: str
    starts_on: date
    scheme_code: str | None = None


@dataclass(frozen=True)
class EndCommission:
    force_id: str
    scheme: Scheme
    ends_on: date


async def _seal(keys: KeyStore, cmd: MakeReferral) -> dict[str, str | None]:
    given = {name: value for name, value in (cmd.personal or {}).items() if value is not None}
    if not given:
        return {}
    key = await keys.create(force_id=cmd.force_id, subject_pseudonym=cmd.subject_pseudonym, record_type=RECORD_TYPE,
                            record_id=cmd.referral_id, occurred_at=cmd.referred_at)
    return seal_fields(key, given, lambda name: sealing_context(cmd.referral_id, name))


def make_referral(cmd: MakeReferral, keys: KeyStore | None = None) -> Decision:
    """Make the referral to the partner contracted for its scheme on the day; a referral that
    already exists (an offer opened again by a redelivered or replayed event) is left as it is."""

    async def decide(session: Session) -> dict:
        referral = await session.get(Referral, cmd.referral_id)
        if referral.version:
            if referral.force_id != cmd.force_id:
                raise DomainError(f"referral {cmd.referral_id} belongs to another force")
            return referral.summary()
        day = day_in_uk(cmd.referred_at)
        commissioning = await session.get(Commissioning, commissioning_id(cmd.force_id, cmd.scheme))
        period = commissioning.partner_on(day)
        if period is None:
            raise DomainError(f"force {cmd.force_id} has no partner contracted for scheme {cmd.scheme.value} on "
                              f"{day.isoformat()}; a force admin contracts one (PUT referrals/contracts/"
                              f"{cmd.scheme.value})")
        if cmd.partner_org is not None and cmd.partner_org != period.partner_org:
            raise DomainError(f"scheme {cmd.scheme.value} is contracted to {period.partner_org} on "
                              f"{day.isoformat()}, not {cmd.partner_org}")
        sealed = await _seal(keys, cmd) if keys is not None else {}
        referral.make(force_id=cmd.force_id, subject_pseudonym=cmd.subject_pseudonym, source=cmd.source,
                      scheme=cmd.scheme, partner_org=period.partner_org, consent=cmd.consent,
                      referred_at=cmd.referred_at, now=cmd.now, scheme_code=period.scheme_code,
                      referring_officer_id=cmd.referring_officer_id, incident_id=cmd.incident_id,
                      area_code=cmd.area_code, source_record_id=cmd.source_record_id, **sealed)
        return referral.summary()

    return decide


async def _routed(session: Session, cmd: Transition) -> Referral:
    referral = await session.existing(Referral, cmd.referral_id, cmd.force_id, "referral")
    if cmd.acting_org is not None and referral.partner_org != cmd.acting_org:
        raise Forbidden(f"referral {cmd.referral_id} is routed to another organisation, not '{cmd.acting_org}'")
    return referral


def _step(cmd: Transition, act: Callable[[Referral], None]) -> Decision:
    async def decide(session: Session) -> dict:
        referral = await _routed(session, cmd)
        act(referral)
        return referral.summary()

    return decide


def accept(cmd: Accept) -> Decision:
    return _step(cmd, lambda r: r.accept(accepted_on=cmd.on, today=cmd.today, consent_given=cmd.consent_given))


def decline(cmd: Decline) -> Decision:
    return _step(cmd, lambda r: r.decline(declined_on=cmd.on, today=cmd.today, reason=cmd.reason))


def engage(cmd: Engage) -> Decision:
    return _step(cmd, lambda r: r.engage(engaged_on=cmd.on, today=cmd.today, intervention=cmd.intervention))


def close(cmd: Close) -> Decision:
    return _step(cmd, lambda r: r.close(closed_on=cmd.on, today=cmd.today, closure=cmd.closure))


def _contract(commissioning: Commissioning) -> dict:
    return {"scheme": commissioning.scheme.value if commissioning.scheme else None,
            "periods": [p.as_json() for p in commissioning.periods]}


def commission(cmd: Commission) -> Decision:
    async def decide(session: Session) -> dict:
        commissioning = await session.get(Commissioning, commissioning_id(cmd.force_id, cmd.scheme))
        commissioning.commission(force_id=cmd.force_id, scheme=cmd.scheme, partner_org=cmd.partner_org,
                                 starts_on=cmd.starts_on, scheme_code=cmd.scheme_code)
        return _contract(commissioning)

    return decide


def end_commission(cmd: EndCommission) -> Decision:
    async def decide(session: Session) -> dict:
        commissioning = await session.existing(Commissioning, commissioning_id(cmd.force_id, cmd.scheme),
                                               cmd.force_id, f"contract for scheme {cmd.scheme.value}")
        commissioning.end(ends_on=cmd.ends_on)
        return _contract(commissioning)

    return decide
