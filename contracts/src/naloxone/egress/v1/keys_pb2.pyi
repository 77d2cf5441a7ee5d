from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class ForceDataKeys(_message.Message):
    __slots__ = ("keys",)
    KEYS_FIELD_NUMBER: _ClassVar[int]
    keys: _containers.RepeatedCompositeFieldContainer[ForceDataKey]
    def __init__(self, keys: _Optional[_Iterable[_Union[ForceDataKey, _Mapping]]] = ...) -> None: ...

class ForceDataKey(_message.Message):
    __slots__ = ("key_id", "force_key_id", "algorithm", "wrapped_key", "record_type", "record_id")
    KEY_ID_FIELD_NUMBER: _ClassVar[int]
    FORCE_KEY_ID_FIELD_NUMBER: _ClassVar[int]
    ALGORITHM_FIELD_NUMBER: _ClassVar[int]
    WRAPPED_KEY_FIELD_NUMBER: _ClassVar[int]
    RECORD_TYPE_FIELD_NUMBER: _ClassVar[int]
    RECORD_ID_FIELD_NUMBER: _ClassVar[int]
    key_id: str
    force_key_id: str
    algorithm: str
    wrapped_key: bytes
    record_type: str
    record_id: str
    def __init__(self, key_id: _Optional[str] = ..., force_key_id: _Optional[str] = ..., algorithm: _Optional[str] = ..., wrapped_key: _Optional[bytes] = ..., record_type: _Optional[str] = ..., record_id: _Optional[str] = ...) -> None: ...
