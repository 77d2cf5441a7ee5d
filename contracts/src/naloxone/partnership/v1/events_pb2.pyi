from naloxone.common.v1 import types_pb2 as _types_pb2
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class AgreementMade(_message.Message):
    __slots__ = ("agreement_id", "force_id", "org", "purpose", "starts_on", "ends_on")
    AGREEMENT_ID_FIELD_NUMBER: _ClassVar[int]
    FORCE_ID_FIELD_NUMBER: _ClassVar[int]
    ORG_FIELD_NUMBER: _ClassVar[int]
    PURPOSE_FIELD_NUMBER: _ClassVar[int]
    STARTS_ON_FIELD_NUMBER: _ClassVar[int]
    ENDS_ON_FIELD_NUMBER: _ClassVar[int]
    agreement_id: str
    force_id: str
    org: str
    purpose: str
    starts_on: _types_pb2.Date
    ends_on: _types_pb2.Date
    def __init__(self, agreement_id: _Optional[str] = ..., force_id: _Optional[str] = ..., org: _Optional[str] = ..., purpose: _Optional[str] = ..., starts_on: _Optional[_Union[_types_pb2.Date, _Mapping]] = ..., ends_on: _Optional[_Union[_types_pb2.Date, _Mapping]] = ...) -> None: ...

class AgreementRevoked(_message.Message):
    __slots__ = ("agreement_id", "force_id", "reason")
    AGREEMENT_ID_FIELD_NUMBER: _ClassVar[int]
    FORCE_ID_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    agreement_id: str
    force_id: str
    reason: str
    def __init__(self, agreement_id: _Optional[str] = ..., force_id: _Optional[str] = ..., reason: _Optional[str] = ...) -> None: ...

class RoleGranted(_message.Message):
    __slots__ = ("grant_id", "force_id", "grantee", "role")
    GRANT_ID_FIELD_NUMBER: _ClassVar[int]
    FORCE_ID_FIELD_NUMBER: _ClassVar[int]
    GRANTEE_FIELD_NUMBER: _ClassVar[int]
    ROLE_FIELD_NUMBER: _ClassVar[int]
    grant_id: str
    force_id: str
    grantee: str
    role: str
    def __init__(self, grant_id: _Optional[str] = ..., force_id: _Optional[str] = ..., grantee: _Optional[str] = ..., role: _Optional[str] = ...) -> None: ...

class RoleGrantRevoked(_message.Message):
    __slots__ = ("grant_id", "force_id")
    GRANT_ID_FIELD_NUMBER: _ClassVar[int]
    FORCE_ID_FIELD_NUMBER: _ClassVar[int]
    grant_id: str
    force_id: str
    def __init__(self, grant_id: _Optional[str] = ..., force_id: _Optional[str] = ...) -> None: ...
