import datetime

from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class SpikeCase(_message.Message):
    __slots__ = ("administration_id", "area_code", "administered_at")
    ADMINISTRATION_ID_FIELD_NUMBER: _ClassVar[int]
    AREA_CODE_FIELD_NUMBER: _ClassVar[int]
    ADMINISTERED_AT_FIELD_NUMBER: _ClassVar[int]
    administration_id: str
    area_code: str
    administered_at: _timestamp_pb2.Timestamp
    def __init__(self, administration_id: _Optional[str] = ..., area_code: _Optional[str] = ..., administered_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class AreaThreshold(_message.Message):
    __slots__ = ("area_code", "threshold")
    AREA_CODE_FIELD_NUMBER: _ClassVar[int]
    THRESHOLD_FIELD_NUMBER: _ClassVar[int]
    area_code: str
    threshold: int
    def __init__(self, area_code: _Optional[str] = ..., threshold: _Optional[int] = ...) -> None: ...

class AreaNeighbours(_message.Message):
    __slots__ = ("area_code", "neighbour_area_codes")
    AREA_CODE_FIELD_NUMBER: _ClassVar[int]
    NEIGHBOUR_AREA_CODES_FIELD_NUMBER: _ClassVar[int]
    area_code: str
    neighbour_area_codes: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, area_code: _Optional[str] = ..., neighbour_area_codes: _Optional[_Iterable[str]] = ...) -> None: ...
