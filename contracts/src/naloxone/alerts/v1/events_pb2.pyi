import datetime

from google.protobuf import timestamp_pb2 as _timestamp_pb2
from naloxone.alerts.v1 import types_pb2 as _types_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class SpikeThresholdsSet(_message.Message):
    __slots__ = ("force_id", "window_hours", "default_threshold", "area_thresholds", "neighbours", "grace_minutes", "set_at")
    FORCE_ID_FIELD_NUMBER: _ClassVar[int]
    WINDOW_HOURS_FIELD_NUMBER: _ClassVar[int]
    DEFAULT_THRESHOLD_FIELD_NUMBER: _ClassVar[int]
    AREA_THRESHOLDS_FIELD_NUMBER: _ClassVar[int]
    NEIGHBOURS_FIELD_NUMBER: _ClassVar[int]
    GRACE_MINUTES_FIELD_NUMBER: _ClassVar[int]
    SET_AT_FIELD_NUMBER: _ClassVar[int]
    force_id: str
    window_hours: int
    default_threshold: int
    area_thresholds: _containers.RepeatedCompositeFieldContainer[_types_pb2.AreaThreshold]
    neighbours: _containers.RepeatedCompositeFieldContainer[_types_pb2.AreaNeighbours]
    grace_minutes: int
    set_at: _timestamp_pb2.Timestamp
    def __init__(self, force_id: _Optional[str] = ..., window_hours: _Optional[int] = ..., default_threshold: _Optional[int] = ..., area_thresholds: _Optional[_Iterable[_Union[_types_pb2.AreaThreshold, _Mapping]]] = ..., neighbours: _Optional[_Iterable[_Union[_types_pb2.AreaNeighbours, _Mapping]]] = ..., grace_minutes: _Optional[int] = ..., set_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class AdministrationCounted(_message.Message):
    __slots__ = ("force_id", "administration_id", "incident_id", "area_code", "administered_at")
    FORCE_ID_FIELD_NUMBER: _ClassVar[int]
    ADMINISTRATION_ID_FIELD_NUMBER: _ClassVar[int]
    INCIDENT_ID_FIELD_NUMBER: _ClassVar[int]
    AREA_CODE_FIELD_NUMBER: _ClassVar[int]
    ADMINISTERED_AT_FIELD_NUMBER: _ClassVar[int]
    force_id: str
    administration_id: str
    incident_id: str
    area_code: str
    administered_at: _timestamp_pb2.Timestamp
    def __init__(self, force_id: _Optional[str] = ..., administration_id: _Optional[str] = ..., incident_id: _Optional[str] = ..., area_code: _Optional[str] = ..., administered_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class AdministrationRecounted(_message.Message):
    __slots__ = ("force_id", "administration_id", "area_code", "administered_at", "previous_area_code", "previous_administered_at")
    FORCE_ID_FIELD_NUMBER: _ClassVar[int]
    ADMINISTRATION_ID_FIELD_NUMBER: _ClassVar[int]
    AREA_CODE_FIELD_NUMBER: _ClassVar[int]
    ADMINISTERED_AT_FIELD_NUMBER: _ClassVar[int]
    PREVIOUS_AREA_CODE_FIELD_NUMBER: _ClassVar[int]
    PREVIOUS_ADMINISTERED_AT_FIELD_NUMBER: _ClassVar[int]
    force_id: str
    administration_id: str
    area_code: str
    administered_at: _timestamp_pb2.Timestamp
    previous_area_code: str
    previous_administered_at: _timestamp_pb2.Timestamp
    def __init__(self, force_id: _Optional[str] = ..., administration_id: _Optional[str] = ..., area_code: _Optional[str] = ..., administered_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., previous_area_code: _Optional[str] = ..., previous_administered_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class OverdoseSpikeDetected(_message.Message):
    __slots__ = ("alert_id", "force_id", "area_code", "neighbouring_area_codes", "threshold", "window_hours", "window_start", "window_end", "cases", "administrations", "grace_minutes")
    ALERT_ID_FIELD_NUMBER: _ClassVar[int]
    FORCE_ID_FIELD_NUMBER: _ClassVar[int]
    AREA_CODE_FIELD_NUMBER: _ClassVar[int]
    NEIGHBOURING_AREA_CODES_FIELD_NUMBER: _ClassVar[int]
    THRESHOLD_FIELD_NUMBER: _ClassVar[int]
    WINDOW_HOURS_FIELD_NUMBER: _ClassVar[int]
    WINDOW_START_FIELD_NUMBER: _ClassVar[int]
    WINDOW_END_FIELD_NUMBER: _ClassVar[int]
    CASES_FIELD_NUMBER: _ClassVar[int]
    ADMINISTRATIONS_FIELD_NUMBER: _ClassVar[int]
    GRACE_MINUTES_FIELD_NUMBER: _ClassVar[int]
    alert_id: str
    force_id: str
    area_code: str
    neighbouring_area_codes: _containers.RepeatedScalarFieldContainer[str]
    threshold: int
    window_hours: int
    window_start: _timestamp_pb2.Timestamp
    window_end: _timestamp_pb2.Timestamp
    cases: _containers.RepeatedCompositeFieldContainer[_types_pb2.SpikeCase]
    administrations: int
    grace_minutes: int
    def __init__(self, alert_id: _Optional[str] = ..., force_id: _Optional[str] = ..., area_code: _Optional[str] = ..., neighbouring_area_codes: _Optional[_Iterable[str]] = ..., threshold: _Optional[int] = ..., window_hours: _Optional[int] = ..., window_start: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., window_end: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., cases: _Optional[_Iterable[_Union[_types_pb2.SpikeCase, _Mapping]]] = ..., administrations: _Optional[int] = ..., grace_minutes: _Optional[int] = ...) -> None: ...

class OverdoseSpikeSubsided(_message.Message):
    __slots__ = ("alert_id", "force_id", "area_code", "started_at", "subsided_at", "cases", "administrations", "peak_administrations")
    ALERT_ID_FIELD_NUMBER: _ClassVar[int]
    FORCE_ID_FIELD_NUMBER: _ClassVar[int]
    AREA_CODE_FIELD_NUMBER: _ClassVar[int]
    STARTED_AT_FIELD_NUMBER: _ClassVar[int]
    SUBSIDED_AT_FIELD_NUMBER: _ClassVar[int]
    CASES_FIELD_NUMBER: _ClassVar[int]
    ADMINISTRATIONS_FIELD_NUMBER: _ClassVar[int]
    PEAK_ADMINISTRATIONS_FIELD_NUMBER: _ClassVar[int]
    alert_id: str
    force_id: str
    area_code: str
    started_at: _timestamp_pb2.Timestamp
    subsided_at: _timestamp_pb2.Timestamp
    cases: _containers.RepeatedCompositeFieldContainer[_types_pb2.SpikeCase]
    administrations: int
    peak_administrations: int
    def __init__(self, alert_id: _Optional[str] = ..., force_id: _Optional[str] = ..., area_code: _Optional[str] = ..., started_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., subsided_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., cases: _Optional[_Iterable[_Union[_types_pb2.SpikeCase, _Mapping]]] = ..., administrations: _Optional[int] = ..., peak_administrations: _Optional[int] = ...) -> None: ...

class WebhookSubscribed(_message.Message):
    __slots__ = ("force_id", "subscription_id", "url", "subscribed_at")
    FORCE_ID_FIELD_NUMBER: _ClassVar[int]
    SUBSCRIPTION_ID_FIELD_NUMBER: _ClassVar[int]
    URL_FIELD_NUMBER: _ClassVar[int]
    SUBSCRIBED_AT_FIELD_NUMBER: _ClassVar[int]
    force_id: str
    subscription_id: str
    url: str
    subscribed_at: _timestamp_pb2.Timestamp
    def __init__(self, force_id: _Optional[str] = ..., subscription_id: _Optional[str] = ..., url: _Optional[str] = ..., subscribed_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class WebhookUnsubscribed(_message.Message):
    __slots__ = ("force_id", "subscription_id", "unsubscribed_at")
    FORCE_ID_FIELD_NUMBER: _ClassVar[int]
    SUBSCRIPTION_ID_FIELD_NUMBER: _ClassVar[int]
    UNSUBSCRIBED_AT_FIELD_NUMBER: _ClassVar[int]
    force_id: str
    subscription_id: str
    unsubscribed_at: _timestamp_pb2.Timestamp
    def __init__(self, force_id: _Optional[str] = ..., subscription_id: _Optional[str] = ..., unsubscribed_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...
