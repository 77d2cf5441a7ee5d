import datetime

from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Mapping as _Mapping
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

class NaloxoneAdministered(_message.Message):
    __slots__ = ("incident_id", "force_id", "administration_id", "officer_id", "kit_id", "doses", "administered_at", "route", "subject_pseudonym", "area_code", "location_ciphertext", "officer_training_current", "suspected_substance", "ambulance_called", "subject_details_ciphertext")
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
    def __init__(self, incident_id: _Optional[str] = ..., force_id: _Optional[str] = ..., administration_id: _Optional[str] = ..., officer_id: _Optional[str] = ..., kit_id: _Optional[str] = ..., doses: _Optional[int] = ..., administered_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., route: _Optional[_Union[AdministrationRoute, str]] = ..., subject_pseudonym: _Optional[str] = ..., area_code: _Optional[str] = ..., location_ciphertext: _Optional[bytes] = ..., officer_training_current: _Optional[bool] = ..., suspected_substance: _Optional[_Union[SuspectedSubstance, str]] = ..., ambulance_called: _Optional[bool] = ..., subject_details_ciphertext: _Optional[bytes] = ...) -> None: ...

class IncidentOutcomeRecorded(_message.Message):
    __slots__ = ("incident_id", "force_id", "outcome", "conveyed_to_hospital", "known_at", "subject_pseudonym", "area_code", "referral_offered")
    INCIDENT_ID_FIELD_NUMBER: _ClassVar[int]
    FORCE_ID_FIELD_NUMBER: _ClassVar[int]
    OUTCOME_FIELD_NUMBER: _ClassVar[int]
    CONVEYED_TO_HOSPITAL_FIELD_NUMBER: _ClassVar[int]
    KNOWN_AT_FIELD_NUMBER: _ClassVar[int]
    SUBJECT_PSEUDONYM_FIELD_NUMBER: _ClassVar[int]
    AREA_CODE_FIELD_NUMBER: _ClassVar[int]
    REFERRAL_OFFERED_FIELD_NUMBER: _ClassVar[int]
    incident_id: str
    force_id: str
    outcome: IncidentOutcome
    conveyed_to_hospital: bool
    known_at: _timestamp_pb2.Timestamp
    subject_pseudonym: str
    area_code: str
    referral_offered: bool
    def __init__(self, incident_id: _Optional[str] = ..., force_id: _Optional[str] = ..., outcome: _Optional[_Union[IncidentOutcome, str]] = ..., conveyed_to_hospital: _Optional[bool] = ..., known_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., subject_pseudonym: _Optional[str] = ..., area_code: _Optional[str] = ..., referral_offered: _Optional[bool] = ...) -> None: ...

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
