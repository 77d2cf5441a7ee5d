import datetime

from google.protobuf import timestamp_pb2 as _timestamp_pb2
from naloxone.common.v1 import types_pb2 as _types_pb2
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class ReferralScheme(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    REFERRAL_SCHEME_UNSPECIFIED: _ClassVar[ReferralScheme]
    REFERRAL_SCHEME_DIVERSION: _ClassVar[ReferralScheme]
    REFERRAL_SCHEME_ARREST_REFERRAL: _ClassVar[ReferralScheme]
    REFERRAL_SCHEME_TREATMENT: _ClassVar[ReferralScheme]
    REFERRAL_SCHEME_HARM_REDUCTION: _ClassVar[ReferralScheme]
    REFERRAL_SCHEME_OTHER: _ClassVar[ReferralScheme]
    REFERRAL_SCHEME_DEFERRED_PROSECUTION: _ClassVar[ReferralScheme]
    REFERRAL_SCHEME_DRUG_EDUCATION: _ClassVar[ReferralScheme]

class ReferralSource(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    REFERRAL_SOURCE_UNSPECIFIED: _ClassVar[ReferralSource]
    REFERRAL_SOURCE_CUSTODY: _ClassVar[ReferralSource]
    REFERRAL_SOURCE_STREET: _ClassVar[ReferralSource]
    REFERRAL_SOURCE_POST_OVERDOSE: _ClassVar[ReferralSource]
    REFERRAL_SOURCE_OTHER: _ClassVar[ReferralSource]
    REFERRAL_SOURCE_NEIGHBOURHOOD_POLICING: _ClassVar[ReferralSource]
    REFERRAL_SOURCE_TAKE_HOME_SUPPLY: _ClassVar[ReferralSource]

class ReferralConsent(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    REFERRAL_CONSENT_UNSPECIFIED: _ClassVar[ReferralConsent]
    REFERRAL_CONSENT_GIVEN: _ClassVar[ReferralConsent]
    REFERRAL_CONSENT_PENDING: _ClassVar[ReferralConsent]

class ReferralShredReason(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    REFERRAL_SHRED_REASON_UNSPECIFIED: _ClassVar[ReferralShredReason]
    REFERRAL_SHRED_REASON_ERASURE: _ClassVar[ReferralShredReason]
    REFERRAL_SHRED_REASON_RETENTION: _ClassVar[ReferralShredReason]

class DeclineReason(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    DECLINE_REASON_UNSPECIFIED: _ClassVar[DeclineReason]
    DECLINE_REASON_PERSON_DECLINED: _ClassVar[DeclineReason]
    DECLINE_REASON_NOT_ELIGIBLE: _ClassVar[DeclineReason]
    DECLINE_REASON_NO_CONTACT: _ClassVar[DeclineReason]
    DECLINE_REASON_NO_CAPACITY: _ClassVar[DeclineReason]
    DECLINE_REASON_OTHER: _ClassVar[DeclineReason]

class Intervention(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    INTERVENTION_UNSPECIFIED: _ClassVar[Intervention]
    INTERVENTION_STRUCTURED_TREATMENT: _ClassVar[Intervention]
    INTERVENTION_HARM_REDUCTION: _ClassVar[Intervention]
    INTERVENTION_EDUCATION: _ClassVar[Intervention]
    INTERVENTION_RECOVERY_SUPPORT: _ClassVar[Intervention]
    INTERVENTION_OTHER: _ClassVar[Intervention]

class ReferralClosure(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    REFERRAL_CLOSURE_UNSPECIFIED: _ClassVar[ReferralClosure]
    REFERRAL_CLOSURE_COMPLETED: _ClassVar[ReferralClosure]
    REFERRAL_CLOSURE_DISENGAGED: _ClassVar[ReferralClosure]
    REFERRAL_CLOSURE_TRANSFERRED: _ClassVar[ReferralClosure]
    REFERRAL_CLOSURE_DIED: _ClassVar[ReferralClosure]
    REFERRAL_CLOSURE_OTHER: _ClassVar[ReferralClosure]
REFERRAL_SCHEME_UNSPECIFIED: ReferralScheme
REFERRAL_SCHEME_DIVERSION: ReferralScheme
REFERRAL_SCHEME_ARREST_REFERRAL: ReferralScheme
REFERRAL_SCHEME_TREATMENT: ReferralScheme
REFERRAL_SCHEME_HARM_REDUCTION: ReferralScheme
REFERRAL_SCHEME_OTHER: ReferralScheme
REFERRAL_SCHEME_DEFERRED_PROSECUTION: ReferralScheme
REFERRAL_SCHEME_DRUG_EDUCATION: ReferralScheme
REFERRAL_SOURCE_UNSPECIFIED: ReferralSource
REFERRAL_SOURCE_CUSTODY: ReferralSource
REFERRAL_SOURCE_STREET: ReferralSource
REFERRAL_SOURCE_POST_OVERDOSE: ReferralSource
REFERRAL_SOURCE_OTHER: ReferralSource
REFERRAL_SOURCE_NEIGHBOURHOOD_POLICING: ReferralSource
REFERRAL_SOURCE_TAKE_HOME_SUPPLY: ReferralSource
REFERRAL_CONSENT_UNSPECIFIED: ReferralConsent
REFERRAL_CONSENT_GIVEN: ReferralConsent
REFERRAL_CONSENT_PENDING: ReferralConsent
REFERRAL_SHRED_REASON_UNSPECIFIED: ReferralShredReason
REFERRAL_SHRED_REASON_ERASURE: ReferralShredReason
REFERRAL_SHRED_REASON_RETENTION: ReferralShredReason
DECLINE_REASON_UNSPECIFIED: DeclineReason
DECLINE_REASON_PERSON_DECLINED: DeclineReason
DECLINE_REASON_NOT_ELIGIBLE: DeclineReason
DECLINE_REASON_NO_CONTACT: DeclineReason
DECLINE_REASON_NO_CAPACITY: DeclineReason
DECLINE_REASON_OTHER: DeclineReason
INTERVENTION_UNSPECIFIED: Intervention
INTERVENTION_STRUCTURED_TREATMENT: Intervention
INTERVENTION_HARM_REDUCTION: Intervention
INTERVENTION_EDUCATION: Intervention
INTERVENTION_RECOVERY_SUPPORT: Intervention
INTERVENTION_OTHER: Intervention
REFERRAL_CLOSURE_UNSPECIFIED: ReferralClosure
REFERRAL_CLOSURE_COMPLETED: ReferralClosure
REFERRAL_CLOSURE_DISENGAGED: ReferralClosure
REFERRAL_CLOSURE_TRANSFERRED: ReferralClosure
REFERRAL_CLOSURE_DIED: ReferralClosure
REFERRAL_CLOSURE_OTHER: ReferralClosure

class DiversionReferralMade(_message.Message):
    __slots__ = ("referral_id", "force_id", "subject_pseudonym", "scheme", "scheme_code", "source", "provider_org_id", "referring_officer_id", "incident_id", "referred_at", "area_code", "consent", "source_record_id")
    REFERRAL_ID_FIELD_NUMBER: _ClassVar[int]
    FORCE_ID_FIELD_NUMBER: _ClassVar[int]
    SUBJECT_PSEUDONYM_FIELD_NUMBER: _ClassVar[int]
    SCHEME_FIELD_NUMBER: _ClassVar[int]
    SCHEME_CODE_FIELD_NUMBER: _ClassVar[int]
    SOURCE_FIELD_NUMBER: _ClassVar[int]
    PROVIDER_ORG_ID_FIELD_NUMBER: _ClassVar[int]
    REFERRING_OFFICER_ID_FIELD_NUMBER: _ClassVar[int]
    INCIDENT_ID_FIELD_NUMBER: _ClassVar[int]
    REFERRED_AT_FIELD_NUMBER: _ClassVar[int]
    AREA_CODE_FIELD_NUMBER: _ClassVar[int]
    CONSENT_FIELD_NUMBER: _ClassVar[int]
    SOURCE_RECORD_ID_FIELD_NUMBER: _ClassVar[int]
    referral_id: str
    force_id: str
    subject_pseudonym: str
    scheme: ReferralScheme
    scheme_code: str
    source: ReferralSource
    provider_org_id: str
    referring_officer_id: str
    incident_id: str
    referred_at: _timestamp_pb2.Timestamp
    area_code: str
    consent: ReferralConsent
    source_record_id: str
    def __init__(self, referral_id: _Optional[str] = ..., force_id: _Optional[str] = ..., subject_pseudonym: _Optional[str] = ..., scheme: _Optional[_Union[ReferralScheme, str]] = ..., scheme_code: _Optional[str] = ..., source: _Optional[_Union[ReferralSource, str]] = ..., provider_org_id: _Optional[str] = ..., referring_officer_id: _Optional[str] = ..., incident_id: _Optional[str] = ..., referred_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., area_code: _Optional[str] = ..., consent: _Optional[_Union[ReferralConsent, str]] = ..., source_record_id: _Optional[str] = ...) -> None: ...

class ReferralAccepted(_message.Message):
    __slots__ = ("referral_id", "force_id", "provider_org_id", "accepted_on", "consent")
    REFERRAL_ID_FIELD_NUMBER: _ClassVar[int]
    FORCE_ID_FIELD_NUMBER: _ClassVar[int]
    PROVIDER_ORG_ID_FIELD_NUMBER: _ClassVar[int]
    ACCEPTED_ON_FIELD_NUMBER: _ClassVar[int]
    CONSENT_FIELD_NUMBER: _ClassVar[int]
    referral_id: str
    force_id: str
    provider_org_id: str
    accepted_on: _types_pb2.Date
    consent: ReferralConsent
    def __init__(self, referral_id: _Optional[str] = ..., force_id: _Optional[str] = ..., provider_org_id: _Optional[str] = ..., accepted_on: _Optional[_Union[_types_pb2.Date, _Mapping]] = ..., consent: _Optional[_Union[ReferralConsent, str]] = ...) -> None: ...

class ReferralDeclined(_message.Message):
    __slots__ = ("referral_id", "force_id", "provider_org_id", "reason", "declined_on")
    REFERRAL_ID_FIELD_NUMBER: _ClassVar[int]
    FORCE_ID_FIELD_NUMBER: _ClassVar[int]
    PROVIDER_ORG_ID_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    DECLINED_ON_FIELD_NUMBER: _ClassVar[int]
    referral_id: str
    force_id: str
    provider_org_id: str
    reason: DeclineReason
    declined_on: _types_pb2.Date
    def __init__(self, referral_id: _Optional[str] = ..., force_id: _Optional[str] = ..., provider_org_id: _Optional[str] = ..., reason: _Optional[_Union[DeclineReason, str]] = ..., declined_on: _Optional[_Union[_types_pb2.Date, _Mapping]] = ...) -> None: ...

class TreatmentEngaged(_message.Message):
    __slots__ = ("referral_id", "force_id", "provider_org_id", "intervention", "engaged_on")
    REFERRAL_ID_FIELD_NUMBER: _ClassVar[int]
    FORCE_ID_FIELD_NUMBER: _ClassVar[int]
    PROVIDER_ORG_ID_FIELD_NUMBER: _ClassVar[int]
    INTERVENTION_FIELD_NUMBER: _ClassVar[int]
    ENGAGED_ON_FIELD_NUMBER: _ClassVar[int]
    referral_id: str
    force_id: str
    provider_org_id: str
    intervention: Intervention
    engaged_on: _types_pb2.Date
    def __init__(self, referral_id: _Optional[str] = ..., force_id: _Optional[str] = ..., provider_org_id: _Optional[str] = ..., intervention: _Optional[_Union[Intervention, str]] = ..., engaged_on: _Optional[_Union[_types_pb2.Date, _Mapping]] = ...) -> None: ...

class ReferralClosed(_message.Message):
    __slots__ = ("referral_id", "force_id", "provider_org_id", "closure", "closed_on")
    REFERRAL_ID_FIELD_NUMBER: _ClassVar[int]
    FORCE_ID_FIELD_NUMBER: _ClassVar[int]
    PROVIDER_ORG_ID_FIELD_NUMBER: _ClassVar[int]
    CLOSURE_FIELD_NUMBER: _ClassVar[int]
    CLOSED_ON_FIELD_NUMBER: _ClassVar[int]
    referral_id: str
    force_id: str
    provider_org_id: str
    closure: ReferralClosure
    closed_on: _types_pb2.Date
    def __init__(self, referral_id: _Optional[str] = ..., force_id: _Optional[str] = ..., provider_org_id: _Optional[str] = ..., closure: _Optional[_Union[ReferralClosure, str]] = ..., closed_on: _Optional[_Union[_types_pb2.Date, _Mapping]] = ...) -> None: ...

class PartnerCommissioned(_message.Message):
    __slots__ = ("force_id", "scheme", "scheme_code", "provider_org_id", "starts_on")
    FORCE_ID_FIELD_NUMBER: _ClassVar[int]
    SCHEME_FIELD_NUMBER: _ClassVar[int]
    SCHEME_CODE_FIELD_NUMBER: _ClassVar[int]
    PROVIDER_ORG_ID_FIELD_NUMBER: _ClassVar[int]
    STARTS_ON_FIELD_NUMBER: _ClassVar[int]
    force_id: str
    scheme: ReferralScheme
    scheme_code: str
    provider_org_id: str
    starts_on: _types_pb2.Date
    def __init__(self, force_id: _Optional[str] = ..., scheme: _Optional[_Union[ReferralScheme, str]] = ..., scheme_code: _Optional[str] = ..., provider_org_id: _Optional[str] = ..., starts_on: _Optional[_Union[_types_pb2.Date, _Mapping]] = ...) -> None: ...

class PartnerCommissionEnded(_message.Message):
    __slots__ = ("force_id", "scheme", "provider_org_id", "ends_on")
    FORCE_ID_FIELD_NUMBER: _ClassVar[int]
    SCHEME_FIELD_NUMBER: _ClassVar[int]
    PROVIDER_ORG_ID_FIELD_NUMBER: _ClassVar[int]
    ENDS_ON_FIELD_NUMBER: _ClassVar[int]
    force_id: str
    scheme: ReferralScheme
    provider_org_id: str
    ends_on: _types_pb2.Date
    def __init__(self, force_id: _Optional[str] = ..., scheme: _Optional[_Union[ReferralScheme, str]] = ..., provider_org_id: _Optional[str] = ..., ends_on: _Optional[_Union[_types_pb2.Date, _Mapping]] = ...) -> None: ...

class ReferralPersonalDataShredded(_message.Message):
    __slots__ = ("referral_id", "force_id", "reason", "shredded_at")
    REFERRAL_ID_FIELD_NUMBER: _ClassVar[int]
    FORCE_ID_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    SHREDDED_AT_FIELD_NUMBER: _ClassVar[int]
    referral_id: str
    force_id: str
    reason: ReferralShredReason
    shredded_at: _timestamp_pb2.Timestamp
    def __init__(self, referral_id: _Optional[str] = ..., force_id: _Optional[str] = ..., reason: _Optional[_Union[ReferralShredReason, str]] = ..., shredded_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...
