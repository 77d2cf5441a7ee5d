import datetime

from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class RejectionReason(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    REJECTION_REASON_UNSPECIFIED: _ClassVar[RejectionReason]
    REJECTION_REASON_UNPARSEABLE: _ClassVar[RejectionReason]
    REJECTION_REASON_UNKNOWN_EVENT_TYPE: _ClassVar[RejectionReason]
    REJECTION_REASON_INVALID: _ClassVar[RejectionReason]
    REJECTION_REASON_FORBIDDEN: _ClassVar[RejectionReason]
    REJECTION_REASON_OTHER: _ClassVar[RejectionReason]
REJECTION_REASON_UNSPECIFIED: RejectionReason
REJECTION_REASON_UNPARSEABLE: RejectionReason
REJECTION_REASON_UNKNOWN_EVENT_TYPE: RejectionReason
REJECTION_REASON_INVALID: RejectionReason
REJECTION_REASON_FORBIDDEN: RejectionReason
REJECTION_REASON_OTHER: RejectionReason

class DeadLetter(_message.Message):
    __slots__ = ("source_topic", "source_partition", "source_offset", "source_key", "source_value", "force_id", "reason", "detail", "rejected_at", "rejected_by", "field")
    SOURCE_TOPIC_FIELD_NUMBER: _ClassVar[int]
    SOURCE_PARTITION_FIELD_NUMBER: _ClassVar[int]
    SOURCE_OFFSET_FIELD_NUMBER: _ClassVar[int]
    SOURCE_KEY_FIELD_NUMBER: _ClassVar[int]
    SOURCE_VALUE_FIELD_NUMBER: _ClassVar[int]
    FORCE_ID_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    DETAIL_FIELD_NUMBER: _ClassVar[int]
    REJECTED_AT_FIELD_NUMBER: _ClassVar[int]
    REJECTED_BY_FIELD_NUMBER: _ClassVar[int]
    FIELD_FIELD_NUMBER: _ClassVar[int]
    source_topic: str
    source_partition: int
    source_offset: int
    source_key: bytes
    source_value: bytes
    force_id: str
    reason: RejectionReason
    detail: str
    rejected_at: _timestamp_pb2.Timestamp
    rejected_by: str
    field: str
    def __init__(self, source_topic: _Optional[str] = ..., source_partition: _Optional[int] = ..., source_offset: _Optional[int] = ..., source_key: _Optional[bytes] = ..., source_value: _Optional[bytes] = ..., force_id: _Optional[str] = ..., reason: _Optional[_Union[RejectionReason, str]] = ..., detail: _Optional[str] = ..., rejected_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., rejected_by: _Optional[str] = ..., field: _Optional[str] = ...) -> None: ...
