from naloxone.common.v1 import types_pb2 as _types_pb2
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class ProvisionStatus(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    PROVISION_STATUS_UNSPECIFIED: _ClassVar[ProvisionStatus]
    PROVISION_STATUS_ONGOING: _ClassVar[ProvisionStatus]
    PROVISION_STATUS_PILOT: _ClassVar[ProvisionStatus]
    PROVISION_STATUS_AGREED: _ClassVar[ProvisionStatus]
    PROVISION_STATUS_COMMITTED: _ClassVar[ProvisionStatus]
    PROVISION_STATUS_NONE: _ClassVar[ProvisionStatus]
PROVISION_STATUS_UNSPECIFIED: ProvisionStatus
PROVISION_STATUS_ONGOING: ProvisionStatus
PROVISION_STATUS_PILOT: ProvisionStatus
PROVISION_STATUS_AGREED: ProvisionStatus
PROVISION_STATUS_COMMITTED: ProvisionStatus
PROVISION_STATUS_NONE: ProvisionStatus

class ProvisionStatusSet(_message.Message):
    __slots__ = ("force_id", "status", "previous_status", "effective_on")
    FORCE_ID_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    PREVIOUS_STATUS_FIELD_NUMBER: _ClassVar[int]
    EFFECTIVE_ON_FIELD_NUMBER: _ClassVar[int]
    force_id: str
    status: ProvisionStatus
    previous_status: ProvisionStatus
    effective_on: _types_pb2.Date
    def __init__(self, force_id: _Optional[str] = ..., status: _Optional[_Union[ProvisionStatus, str]] = ..., previous_status: _Optional[_Union[ProvisionStatus, str]] = ..., effective_on: _Optional[_Union[_types_pb2.Date, _Mapping]] = ...) -> None: ...
