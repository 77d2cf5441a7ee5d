"""Translation at the edge: diversion domain events to the public protobuf contract.

How to contact the person and the note are free text: they never leave the service,
sealed or not. Enum values map by name (domain `deferred_prosecution` ->
REFERRAL_SCHEME_DEFERRED_PROSECUTION); absent optional values become proto3 defaults.
"""

from __future__ import annotations

from google.protobuf.message import Message
from naloxone.diversion.v1 import events_pb2 as pb
from naloxone_kernel.contract_values import to_date, to_enum, to_text, to_timestamp
from naloxone_kernel.domain import DomainEvent

from ..domain import (
    DiversionReferralMade,
    PartnerCommissioned,
    PartnerCommissionEnded,
    ReferralAccepted,
    ReferralClosed,
    ReferralDeclined,
    ReferralPersonalDataShredded,
    TreatmentEngaged,
)


def _scheme(value) -> int:
    return to_enum(pb.ReferralScheme, "REFERRAL_SCHEME", value)


def _consent(value) -> int:
    return to_enum(pb.ReferralConsent, "REFERRAL_CONSENT", value)


def to_proto(event: DomainEvent) -> Message:
    match event:
        case DiversionReferralMade():
            return pb.DiversionReferralMade(
                referral_id=str(event.referral_id), force_id=event.force_id,
                subject_pseudonym=event.subject_pseudonym, scheme=_scheme(event.scheme),
                scheme_code=to_text(event.scheme_code),
                source=to_enum(pb.ReferralSource, "REFERRAL_SOURCE", event.source),
                provider_org_id=event.partner_org, referring_officer_id=to_text(event.referring_officer_id),
                incident_id=to_text(event.incident_id), referred_at=to_timestamp(event.referred_at),
                area_code=to_text(event.area_code), consent=_consent(event.consent),
                source_record_id=to_text(event.source_record_id))
        case ReferralAccepted():
            return pb.ReferralAccepted(referral_id=str(event.referral_id), force_id=event.force_id,
                                       provider_org_id=event.partner_org, accepted_on=to_date(event.accepted_on),
                                       consent=_consent(event.consent))
        case ReferralDeclined():
            return pb.ReferralDeclined(referral_id=str(event.referral_id), force_id=event.force_id,
                                       provider_org_id=event.partner_org,
                                       reason=to_enum(pb.DeclineReason, "DECLINE_REASON", event.reason),
                                       declined_on=to_date(event.declined_on))
        case TreatmentEngaged():
            return pb.TreatmentEngaged(referral_id=str(event.referral_id), force_id=event.force_id,
                                       provider_org_id=event.partner_org,
                                       intervention=to_enum(pb.Intervention, "INTERVENTION", event.intervention),
                                       engaged_on=to_date(event.engaged_on))
        case ReferralClosed():
            return pb.ReferralClosed(referral_id=str(event.referral_id), force_id=event.force_id,
                                     provider_org_id=event.partner_org,
                                     closure=to_enum(pb.ReferralClosure, "REFERRAL_CLOSURE", event.closure),
                                     closed_on=to_date(event.closed_on))
        case ReferralPersonalDataShredded():
            return pb.ReferralPersonalDataShredded(
                referral_id=str(event.referral_id), force_id=event.force_id,
                reason=to_enum(pb.ReferralShredReason, "REFERRAL_SHRED_REASON", event.reason),
                shredded_at=to_timestamp(event.shredded_at))
        case PartnerCommissioned():
            return pb.PartnerCommissioned(force_id=event.force_id, scheme=_scheme(event.scheme),
                                          scheme_code=to_text(event.scheme_code), provider_org_id=event.partner_org,
                                          starts_on=to_date(event.starts_on))
        case PartnerCommissionEnded():
            return pb.PartnerCommissionEnded(force_id=event.force_id, scheme=_scheme(event.scheme),
                                             provider_org_id=event.partner_org, ends_on=to_date(event.ends_on))
    raise TypeError(f"no contract for {type(event).__name__}")
