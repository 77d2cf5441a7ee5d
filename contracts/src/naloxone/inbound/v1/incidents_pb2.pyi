import datetime

from google.protobuf import timestamp_pb2 as _timestamp_pb2
from naloxone.incidents.v1 import events_pb2 as _events_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class Place(_message.Message):
    __slots__ = ("area_code",)
    AREA_CODE_FIELD_NUMBER: _ClassVar[int]
    area_code: str
    def __init__(self, area_code: _Optional[str] = ...) -> None: ...

class AdministrationRecord(_message.Message):
    __slots__ = ("incident_id", "administered_by", "staff_number", "given_before_police", "given_before_police_by", "kit_source", "kit_id", "call_at", "arrived_at", "administered_at", "ambulance_arrived_at", "doses", "route", "suspected_substances", "response_recorded", "responded_after_dose", "ambulance_called", "ambulance_attended", "outcome", "outcome_final", "conveyed_to_hospital", "place")
    INCIDENT_ID_FIELD_NUMBER: _ClassVar[int]
    ADMINISTERED_BY_FIELD_NUMBER: _ClassVar[int]
    STAFF_NUMBER_FIELD_NUMBER: _ClassVar[int]
    GIVEN_BEFORE_POLICE_FIELD_NUMBER: _ClassVar[int]
    GIVEN_BEFORE_POLICE_BY_FIELD_NUMBER: _ClassVar[int]
    KIT_SOURCE_FIELD_NUMBER: _ClassVar[int]
    KIT_ID_FIELD_NUMBER: _ClassVar[int]
    CALL_AT_FIELD_NUMBER: _ClassVar[int]
    ARRIVED_AT_FIELD_NUMBER: _ClassVar[int]
    ADMINISTERED_AT_FIELD_NUMBER: _ClassVar[int]
    AMBULANCE_ARRIVED_AT_FIELD_NUMBER: _ClassVar[int]
    DOSES_FIELD_NUMBER: _ClassVar[int]
    ROUTE_FIELD_NUMBER: _ClassVar[int]
    SUSPECTED_SUBSTANCES_FIELD_NUMBER: _ClassVar[int]
    RESPONSE_RECORDED_FIELD_NUMBER: _ClassVar[int]
    RESPONDED_AFTER_DOSE_FIELD_NUMBER: _ClassVar[int]
    AMBULANCE_CALLED_FIELD_NUMBER: _ClassVar[int]
    AMBULANCE_ATTENDED_FIELD_NUMBER: _ClassVar[int]
    OUTCOME_FIELD_NUMBER: _ClassVar[int]
    OUTCOME_FINAL_FIELD_NUMBER: _ClassVar[int]
    CONVEYED_TO_HOSPITAL_FIELD_NUMBER: _ClassVar[int]
    PLACE_FIELD_NUMBER: _ClassVar[int]
    incident_id: str
    administered_by: _events_pb2.Administrator
    staff_number: str
    given_before_police: bool
    given_before_police_by: _events_pb2.Administrator
    kit_source: _events_pb2.KitSource
    kit_id: str
    call_at: _timestamp_pb2.Timestamp
    arrived_at: _timestamp_pb2.Timestamp
    administered_at: _timestamp_pb2.Timestamp
    ambulance_arrived_at: _timestamp_pb2.Timestamp
    doses: int
    route: _events_pb2.AdministrationRoute
    suspected_substances: _containers.RepeatedScalarFieldContainer[_events_pb2.SuspectedSubstance]
    response_recorded: bool
    responded_after_dose: int
    ambulance_called: bool
    ambulance_attended: bool
    outcome: _events_pb2.IncidentOutcome
    outcome_final: bool
    conveyed_to_hospital: bool
    place: Place
    def __init__(self, incident_id: _Optional[str] = ..., administered_by: _Optional[_Union[_events_pb2.Administrator, str]] = ..., staff_number: _Optional[str] = ..., given_before_police: _Optional[bool] = ..., given_before_police_by: _Optional[_Union[_events_pb2.Administrator, str]] = ..., kit_source: _Optional[_Union[_events_pb2.KitSource, str]] = ..., kit_id: _Optional[str] = ..., call_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., arrived_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., administered_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., ambulance_arrived_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., doses: _Optional[int] = ..., route: _Optional[_Union[_events_pb2.AdministrationRoute, str]] = ..., suspected_substances: _Optional[_Iterable[_Union[_events_pb2.SuspectedSubstance, str]]] = ..., response_recorded: _Optional[bool] = ..., responded_after_dose: _Optional[int] = ..., ambulance_called: _Optional[bool] = ..., ambulance_attended: _Optional[bool] = ..., outcome: _Optional[_Union[_events_pb2.IncidentOutcome, str]] = ..., outcome_final: _Optional[bool] = ..., conveyed_to_hospital: _Optional[bool] = ..., place: _Optional[_Union[Place, _Mapping]] = ...) -> None: ...
