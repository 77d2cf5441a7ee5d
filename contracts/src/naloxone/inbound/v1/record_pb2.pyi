import datetime

from google.protobuf import any_pb2 as _any_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class InboundRecord(_message.Message):
    __slots__ = ("idempotency_key", "force_id", "source_system", "correlation_id", "produced_at", "record", "personal_ciphertext")
    IDEMPOTENCY_KEY_FIELD_NUMBER: _ClassVar[int]
    FORCE_ID_FIELD_NUMBER: _ClassVar[int]
    SOURCE_SYSTEM_FIELD_NUMBER: _ClassVar[int]
    CORRELATION_ID_FIELD_NUMBER: _ClassVar[int]
    PRODUCED_AT_FIELD_NUMBER: _ClassVar[int]
    RECORD_FIELD_NUMBER: _ClassVar[int]
    PERSONAL_CIPHERTEXT_FIELD_NUMBER: _ClassVar[int]
    idempotency_key: str
    force_id: str
    source_system: str
    correlation_id: str
    produced_at: _timestamp_pb2.Timestamp
    record: _any_pb2.Any
    personal_ciphertext: bytes
    def __init__(self, idempotency_key: _Optional[str] = ..., force_id: _Optional[str] = ..., source_system: _Optional[str] = ..., correlation_id: _Optional[str] = ..., produced_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., record: _Optional[_Union[_any_pb2.Any, _Mapping]] = ..., personal_ciphertext: _Optional[bytes] = ...) -> None: ...
