from naloxone.common.v1 import types_pb2 as _types_pb2
from naloxone.training.v1 import events_pb2 as _events_pb2
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class OfficerEnrolmentRecord(_message.Message):
    __slots__ = ("staff_number", "role", "enrolled_on", "area_code")
    STAFF_NUMBER_FIELD_NUMBER: _ClassVar[int]
    ROLE_FIELD_NUMBER: _ClassVar[int]
    ENROLLED_ON_FIELD_NUMBER: _ClassVar[int]
    AREA_CODE_FIELD_NUMBER: _ClassVar[int]
    staff_number: str
    role: _events_pb2.OfficerRole
    enrolled_on: _types_pb2.Date
    area_code: str
    def __init__(self, staff_number: _Optional[str] = ..., role: _Optional[_Union[_events_pb2.OfficerRole, str]] = ..., enrolled_on: _Optional[_Union[_types_pb2.Date, _Mapping]] = ..., area_code: _Optional[str] = ...) -> None: ...

class TrainingRecord(_message.Message):
    __slots__ = ("staff_number", "course", "provider", "completed_on", "valid_until", "delivery")
    STAFF_NUMBER_FIELD_NUMBER: _ClassVar[int]
    COURSE_FIELD_NUMBER: _ClassVar[int]
    PROVIDER_FIELD_NUMBER: _ClassVar[int]
    COMPLETED_ON_FIELD_NUMBER: _ClassVar[int]
    VALID_UNTIL_FIELD_NUMBER: _ClassVar[int]
    DELIVERY_FIELD_NUMBER: _ClassVar[int]
    staff_number: str
    course: str
    provider: str
    completed_on: _types_pb2.Date
    valid_until: _types_pb2.Date
    delivery: _events_pb2.TrainingDelivery
    def __init__(self, staff_number: _Optional[str] = ..., course: _Optional[str] = ..., provider: _Optional[str] = ..., completed_on: _Optional[_Union[_types_pb2.Date, _Mapping]] = ..., valid_until: _Optional[_Union[_types_pb2.Date, _Mapping]] = ..., delivery: _Optional[_Union[_events_pb2.TrainingDelivery, str]] = ...) -> None: ...
