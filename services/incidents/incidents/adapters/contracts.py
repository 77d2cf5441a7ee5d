"""Translation at the edge: incidents domain events to the public protobuf contract.

Sealed personal fields (base64 text in the event store) become the contract's
`*_ciphertext` bytes. A note never leaves the service: free text is not placed on
Kafka, sealed or not. Enum values map by name (domain `alive_at_handover` ->
INCIDENT_OUTCOME_ALIVE_AT_HANDOVER); absent optional values become proto3 defaults.
"""

from __future__ import annotations

from google.protobuf.message import Message
from naloxone.incidents.v1 import events_pb2 as pb
from naloxone_kernel.contract_values import to_enum, to_text, to_timestamp
from naloxone_kernel.domain import DomainEvent
from naloxone_kernel.personal_data import as_bytes

from ..domain import (
    AdministrationCorrected,
    IncidentOutcomeRecorded,
    NaloxoneAdministered,
    PersonalDataShredded,
    SubjectErased,
)

#: Domain field names that differ on the contract; `note_sealed` has no contract field at all.
CONTRACT_FIELD = {"location_sealed": "location_ciphertext", "subject_details_sealed": "subject_details_ciphertext"}
NOT_PUBLISHED = frozenset({"note_sealed"})


def _substances(values) -> list[int]:
    return [to_enum(pb.SuspectedSubstance, "SUSPECTED_SUBSTANCE", s) for s in values or ()]


def _flags(values) -> list[int]:
    return [to_enum(pb.GovernanceFlag, "GOVERNANCE_FLAG", f) for f in values]


def _outcome(value) -> int:
    return to_enum(pb.IncidentOutcome, "INCIDENT_OUTCOME", value)


def _administrator(value) -> int:
    return to_enum(pb.Administrator, "ADMINISTRATOR", value)


def _route(value) -> int:
    return to_enum(pb.AdministrationRoute, "ADMINISTRATION_ROUTE", value)


def to_proto(event: DomainEvent) -> Message:
    match event:
        case NaloxoneAdministered():
            substances = _substances(event.suspected_substances)
            return pb.NaloxoneAdministered(
                incident_id=str(event.incident_id), force_id=event.force_id,
                administration_id=str(event.administration_id), officer_id=to_text(event.officer_id),
                kit_id=to_text(event.kit_id), doses=event.doses, administered_at=to_timestamp(event.administered_at),
                route=_route(event.route), subject_pseudonym=to_text(event.subject_pseudonym),
                area_code=event.area_code, location_ciphertext=as_bytes(event.location_sealed),
                officer_training_current=not ({"training_lapsed", "officer_not_enrolled", "officer_withdrawn"}
                                              & set(event.flags)),
                suspected_substance=substances[0] if substances else 0, ambulance_called=event.ambulance_called,
                subject_details_ciphertext=as_bytes(event.subject_details_sealed),
                administered_by=_administrator(event.administered_by), staff_number=to_text(event.staff_number),
                given_before_police=event.given_before_police,
                given_before_police_by=_administrator(event.given_before_police_by),
                call_at=to_timestamp(event.call_at), arrived_at=to_timestamp(event.arrived_at),
                ambulance_arrived_at=to_timestamp(event.ambulance_arrived_at), suspected_substances=substances,
                response_recorded=event.response_recorded, responded_after_dose=event.responded_after_dose,
                ambulance_attended=event.ambulance_attended,
                kit_source=to_enum(pb.KitSource, "KIT_SOURCE", event.kit_source), outcome=_outcome(event.outcome),
                outcome_final=event.outcome_final, life_saved=event.life_saved, flags=_flags(event.flags))
        case IncidentOutcomeRecorded():
            return pb.IncidentOutcomeRecorded(
                incident_id=str(event.incident_id), force_id=event.force_id, outcome=_outcome(event.outcome),
                conveyed_to_hospital=event.conveyed_to_hospital, known_at=to_timestamp(event.known_at),
                subject_pseudonym=to_text(event.subject_pseudonym), area_code=to_text(event.area_code),
                referral_offered=event.referral_offered, administration_id=str(event.administration_id),
                source=to_enum(pb.OutcomeSource, "OUTCOME_SOURCE", event.source), outcome_final=event.final,
                life_saved=event.life_saved)
        case AdministrationCorrected():
            published = [f for f in event.corrected_fields if f not in NOT_PUBLISHED]
            return pb.AdministrationCorrected(
                administration_id=str(event.administration_id), force_id=event.force_id,
                incident_id=str(event.incident_id),
                reason=to_enum(pb.CorrectionReason, "CORRECTION_REASON", event.reason),
                corrected_fields=[CONTRACT_FIELD.get(f, f) for f in published], corrected_at=to_timestamp(event.corrected_at),
                doses=event.doses or 0, route=_route(event.route),
                suspected_substances=_substances(event.suspected_substances),
                administered_at=to_timestamp(event.administered_at), call_at=to_timestamp(event.call_at),
                arrived_at=to_timestamp(event.arrived_at), ambulance_arrived_at=to_timestamp(event.ambulance_arrived_at),
                response_recorded=bool(event.response_recorded), responded_after_dose=event.responded_after_dose or 0,
                ambulance_called=bool(event.ambulance_called), ambulance_attended=bool(event.ambulance_attended),
                area_code=to_text(event.area_code), location_ciphertext=as_bytes(event.location_sealed),
                subject_details_ciphertext=as_bytes(event.subject_details_sealed),
                subject_pseudonym=to_text(event.subject_pseudonym), life_saved=event.life_saved,
                flags=_flags(event.flags))
        case PersonalDataShredded():
            return pb.PersonalDataShredded(
                administration_id=str(event.administration_id), force_id=event.force_id,
                reason=to_enum(pb.ShredReason, "SHRED_REASON", event.reason), shredded_at=to_timestamp(event.shredded_at))
        case SubjectErased():
            return pb.SubjectErased(
                force_id=event.force_id, subject_pseudonym=event.subject_pseudonym, request_id=str(event.request_id),
                erased_at=to_timestamp(event.erased_at), records_shredded=event.records_shredded)
    raise TypeError(f"no contract for {type(event).__name__}")
