from naloxone.common.v1 import types_pb2 as _types_pb2
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class OfficerRole(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    OFFICER_ROLE_UNSPECIFIED: _ClassVar[OfficerRole]
    OFFICER_ROLE_RESPONSE: _ClassVar[OfficerRole]
    OFFICER_ROLE_NEIGHBOURHOOD: _ClassVar[OfficerRole]
    OFFICER_ROLE_PCSO: _ClassVar[OfficerRole]
    OFFICER_ROLE_CUSTODY_OFFICER: _ClassVar[OfficerRole]
    OFFICER_ROLE_DETENTION_STAFF: _ClassVar[OfficerRole]
    OFFICER_ROLE_SPECIAL_CONSTABLE: _ClassVar[OfficerRole]
    OFFICER_ROLE_SPECIALIST: _ClassVar[OfficerRole]
    OFFICER_ROLE_OTHER: _ClassVar[OfficerRole]
    OFFICER_ROLE_POLICE_OFFICER: _ClassVar[OfficerRole]
    OFFICER_ROLE_VOLUNTEER: _ClassVar[OfficerRole]

class TrainingType(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    TRAINING_TYPE_UNSPECIFIED: _ClassVar[TrainingType]
    TRAINING_TYPE_INITIAL: _ClassVar[TrainingType]
    TRAINING_TYPE_REFRESHER: _ClassVar[TrainingType]

class TrainingDelivery(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    TRAINING_DELIVERY_UNSPECIFIED: _ClassVar[TrainingDelivery]
    TRAINING_DELIVERY_IN_PERSON: _ClassVar[TrainingDelivery]
    TRAINING_DELIVERY_ONLINE: _ClassVar[TrainingDelivery]
    TRAINING_DELIVERY_BLENDED: _ClassVar[TrainingDelivery]

class WithdrawalReason(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    WITHDRAWAL_REASON_UNSPECIFIED: _ClassVar[WithdrawalReason]
    WITHDRAWAL_REASON_LEFT_FORCE: _ClassVar[WithdrawalReason]
    WITHDRAWAL_REASON_OPTED_OUT: _ClassVar[WithdrawalReason]
    WITHDRAWAL_REASON_ROLE_CHANGE: _ClassVar[WithdrawalReason]
    WITHDRAWAL_REASON_OTHER: _ClassVar[WithdrawalReason]
OFFICER_ROLE_UNSPECIFIED: OfficerRole
OFFICER_ROLE_RESPONSE: OfficerRole
OFFICER_ROLE_NEIGHBOURHOOD: OfficerRole
OFFICER_ROLE_PCSO: OfficerRole
OFFICER_ROLE_CUSTODY_OFFICER: OfficerRole
OFFICER_ROLE_DETENTION_STAFF: OfficerRole
OFFICER_ROLE_SPECIAL_CONSTABLE: OfficerRole
OFFICER_ROLE_SPECIALIST: OfficerRole
OFFICER_ROLE_OTHER: OfficerRole
OFFICER_ROLE_POLICE_OFFICER: OfficerRole
OFFICER_ROLE_VOLUNTEER: OfficerRole
TRAINING_TYPE_UNSPECIFIED: TrainingType
TRAINING_TYPE_INITIAL: TrainingType
TRAINING_TYPE_REFRESHER: TrainingType
TRAINING_DELIVERY_UNSPECIFIED: TrainingDelivery
TRAINING_DELIVERY_IN_PERSON: TrainingDelivery
TRAINING_DELIVERY_ONLINE: TrainingDelivery
TRAINING_DELIVERY_BLENDED: TrainingDelivery
WITHDRAWAL_REASON_UNSPECIFIED: WithdrawalReason
WITHDRAWAL_REASON_LEFT_FORCE: WithdrawalReason
WITHDRAWAL_REASON_OPTED_OUT: WithdrawalReason
WITHDRAWAL_REASON_ROLE_CHANGE: WithdrawalReason
WITHDRAWAL_REASON_OTHER: WithdrawalReason

class OfficerEnrolled(_message.Message):
    __slots__ = ("officer_id", "force_id", "staff_number", "role", "enrolled_on", "area_code")
    OFFICER_ID_FIELD_NUMBER: _ClassVar[int]
    FORCE_ID_FIELD_NUMBER: _ClassVar[int]
    STAFF_NUMBER_FIELD_NUMBER: _ClassVar[int]
    ROLE_FIELD_NUMBER: _ClassVar[int]
    ENROLLED_ON_FIELD_NUMBER: _ClassVar[int]
    AREA_CODE_FIELD_NUMBER: _ClassVar[int]
    officer_id: str
    force_id: str
    staff_number: str
    role: OfficerRole
    enrolled_on: _types_pb2.Date
    area_code: str
    def __init__(self, officer_id: _Optional[str] = ..., force_id: _Optional[str] = ..., staff_number: _Optional[str] = ..., role: _Optional[_Union[OfficerRole, str]] = ..., enrolled_on: _Optional[_Union[_types_pb2.Date, _Mapping]] = ..., area_code: _Optional[str] = ...) -> None: ...

class TrainingCompleted(_message.Message):
    __slots__ = ("officer_id", "force_id", "course", "provider", "completed_on", "valid_until", "training_type", "delivery")
    OFFICER_ID_FIELD_NUMBER: _ClassVar[int]
    FORCE_ID_FIELD_NUMBER: _ClassVar[int]
    COURSE_FIELD_NUMBER: _ClassVar[int]
    PROVIDER_FIELD_NUMBER: _ClassVar[int]
    COMPLETED_ON_FIELD_NUMBER: _ClassVar[int]
    VALID_UNTIL_FIELD_NUMBER: _ClassVar[int]
    TRAINING_TYPE_FIELD_NUMBER: _ClassVar[int]
    DELIVERY_FIELD_NUMBER: _ClassVar[int]
    officer_id: str
    force_id: str
    course: str
    provider: str
    completed_on: _types_pb2.Date
    valid_until: _types_pb2.Date
    training_type: TrainingType
    delivery: TrainingDelivery
    def __init__(self, officer_id: _Optional[str] = ..., force_id: _Optional[str] = ..., course: _Optional[str] = ..., provider: _Optional[str] = ..., completed_on: _Optional[_Union[_types_pb2.Date, _Mapping]] = ..., valid_until: _Optional[_Union[_types_pb2.Date, _Mapping]] = ..., training_type: _Optional[_Union[TrainingType, str]] = ..., delivery: _Optional[_Union[TrainingDelivery, str]] = ...) -> None: ...

class CertificationExpired(_message.Message):
    __slots__ = ("officer_id", "force_id", "expired_on", "valid_until")
    OFFICER_ID_FIELD_NUMBER: _ClassVar[int]
    FORCE_ID_FIELD_NUMBER: _ClassVar[int]
    EXPIRED_ON_FIELD_NUMBER: _ClassVar[int]
    VALID_UNTIL_FIELD_NUMBER: _ClassVar[int]
    officer_id: str
    force_id: str
    expired_on: _types_pb2.Date
    valid_until: _types_pb2.Date
    def __init__(self, officer_id: _Optional[str] = ..., force_id: _Optional[str] = ..., expired_on: _Optional[_Union[_types_pb2.Date, _Mapping]] = ..., valid_until: _Optional[_Union[_types_pb2.Date, _Mapping]] = ...) -> None: ...

class OfficerWithdrawn(_message.Message):
    __slots__ = ("officer_id", "force_id", "reason", "withdrawn_on")
    OFFICER_ID_FIELD_NUMBER: _ClassVar[int]
    FORCE_ID_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    WITHDRAWN_ON_FIELD_NUMBER: _ClassVar[int]
    officer_id: str
    force_id: str
    reason: WithdrawalReason
    withdrawn_on: _types_pb2.Date
    def __init__(self, officer_id: _Optional[str] = ..., force_id: _Optional[str] = ..., reason: _Optional[_Union[WithdrawalReason, str]] = ..., withdrawn_on: _Optional[_Union[_types_pb2.Date, _Mapping]] = ...) -> None: ...

class CertificationPolicySet(_message.Message):
    __slots__ = ("force_id", "certification_months", "effective_on")
    FORCE_ID_FIELD_NUMBER: _ClassVar[int]
    CERTIFICATION_MONTHS_FIELD_NUMBER: _ClassVar[int]
    EFFECTIVE_ON_FIELD_NUMBER: _ClassVar[int]
    force_id: str
    certification_months: int
    effective_on: _types_pb2.Date
    def __init__(self, force_id: _Optional[str] = ..., certification_months: _Optional[int] = ..., effective_on: _Optional[_Union[_types_pb2.Date, _Mapping]] = ...) -> None: ...
