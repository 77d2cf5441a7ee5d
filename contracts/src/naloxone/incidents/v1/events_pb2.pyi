import datetime

from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class AdministrationRoute(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    ADMINISTRATION_ROUTE_UNSPECIFIED: _ClassVar[AdministrationRoute]
    ADMINISTRATION_ROUTE_INTRANASAL: _ClassVar[AdministrationRoute]
    ADMINISTRATION_ROUTE_INTRAMUSCULAR: _ClassVar[AdministrationRoute]

class SuspectedSubstance(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    SUSPECTED_SUBSTANCE_UNSPECIFIED: _ClassVar[SuspectedSubstance]
    SUSPECTED_SUBSTANCE_UNKNOWN: _ClassVar[SuspectedSubstance]
    SUSPECTED_SUBSTANCE_HEROIN: _ClassVar[SuspectedSubstance]
    SUSPECTED_SUBSTANCE_METHADONE: _ClassVar[SuspectedSubstance]
    SUSPECTED_SUBSTANCE_PRESCRIPTION_OPIOID: _ClassVar[SuspectedSubstance]
    SUSPECTED_SUBSTANCE_SYNTHETIC_OPIOID: _ClassVar[SuspectedSubstance]
    SUSPECTED_SUBSTANCE_POLYSUBSTANCE: _ClassVar[SuspectedSubstance]
    SUSPECTED_SUBSTANCE_NON_OPIOID: _ClassVar[SuspectedSubstance]

class IncidentOutcome(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    INCIDENT_OUTCOME_UNSPECIFIED: _ClassVar[IncidentOutcome]
    INCIDENT_OUTCOME_SURVIVED: _ClassVar[IncidentOutcome]
    INCIDENT_OUTCOME_DIED: _ClassVar[IncidentOutcome]
    INCIDENT_OUTCOME_UNKNOWN: _ClassVar[IncidentOutcome]
    INCIDENT_OUTCOME_ALIVE_AT_HANDOVER: _ClassVar[IncidentOutcome]
    INCIDENT_OUTCOME_ALIVE_REFUSED_HOSPITAL: _ClassVar[IncidentOutcome]

class Administrator(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    ADMINISTRATOR_UNSPECIFIED: _ClassVar[Administrator]
    ADMINISTRATOR_OFFICER: _ClassVar[Administrator]
    ADMINISTRATOR_CUSTODY_STAFF: _ClassVar[Administrator]
    ADMINISTRATOR_PARTNER_WORKER: _ClassVar[Administrator]
    ADMINISTRATOR_MEMBER_OF_PUBLIC: _ClassVar[Administrator]
    ADMINISTRATOR_OTHER: _ClassVar[Administrator]

class KitSource(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    KIT_SOURCE_UNSPECIFIED: _ClassVar[KitSource]
    KIT_SOURCE_FORCE_KIT: _ClassVar[KitSource]
    KIT_SOURCE_TAKE_HOME_KIT: _ClassVar[KitSource]
    KIT_SOURCE_OTHER_KIT: _ClassVar[KitSource]
    KIT_SOURCE_UNKNOWN: _ClassVar[KitSource]

class OutcomeSource(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    OUTCOME_SOURCE_UNSPECIFIED: _ClassVar[OutcomeSource]
    OUTCOME_SOURCE_AT_SCENE: _ClassVar[OutcomeSource]
    OUTCOME_SOURCE_AMBULANCE_SERVICE: _ClassVar[OutcomeSource]
    OUTCOME_SOURCE_HOSPITAL: _ClassVar[OutcomeSource]
    OUTCOME_SOURCE_CORONER: _ClassVar[OutcomeSource]
    OUTCOME_SOURCE_FOLLOW_UP: _ClassVar[OutcomeSource]
    OUTCOME_SOURCE_CORRECTION: _ClassVar[OutcomeSource]

class CorrectionReason(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    CORRECTION_REASON_UNSPECIFIED: _ClassVar[CorrectionReason]
    CORRECTION_REASON_DATA_ENTRY_ERROR: _ClassVar[CorrectionReason]
    CORRECTION_REASON_LATER_INFORMATION: _ClassVar[CorrectionReason]
    CORRECTION_REASON_SUBJECT_IDENTIFIED: _ClassVar[CorrectionReason]
    CORRECTION_REASON_OTHER: _ClassVar[CorrectionReason]

class GovernanceFlag(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    GOVERNANCE_FLAG_UNSPECIFIED: _ClassVar[GovernanceFlag]
    GOVERNANCE_FLAG_OFFICER_NOT_ENROLLED: _ClassVar[GovernanceFlag]
    GOVERNANCE_FLAG_TRAINING_LAPSED: _ClassVar[GovernanceFlag]
    GOVERNANCE_FLAG_OFFICER_WITHDRAWN: _ClassVar[GovernanceFlag]
    GOVERNANCE_FLAG_KIT_UNKNOWN: _ClassVar[GovernanceFlag]
    GOVERNANCE_FLAG_KIT_NOT_HELD_BY_OFFICER: _ClassVar[GovernanceFlag]
    GOVERNANCE_FLAG_KIT_EXPIRED: _ClassVar[GovernanceFlag]
    GOVERNANCE_FLAG_KIT_RECALLED: _ClassVar[GovernanceFlag]
    GOVERNANCE_FLAG_KIT_NOT_IN_SERVICE: _ClassVar[GovernanceFlag]
    GOVERNANCE_FLAG_TIMES_INCONSISTENT: _ClassVar[GovernanceFlag]

class AgeBand(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    AGE_BAND_UNSPECIFIED: _ClassVar[AgeBand]
    AGE_BAND_UNDER_18: _ClassVar[AgeBand]
    AGE_BAND_18_TO_24: _ClassVar[AgeBand]
    AGE_BAND_25_TO_34: _ClassVar[AgeBand]
    AGE_BAND_35_TO_44: _ClassVar[AgeBand]
    AGE_BAND_45_TO_54: _ClassVar[AgeBand]
    AGE_BAND_55_TO_64: _ClassVar[AgeBand]
    AGE_BAND_65_AND_OVER: _ClassVar[AgeBand]
    AGE_BAND_UNKNOWN: _ClassVar[AgeBand]

class ShredReason(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    SHRED_REASON_UNSPECIFIED: _ClassVar[ShredReason]
    SHRED_REASON_ERASURE: _ClassVar[ShredReason]
    SHRED_REASON_RETENTION: _ClassVar[ShredReason]
ADMINISTRATION_ROUTE_UNSPECIFIED: AdministrationRoute
ADMINISTRATION_ROUTE_INTRANASAL: AdministrationRoute
ADMINISTRATION_ROUTE_INTRAMUSCULAR: AdministrationRoute
SUSPECTED_SUBSTANCE_UNSPECIFIED: SuspectedSubstance
SUSPECTED_SUBSTANCE_UNKNOWN: SuspectedSubstance
SUSPECTED_SUBSTANCE_HEROIN: SuspectedSubstance
SUSPECTED_SUBSTANCE_METHADONE: SuspectedSubstance
SUSPECTED_SUBSTANCE_PRESCRIPTION_OPIOID: SuspectedSubstance
SUSPECTED_SUBSTANCE_SYNTHETIC_OPIOID: SuspectedSubstance
SUSPECTED_SUBSTANCE_POLYSUBSTANCE: SuspectedSubstance
SUSPECTED_SUBSTANCE_NON_OPIOID: SuspectedSubstance
INCIDENT_OUTCOME_UNSPECIFIED: IncidentOutcome
INCIDENT_OUTCOME_SURVIVED: IncidentOutcome
INCIDENT_OUTCOME_DIED: IncidentOutcome
INCIDENT_OUTCOME_UNKNOWN: IncidentOutcome
INCIDENT_OUTCOME_ALIVE_AT_HANDOVER: IncidentOutcome
INCIDENT_OUTCOME_ALIVE_REFUSED_HOSPITAL: IncidentOutcome
ADMINISTRATOR_UNSPECIFIED: Administrator
ADMINISTRATOR_OFFICER: Administrator
ADMINISTRATOR_CUSTODY_STAFF: Administrator
ADMINISTRATOR_PARTNER_WORKER: Administrator
ADMINISTRATOR_MEMBER_OF_PUBLIC: Administrator
ADMINISTRATOR_OTHER: Administrator
KIT_SOURCE_UNSPECIFIED: KitSource
KIT_SOURCE_FORCE_KIT: KitSource
KIT_SOURCE_TAKE_HOME_KIT: KitSource
KIT_SOURCE_OTHER_KIT: KitSource
KIT_SOURCE_UNKNOWN: KitSource
OUTCOME_SOURCE_UNSPECIFIED: OutcomeSource
OUTCOME_SOURCE_AT_SCENE: OutcomeSource
OUTCOME_SOURCE_AMBULANCE_SERVICE: OutcomeSource
OUTCOME_SOURCE_HOSPITAL: OutcomeSource
OUTCOME_SOURCE_CORONER: OutcomeSource
OUTCOME_SOURCE_FOLLOW_UP: OutcomeSource
OUTCOME_SOURCE_CORRECTION: OutcomeSource
CORRECTION_REASON_UNSPECIFIED: CorrectionReason
CORRECTION_REASON_DATA_ENTRY_ERROR: CorrectionReason
CORRECTION_REASON_LATER_INFORMATION: CorrectionReason
CORRECTION_REASON_SUBJECT_IDENTIFIED: CorrectionReason
CORRECTION_REASON_OTHER: CorrectionReason
GOVERNANCE_FLAG_UNSPECIFIED: GovernanceFlag
GOVERNANCE_FLAG_OFFICER_NOT_ENROLLED: GovernanceFlag
GOVERNANCE_FLAG_TRAINING_LAPSED: GovernanceFlag
GOVERNANCE_FLAG_OFFICER_WITHDRAWN: GovernanceFlag
GOVERNANCE_FLAG_KIT_UNKNOWN: GovernanceFlag
GOVERNANCE_FLAG_KIT_NOT_HELD_BY_OFFICER: GovernanceFlag
GOVERNANCE_FLAG_KIT_EXPIRED: GovernanceFlag
GOVERNANCE_FLAG_KIT_RECALLED: GovernanceFlag
GOVERNANCE_FLAG_KIT_NOT_IN_SERVICE: GovernanceFlag
GOVERNANCE_FLAG_TIMES_INCONSISTENT: GovernanceFlag
AGE_BAND_UNSPECIFIED: AgeBand
AGE_BAND_UNDER_18: AgeBand
AGE_BAND_18_TO_24: AgeBand
AGE_BAND_25_TO_34: AgeBand
AGE_BAND_35_TO_44: AgeBand
AGE_BAND_45_TO_54: AgeBand
AGE_BAND_55_TO_64: AgeBand
AGE_BAND_65_AND_OVER: AgeBand
AGE_BAND_UNKNOWN: AgeBand
SHRED_REASON_UNSPECIFIED: ShredReason
SHRED_REASON_ERASURE: ShredReason
SHRED_REASON_RETENTION: ShredReason

class NaloxoneAdministered(_message.Message):
    __slots__ = ("incident_id", "force_id", "administration_id", "officer_id", "kit_id", "doses", "administered_at", "route", "subject_pseudonym", "area_code", "location_ciphertext", "officer_training_current", "suspected_substance", "ambulance_called", "subject_details_ciphertext", "administered_by", "staff_number", "given_before_police", "given_before_police_by", "call_at", "arrived_at", "ambulance_arrived_at", "suspected_substances", "response_recorded", "responded_after_dose", "ambulance_attended", "kit_source", "outcome", "outcome_final", "life_saved", "flags")
    INCIDENT_ID_FIELD_NUMBER: _ClassVar[int]
    FORCE_ID_FIELD_NUMBER: _ClassVar[int]
    ADMINISTRATION_ID_FIELD_NUMBER: _ClassVar[int]
    OFFICER_ID_FIELD_NUMBER: _ClassVar[int]
    KIT_ID_FIELD_NUMBER: _ClassVar[int]
    DOSES_FIELD_NUMBER: _ClassVar[int]
    ADMINISTERED_AT_FIELD_NUMBER: _ClassVar[int]
    ROUTE_FIELD_NUMBER: _ClassVar[int]
    SUBJECT_PSEUDONYM_FIELD_NUMBER: _ClassVar[int]
    AREA_CODE_FIELD_NUMBER: _ClassVar[int]
    LOCATION_CIPHERTEXT_FIELD_NUMBER: _ClassVar[int]
    OFFICER_TRAINING_CURRENT_FIELD_NUMBER: _ClassVar[int]
    SUSPECTED_SUBSTANCE_FIELD_NUMBER: _ClassVar[int]
    AMBULANCE_CALLED_FIELD_NUMBER: _ClassVar[int]
    SUBJECT_DETAILS_CIPHERTEXT_FIELD_NUMBER: _ClassVar[int]
    ADMINISTERED_BY_FIELD_NUMBER: _ClassVar[int]
    STAFF_NUMBER_FIELD_NUMBER: _ClassVar[int]
    GIVEN_BEFORE_POLICE_FIELD_NUMBER: _ClassVar[int]
    GIVEN_BEFORE_POLICE_BY_FIELD_NUMBER: _ClassVar[int]
    CALL_AT_FIELD_NUMBER: _ClassVar[int]
    ARRIVED_AT_FIELD_NUMBER: _ClassVar[int]
    AMBULANCE_ARRIVED_AT_FIELD_NUMBER: _ClassVar[int]
    SUSPECTED_SUBSTANCES_FIELD_NUMBER: _ClassVar[int]
    RESPONSE_RECORDED_FIELD_NUMBER: _ClassVar[int]
    RESPONDED_AFTER_DOSE_FIELD_NUMBER: _ClassVar[int]
    AMBULANCE_ATTENDED_FIELD_NUMBER: _ClassVar[int]
    KIT_SOURCE_FIELD_NUMBER: _ClassVar[int]
    OUTCOME_FIELD_NUMBER: _ClassVar[int]
    OUTCOME_FINAL_FIELD_NUMBER: _ClassVar[int]
    LIFE_SAVED_FIELD_NUMBER: _ClassVar[int]
    FLAGS_FIELD_NUMBER: _ClassVar[int]
    incident_id: str
    force_id: str
    administration_id: str
    officer_id: str
    kit_id: str
    doses: int
    administered_at: _timestamp_pb2.Timestamp
    route: AdministrationRoute
    subject_pseudonym: str
    area_code: str
    location_ciphertext: bytes
    officer_training_current: bool
    suspected_substance: SuspectedSubstance
    ambulance_called: bool
    subject_details_ciphertext: bytes
    administered_by: Administrator
    staff_number: str
    given_before_police: bool
    given_before_police_by: Administrator
    call_at: _timestamp_pb2.Timestamp
    arrived_at: _timestamp_pb2.Timestamp
    ambulance_arrived_at: _timestamp_pb2.Timestamp
    suspected_substances: _containers.RepeatedScalarFieldContainer[SuspectedSubstance]
    response_recorded: bool
    responded_after_dose: int
    ambulance_attended: bool
    kit_source: KitSource
    outcome: IncidentOutcome
    outcome_final: bool
    life_saved: bool
    flags: _containers.RepeatedScalarFieldContainer[GovernanceFlag]
    def __init__(self, incident_id: _Optional[str] = ..., force_id: _Optional[str] = ..., administration_id: _Optional[str] = ..., officer_id: _Optional[str] = ..., kit_id: _Optional[str] = ..., doses: _Optional[int] = ..., administered_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., route: _Optional[_Union[AdministrationRoute, str]] = ..., subject_pseudonym: _Optional[str] = ..., area_code: _Optional[str] = ..., location_ciphertext: _Optional[bytes] = ..., officer_training_current: _Optional[bool] = ..., suspected_substance: _Optional[_Union[SuspectedSubstance, str]] = ..., ambulance_called: _Optional[bool] = ..., subject_details_ciphertext: _Optional[bytes] = ..., administered_by: _Optional[_Union[Administrator, str]] = ..., staff_number: _Optional[str] = ..., given_before_police: _Optional[bool] = ..., given_before_police_by: _Optional[_Union[Administrator, str]] = ..., call_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., arrived_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., ambulance_arrived_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., suspected_substances: _Optional[_Iterable[_Union[SuspectedSubstance, str]]] = ..., response_recorded: _Optional[bool] = ..., responded_after_dose: _Optional[int] = ..., ambulance_attended: _Optional[bool] = ..., kit_source: _Optional[_Union[KitSource, str]] = ..., outcome: _Optional[_Union[IncidentOutcome, str]] = ..., outcome_final: _Optional[bool] = ..., life_saved: _Optional[bool] = ..., flags: _Optional[_Iterable[_Union[GovernanceFlag, str]]] = ...) -> None: ...

class AdministrationCorrected(_message.Message):
    __slots__ = ("administration_id", "force_id", "incident_id", "reason", "corrected_fields", "corrected_at", "doses", "route", "suspected_substances", "administered_at", "call_at", "arrived_at", "ambulance_arrived_at", "response_recorded", "responded_after_dose", "ambulance_called", "ambulance_attended", "area_code", "location_ciphertext", "subject_details_ciphertext", "subject_pseudonym", "life_saved", "flags")
    ADMINISTRATION_ID_FIELD_NUMBER: _ClassVar[int]
    FORCE_ID_FIELD_NUMBER: _ClassVar[int]
    INCIDENT_ID_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    CORRECTED_FIELDS_FIELD_NUMBER: _ClassVar[int]
    CORRECTED_AT_FIELD_NUMBER: _ClassVar[int]
    DOSES_FIELD_NUMBER: _ClassVar[int]
    ROUTE_FIELD_NUMBER: _ClassVar[int]
    SUSPECTED_SUBSTANCES_FIELD_NUMBER: _ClassVar[int]
    ADMINISTERED_AT_FIELD_NUMBER: _ClassVar[int]
    CALL_AT_FIELD_NUMBER: _ClassVar[int]
    ARRIVED_AT_FIELD_NUMBER: _ClassVar[int]
    AMBULANCE_ARRIVED_AT_FIELD_NUMBER: _ClassVar[int]
    RESPONSE_RECORDED_FIELD_NUMBER: _ClassVar[int]
    RESPONDED_AFTER_DOSE_FIELD_NUMBER: _ClassVar[int]
    AMBULANCE_CALLED_FIELD_NUMBER: _ClassVar[int]
    AMBULANCE_ATTENDED_FIELD_NUMBER: _ClassVar[int]
    AREA_CODE_FIELD_NUMBER: _ClassVar[int]
    LOCATION_CIPHERTEXT_FIELD_NUMBER: _ClassVar[int]
    SUBJECT_DETAILS_CIPHERTEXT_FIELD_NUMBER: _ClassVar[int]
    SUBJECT_PSEUDONYM_FIELD_NUMBER: _ClassVar[int]
    LIFE_SAVED_FIELD_NUMBER: _ClassVar[int]
    FLAGS_FIELD_NUMBER: _ClassVar[int]
    administration_id: str
    force_id: str
    incident_id: str
    reason: CorrectionReason
    corrected_fields: _containers.RepeatedScalarFieldContainer[str]
    corrected_at: _timestamp_pb2.Timestamp
    doses: int
    route: AdministrationRoute
    suspected_substances: _containers.RepeatedScalarFieldContainer[SuspectedSubstance]
    administered_at: _timestamp_pb2.Timestamp
    call_at: _timestamp_pb2.Timestamp
    arrived_at: _timestamp_pb2.Timestamp
    ambulance_arrived_at: _timestamp_pb2.Timestamp
    response_recorded: bool
    responded_after_dose: int
    ambulance_called: bool
    ambulance_attended: bool
    area_code: str
    location_ciphertext: bytes
    subject_details_ciphertext: bytes
    subject_pseudonym: str
    life_saved: bool
    flags: _containers.RepeatedScalarFieldContainer[GovernanceFlag]
    def __init__(self, administration_id: _Optional[str] = ..., force_id: _Optional[str] = ..., incident_id: _Optional[str] = ..., reason: _Optional[_Union[CorrectionReason, str]] = ..., corrected_fields: _Optional[_Iterable[str]] = ..., corrected_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., doses: _Optional[int] = ..., route: _Optional[_Union[AdministrationRoute, str]] = ..., suspected_substances: _Optional[_Iterable[_Union[SuspectedSubstance, str]]] = ..., administered_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., call_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., arrived_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., ambulance_arrived_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., response_recorded: _Optional[bool] = ..., responded_after_dose: _Optional[int] = ..., ambulance_called: _Optional[bool] = ..., ambulance_attended: _Optional[bool] = ..., area_code: _Optional[str] = ..., location_ciphertext: _Optional[bytes] = ..., subject_details_ciphertext: _Optional[bytes] = ..., subject_pseudonym: _Optional[str] = ..., life_saved: _Optional[bool] = ..., flags: _Optional[_Iterable[_Union[GovernanceFlag, str]]] = ...) -> None: ...

class SubjectErased(_message.Message):
    __slots__ = ("force_id", "subject_pseudonym", "request_id", "erased_at", "records_shredded")
    FORCE_ID_FIELD_NUMBER: _ClassVar[int]
    SUBJECT_PSEUDONYM_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    ERASED_AT_FIELD_NUMBER: _ClassVar[int]
    RECORDS_SHREDDED_FIELD_NUMBER: _ClassVar[int]
    force_id: str
    subject_pseudonym: str
    request_id: str
    erased_at: _timestamp_pb2.Timestamp
    records_shredded: int
    def __init__(self, force_id: _Optional[str] = ..., subject_pseudonym: _Optional[str] = ..., request_id: _Optional[str] = ..., erased_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., records_shredded: _Optional[int] = ...) -> None: ...

class PersonalDataShredded(_message.Message):
    __slots__ = ("administration_id", "force_id", "reason", "shredded_at")
    ADMINISTRATION_ID_FIELD_NUMBER: _ClassVar[int]
    FORCE_ID_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    SHREDDED_AT_FIELD_NUMBER: _ClassVar[int]
    administration_id: str
    force_id: str
    reason: ShredReason
    shredded_at: _timestamp_pb2.Timestamp
    def __init__(self, administration_id: _Optional[str] = ..., force_id: _Optional[str] = ..., reason: _Optional[_Union[ShredReason, str]] = ..., shredded_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class IncidentOutcomeRecorded(_message.Message):
    __slots__ = ("incident_id", "force_id", "outcome", "conveyed_to_hospital", "known_at", "subject_pseudonym", "area_code", "referral_offered", "administration_id", "source", "outcome_final", "life_saved")
    INCIDENT_ID_FIELD_NUMBER: _ClassVar[int]
    FORCE_ID_FIELD_NUMBER: _ClassVar[int]
    OUTCOME_FIELD_NUMBER: _ClassVar[int]
    CONVEYED_TO_HOSPITAL_FIELD_NUMBER: _ClassVar[int]
    KNOWN_AT_FIELD_NUMBER: _ClassVar[int]
    SUBJECT_PSEUDONYM_FIELD_NUMBER: _ClassVar[int]
    AREA_CODE_FIELD_NUMBER: _ClassVar[int]
    REFERRAL_OFFERED_FIELD_NUMBER: _ClassVar[int]
    ADMINISTRATION_ID_FIELD_NUMBER: _ClassVar[int]
    SOURCE_FIELD_NUMBER: _ClassVar[int]
    OUTCOME_FINAL_FIELD_NUMBER: _ClassVar[int]
    LIFE_SAVED_FIELD_NUMBER: _ClassVar[int]
    incident_id: str
    force_id: str
    outcome: IncidentOutcome
    conveyed_to_hospital: bool
    known_at: _timestamp_pb2.Timestamp
    subject_pseudonym: str
    area_code: str
    referral_offered: bool
    administration_id: str
    source: OutcomeSource
    outcome_final: bool
    life_saved: bool
    def __init__(self, incident_id: _Optional[str] = ..., force_id: _Optional[str] = ..., outcome: _Optional[_Union[IncidentOutcome, str]] = ..., conveyed_to_hospital: _Optional[bool] = ..., known_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., subject_pseudonym: _Optional[str] = ..., area_code: _Optional[str] = ..., referral_offered: _Optional[bool] = ..., administration_id: _Optional[str] = ..., source: _Optional[_Union[OutcomeSource, str]] = ..., outcome_final: _Optional[bool] = ..., life_saved: _Optional[bool] = ...) -> None: ...

class OverdoseSpikeDetected(_message.Message):
    __slots__ = ("alert_id", "force_id", "area_code", "window_start", "window_end", "administrations", "expected_administrations", "suspected_substance", "detected_at")
    ALERT_ID_FIELD_NUMBER: _ClassVar[int]
    FORCE_ID_FIELD_NUMBER: _ClassVar[int]
    AREA_CODE_FIELD_NUMBER: _ClassVar[int]
    WINDOW_START_FIELD_NUMBER: _ClassVar[int]
    WINDOW_END_FIELD_NUMBER: _ClassVar[int]
    ADMINISTRATIONS_FIELD_NUMBER: _ClassVar[int]
    EXPECTED_ADMINISTRATIONS_FIELD_NUMBER: _ClassVar[int]
    SUSPECTED_SUBSTANCE_FIELD_NUMBER: _ClassVar[int]
    DETECTED_AT_FIELD_NUMBER: _ClassVar[int]
    alert_id: str
    force_id: str
    area_code: str
    window_start: _timestamp_pb2.Timestamp
    window_end: _timestamp_pb2.Timestamp
    administrations: int
    expected_administrations: float
    suspected_substance: SuspectedSubstance
    detected_at: _timestamp_pb2.Timestamp
    def __init__(self, alert_id: _Optional[str] = ..., force_id: _Optional[str] = ..., area_code: _Optional[str] = ..., window_start: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., window_end: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., administrations: _Optional[int] = ..., expected_administrations: _Optional[float] = ..., suspected_substance: _Optional[_Union[SuspectedSubstance, str]] = ..., detected_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...
