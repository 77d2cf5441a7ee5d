"""The Referral aggregate: one person referred by a force into a scheme run by a partner organisation.

Its life: made (an offer, to the partner the force contracts for the scheme), then accepted
or declined with a reason; an accepted referral may engage in treatment (first appointment
attended) and is closed as completed, disengaged, transferred, died or other. Every step
is dated, on or after the step before and never in the future. The person is only a
pseudonym; how to contact them and a note are sealed (ciphertext only, never on Kafka).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import ClassVar
from uuid import NAMESPACE_URL, UUID, uuid5

from naloxone_kernel.domain import Aggregate, DomainError, DomainEvent, InvalidValue

from .values import (
    Closure,
    Consent,
    DeclineReason,
    Intervention,
    Scheme,
    ShredReason,
    Source,
    Status,
    checked_area,
    checked_day,
    checked_instant,
    checked_org,
    checked_pseudonym,
    checked_scheme_code,
    day_in_uk,
)

#: How far ahead of the server's clock a referral time may be (phones' clocks drift).
CLOCK_SKEW = timedelta(minutes=5)


def offer_id(source: Source, record_id: UUID) -> UUID:
    """The referral an administration or a supply opens: one per source record, however often
    its event is delivered or replayed."""
    return uuid5(NAMESPACE_URL, f"naloxone:referral-offer:{source.value}:{record_id}")


@dataclass(frozen=True, kw_only=True)
class DiversionReferralMade(DomainEvent):
    event_type: ClassVar[str] = "DiversionReferralMade"
    referral_id: UUID
    force_id: str
    subject_pseudonym: str
    source: Source
    scheme: Scheme
    partner_org: str
    consent: Consent
    referred_at: datetime
    scheme_code: str | None = None
    referring_officer_id: UUID | None = None
    incident_id: UUID | None = None
    area_code: str | None = None
    source_record_id: UUID | None = None
    contact_sealed: str | None = None
    note_sealed: str | None = None


@dataclass(frozen=True, kw_only=True)
class ReferralAccepted(DomainEvent):
    event_type: ClassVar[str] = "ReferralAccepted"
    referral_id: UUID
    force_id: str
    partner_org: str
    accepted_on: date
    consent: Consent = Consent.GIVEN


@dataclass(frozen=True, kw_only=True)
class ReferralDeclined(DomainEvent):
    event_type: ClassVar[str] = "ReferralDeclined"
    referral_id: UUID
    force_id: str
    partner_org: str
    reason: DeclineReason
    declined_on: date


@dataclass(frozen=True, kw_only=True)
class TreatmentEngaged(DomainEvent):
    event_type: ClassVar[str] = "TreatmentEngaged"
    referral_id: UUID
    force_id: str
    partner_org: str
    intervention: Intervention
    engaged_on: date


@dataclass(frozen=True, kw_only=True)
class ReferralClosed(DomainEvent):
    event_type: ClassVar[str] = "ReferralClosed"
    referral_id: UUID
    force_id: str
    partner_org: str
    closure: Closure
    closed_on: date


@dataclass(frozen=True, kw_only=True)
class ReferralPersonalDataShredded(DomainEvent):
    event_type: ClassVar[str] = "ReferralPersonalDataShredded"
    referral_id: UUID
    force_id: str
    reason: ShredReason
    shredded_at: datetime


REFERRAL_EVENTS = (DiversionReferralMade, ReferralAccepted, ReferralDeclined, TreatmentEngaged, ReferralClosed,
                   ReferralPersonalDataShredded)


class Referral(Aggregate):
    aggregate_type = "Referral"

    def __init__(self, aggregate_id: UUID) -> None:
        super().__init__(aggregate_id)
        self.status: Status | None = None
        self.made: DiversionReferralMade | None = None
        self.consent: Consent | None = None
        self.partner_org: str | None = None
        self.referred_on: date | None = None
        self.accepted_on: date | None = None
        self.declined_on: date | None = None
        self.decline_reason: DeclineReason | None = None
        self.engaged_on: date | None = None
        self.intervention: Intervention | None = None
        self.closed_on: date | None = None
        self.closure: Closure | None = None
        self.shredded: ShredReason | None = None

    # --- decisions ------------------------------------------------------------------------

    def make(self, *, force_id: str, subject_pseudonym: str, source: Source, scheme: Scheme, partner_org: str,
             consent: Consent, referred_at: datetime, now: datetime, scheme_code: str | None = None,
             referring_officer_id: UUID | None = None, incident_id: UUID | None = None,
             area_code: str | None = None, source_record_id: UUID | None = None,
             contact_sealed: str | None = None, note_sealed: str | None = None) -> None:
        if self.status is not None:
            raise DomainError(f"referral {self.id} is already made")
        checked_pseudonym(subject_pseudonym)
        checked_org(partner_org)
        checked_scheme_code(scheme_code)
        checked_area(area_code)
        checked_instant(referred_at, "referred_at")
        if referred_at > now + CLOCK_SKEW:
            raise InvalidValue("referred_at is in the future", field="referred_at")
        self._raise(DiversionReferralMade(
            referral_id=self.id, force_id=force_id, subject_pseudonym=subject_pseudonym, source=source, scheme=scheme,
            partner_org=partner_org, consent=consent, referred_at=referred_at, scheme_code=scheme_code,
            referring_officer_id=referring_officer_id, incident_id=incident_id, area_code=area_code,
            source_record_id=source_record_id, contact_sealed=contact_sealed, note_sealed=note_sealed))

    def accept(self, *, accepted_on: date, today: date, consent_given: bool | None = None) -> None:
        self._expect(Status.OFFERED, "accepted")
        checked_day(accepted_on, field="accepted_on", not_before=self.referred_on, after_what="the referral",
                    today=today)
        if self.consent is Consent.PENDING and consent_given is not True:
            raise InvalidValue("this offer was opened without the person's consent: accept it only with their "
                               "consent (consent: true), or decline it (reason person_declined)", field="consent")
        self._raise(ReferralAccepted(referral_id=self.id, force_id=self.force_id, partner_org=self.partner_org,
                                     accepted_on=accepted_on, consent=Consent.GIVEN))

    def decline(self, *, declined_on: date, today: date, reason: DeclineReason) -> None:
        self._expect(Status.OFFERED, "declined")
        checked_day(declined_on, field="declined_on", not_before=self.referred_on, after_what="the referral",
                    today=today)
        self._raise(ReferralDeclined(referral_id=self.id, force_id=self.force_id, partner_org=self.partner_org,
                                     reason=reason, declined_on=declined_on))

    def engage(self, *, engaged_on: date, today: date, intervention: Intervention) -> None:
        self._expect(Status.ACCEPTED, "engaged in treatment")
        checked_day(engaged_on, field="engaged_on", not_before=self.accepted_on, after_what="its acceptance",
                    today=today)
        self._raise(TreatmentEngaged(referral_id=self.id, force_id=self.force_id, partner_org=self.partner_org,
                                     intervention=intervention, engaged_on=engaged_on))

    def close(self, *, closed_on: date, today: date, closure: Closure) -> None:
        if self.status not in (Status.ACCEPTED, Status.ENGAGED):
            self._expect(Status.ACCEPTED, "closed")
        if closure is Closure.COMPLETED and self.status is not Status.ENGAGED:
            raise DomainError(f"referral {self.id} never engaged in treatment, so it cannot be completed; "
                              "close it as disengaged, transferred, died or other")
        last, what = (self.engaged_on, "engagement") if self.status is Status.ENGAGED else \
            (self.accepted_on, "its acceptance")
        checked_day(closed_on, field="closed_on", not_before=last, after_what=what, today=today)
        self._raise(ReferralClosed(referral_id=self.id, force_id=self.force_id, partner_org=self.partner_org,
                                   closure=closure, closed_on=closed_on))

    def shred(self, *, reason: ShredReason, shredded_at: datetime) -> None:
        """Its personal fields' key is destroyed: say so once."""
        if self.status is None or self.shredded is not None:
            return
        self._raise(ReferralPersonalDataShredded(referral_id=self.id, force_id=self.force_id, reason=reason,
                                                 shredded_at=shredded_at))

    def _expect(self, status: Status, becoming: str) -> None:
        if self.status is None:
            raise DomainError(f"referral {self.id} was never made")
        if self.status is not status:
            raise DomainError(f"referral {self.id} is {self.status.value}; only an {status.value} referral "
                              f"can be {becoming}")

    # --- state ----------------------------------------------------------------------------

    def apply(self, event: DomainEvent) -> None:
        match event:
            case DiversionReferralMade():
                self.force_id = event.force_id
                self.made = event
                self.status = Status.OFFERED
                self.consent = event.consent
                self.partner_org = event.partner_org
                self.referred_on = day_in_uk(event.referred_at)
            case ReferralAccepted():
                self.status, self.accepted_on, self.consent = Status.ACCEPTED, event.accepted_on, event.consent
            case ReferralDeclined():
                self.status, self.declined_on, self.decline_reason = Status.DECLINED, event.declined_on, event.reason
            case TreatmentEngaged():
                self.status, self.engaged_on, self.intervention = Status.ENGAGED, event.engaged_on, event.intervention
            case ReferralClosed():
                self.status, self.closed_on, self.closure = Status.CLOSED, event.closed_on, event.closure
            case ReferralPersonalDataShredded():
                self.shredded = event.reason

    def summary(self) -> dict:
        made = self.made
        return {
            "referral_id": str(self.id), "force_id": self.force_id, "status": self.status.value,
            "subject_pseudonym": made.subject_pseudonym, "source": made.source.value, "scheme": made.scheme.value,
            "scheme_code": made.scheme_code, "partner_org": self.partner_org, "consent": self.consent.value,
            "referred_at": made.referred_at.isoformat(),
            "accepted_on": _iso(self.accepted_on), "declined_on": _iso(self.declined_on),
            "decline_reason": _value(self.decline_reason), "engaged_on": _iso(self.engaged_on),
            "intervention": _value(self.intervention), "closed_on": _iso(self.closed_on),
            "closure": _value(self.closure),
        }


def _iso(day: date | None) -> str | None:
    return None if day is None else day.isoformat()


def _value(member) -> str | None:
    return None if member is None else member.value
