import datetime

from google.protobuf import timestamp_pb2 as _timestamp_pb2
from naloxone.common.v1 import types_pb2 as _types_pb2
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class NaloxoneProduct(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    NALOXONE_PRODUCT_UNSPECIFIED: _ClassVar[NaloxoneProduct]
    NALOXONE_PRODUCT_NASAL_SPRAY_1_8MG: _ClassVar[NaloxoneProduct]
    NALOXONE_PRODUCT_INJECTION_2MG: _ClassVar[NaloxoneProduct]
    NALOXONE_PRODUCT_OTHER: _ClassVar[NaloxoneProduct]

class KitReturnReason(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    KIT_RETURN_REASON_UNSPECIFIED: _ClassVar[KitReturnReason]
    KIT_RETURN_REASON_OFFICER_WITHDRAWN: _ClassVar[KitReturnReason]
    KIT_RETURN_REASON_NEAR_EXPIRY: _ClassVar[KitReturnReason]
    KIT_RETURN_REASON_DAMAGED: _ClassVar[KitReturnReason]
    KIT_RETURN_REASON_RECALLED: _ClassVar[KitReturnReason]
    KIT_RETURN_REASON_OPENED_UNUSED: _ClassVar[KitReturnReason]
    KIT_RETURN_REASON_OTHER: _ClassVar[KitReturnReason]

class SupplySetting(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    SUPPLY_SETTING_UNSPECIFIED: _ClassVar[SupplySetting]
    SUPPLY_SETTING_CUSTODY_RELEASE: _ClassVar[SupplySetting]
    SUPPLY_SETTING_STREET: _ClassVar[SupplySetting]
    SUPPLY_SETTING_PARTNER_SERVICE: _ClassVar[SupplySetting]
    SUPPLY_SETTING_OTHER: _ClassVar[SupplySetting]
    SUPPLY_SETTING_PRISON_RELEASE: _ClassVar[SupplySetting]

class SupplyRecipient(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    SUPPLY_RECIPIENT_UNSPECIFIED: _ClassVar[SupplyRecipient]
    SUPPLY_RECIPIENT_PERSON_AT_RISK: _ClassVar[SupplyRecipient]
    SUPPLY_RECIPIENT_FAMILY_OR_FRIEND: _ClassVar[SupplyRecipient]
    SUPPLY_RECIPIENT_OTHER: _ClassVar[SupplyRecipient]
    SUPPLY_RECIPIENT_SERVICE_WORKER: _ClassVar[SupplyRecipient]

class StoreType(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    STORE_TYPE_UNSPECIFIED: _ClassVar[StoreType]
    STORE_TYPE_POLICE_STATION: _ClassVar[StoreType]
    STORE_TYPE_CUSTODY_SUITE: _ClassVar[StoreType]
    STORE_TYPE_PARTNER_HUB: _ClassVar[StoreType]
    STORE_TYPE_VEHICLE: _ClassVar[StoreType]
    STORE_TYPE_OTHER: _ClassVar[StoreType]

class KitStatus(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    KIT_STATUS_UNSPECIFIED: _ClassVar[KitStatus]
    KIT_STATUS_IN_STOCK: _ClassVar[KitStatus]
    KIT_STATUS_ISSUED: _ClassVar[KitStatus]
    KIT_STATUS_USED: _ClassVar[KitStatus]
    KIT_STATUS_LOST: _ClassVar[KitStatus]
    KIT_STATUS_DESTROYED: _ClassVar[KitStatus]
    KIT_STATUS_SUPPLIED: _ClassVar[KitStatus]

class KitWriteOffReason(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    KIT_WRITE_OFF_REASON_UNSPECIFIED: _ClassVar[KitWriteOffReason]
    KIT_WRITE_OFF_REASON_LOST: _ClassVar[KitWriteOffReason]
    KIT_WRITE_OFF_REASON_DAMAGED: _ClassVar[KitWriteOffReason]
    KIT_WRITE_OFF_REASON_OVER_TEMPERATURE: _ClassVar[KitWriteOffReason]
    KIT_WRITE_OFF_REASON_EXPIRED: _ClassVar[KitWriteOffReason]
    KIT_WRITE_OFF_REASON_RECALLED: _ClassVar[KitWriteOffReason]
    KIT_WRITE_OFF_REASON_OTHER: _ClassVar[KitWriteOffReason]

class RepeatSupplyReason(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    REPEAT_SUPPLY_REASON_UNSPECIFIED: _ClassVar[RepeatSupplyReason]
    REPEAT_SUPPLY_REASON_PREVIOUS_KIT_USED: _ClassVar[RepeatSupplyReason]
    REPEAT_SUPPLY_REASON_LOST: _ClassVar[RepeatSupplyReason]
    REPEAT_SUPPLY_REASON_EXPIRED: _ClassVar[RepeatSupplyReason]
    REPEAT_SUPPLY_REASON_CONFISCATED: _ClassVar[RepeatSupplyReason]
    REPEAT_SUPPLY_REASON_OTHER: _ClassVar[RepeatSupplyReason]

class SupplyShredReason(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    SUPPLY_SHRED_REASON_UNSPECIFIED: _ClassVar[SupplyShredReason]
    SUPPLY_SHRED_REASON_ERASURE: _ClassVar[SupplyShredReason]
    SUPPLY_SHRED_REASON_RETENTION: _ClassVar[SupplyShredReason]
NALOXONE_PRODUCT_UNSPECIFIED: NaloxoneProduct
NALOXONE_PRODUCT_NASAL_SPRAY_1_8MG: NaloxoneProduct
NALOXONE_PRODUCT_INJECTION_2MG: NaloxoneProduct
NALOXONE_PRODUCT_OTHER: NaloxoneProduct
KIT_RETURN_REASON_UNSPECIFIED: KitReturnReason
KIT_RETURN_REASON_OFFICER_WITHDRAWN: KitReturnReason
KIT_RETURN_REASON_NEAR_EXPIRY: KitReturnReason
KIT_RETURN_REASON_DAMAGED: KitReturnReason
KIT_RETURN_REASON_RECALLED: KitReturnReason
KIT_RETURN_REASON_OPENED_UNUSED: KitReturnReason
KIT_RETURN_REASON_OTHER: KitReturnReason
SUPPLY_SETTING_UNSPECIFIED: SupplySetting
SUPPLY_SETTING_CUSTODY_RELEASE: SupplySetting
SUPPLY_SETTING_STREET: SupplySetting
SUPPLY_SETTING_PARTNER_SERVICE: SupplySetting
SUPPLY_SETTING_OTHER: SupplySetting
SUPPLY_SETTING_PRISON_RELEASE: SupplySetting
SUPPLY_RECIPIENT_UNSPECIFIED: SupplyRecipient
SUPPLY_RECIPIENT_PERSON_AT_RISK: SupplyRecipient
SUPPLY_RECIPIENT_FAMILY_OR_FRIEND: SupplyRecipient
SUPPLY_RECIPIENT_OTHER: SupplyRecipient
SUPPLY_RECIPIENT_SERVICE_WORKER: SupplyRecipient
STORE_TYPE_UNSPECIFIED: StoreType
STORE_TYPE_POLICE_STATION: StoreType
STORE_TYPE_CUSTODY_SUITE: StoreType
STORE_TYPE_PARTNER_HUB: StoreType
STORE_TYPE_VEHICLE: StoreType
STORE_TYPE_OTHER: StoreType
KIT_STATUS_UNSPECIFIED: KitStatus
KIT_STATUS_IN_STOCK: KitStatus
KIT_STATUS_ISSUED: KitStatus
KIT_STATUS_USED: KitStatus
KIT_STATUS_LOST: KitStatus
KIT_STATUS_DESTROYED: KitStatus
KIT_STATUS_SUPPLIED: KitStatus
KIT_WRITE_OFF_REASON_UNSPECIFIED: KitWriteOffReason
KIT_WRITE_OFF_REASON_LOST: KitWriteOffReason
KIT_WRITE_OFF_REASON_DAMAGED: KitWriteOffReason
KIT_WRITE_OFF_REASON_OVER_TEMPERATURE: KitWriteOffReason
KIT_WRITE_OFF_REASON_EXPIRED: KitWriteOffReason
KIT_WRITE_OFF_REASON_RECALLED: KitWriteOffReason
KIT_WRITE_OFF_REASON_OTHER: KitWriteOffReason
REPEAT_SUPPLY_REASON_UNSPECIFIED: RepeatSupplyReason
REPEAT_SUPPLY_REASON_PREVIOUS_KIT_USED: RepeatSupplyReason
REPEAT_SUPPLY_REASON_LOST: RepeatSupplyReason
REPEAT_SUPPLY_REASON_EXPIRED: RepeatSupplyReason
REPEAT_SUPPLY_REASON_CONFISCATED: RepeatSupplyReason
REPEAT_SUPPLY_REASON_OTHER: RepeatSupplyReason
SUPPLY_SHRED_REASON_UNSPECIFIED: SupplyShredReason
SUPPLY_SHRED_REASON_ERASURE: SupplyShredReason
SUPPLY_SHRED_REASON_RETENTION: SupplyShredReason

class StockReceived(_message.Message):
    __slots__ = ("batch_id", "force_id", "product", "manufacturer_lot", "quantity", "doses_per_kit", "expires_on", "received_on", "store_id", "supplier", "product_code", "store_type")
    BATCH_ID_FIELD_NUMBER: _ClassVar[int]
    FORCE_ID_FIELD_NUMBER: _ClassVar[int]
    PRODUCT_FIELD_NUMBER: _ClassVar[int]
    MANUFACTURER_LOT_FIELD_NUMBER: _ClassVar[int]
    QUANTITY_FIELD_NUMBER: _ClassVar[int]
    DOSES_PER_KIT_FIELD_NUMBER: _ClassVar[int]
    EXPIRES_ON_FIELD_NUMBER: _ClassVar[int]
    RECEIVED_ON_FIELD_NUMBER: _ClassVar[int]
    STORE_ID_FIELD_NUMBER: _ClassVar[int]
    SUPPLIER_FIELD_NUMBER: _ClassVar[int]
    PRODUCT_CODE_FIELD_NUMBER: _ClassVar[int]
    STORE_TYPE_FIELD_NUMBER: _ClassVar[int]
    batch_id: str
    force_id: str
    product: NaloxoneProduct
    manufacturer_lot: str
    quantity: int
    doses_per_kit: int
    expires_on: _types_pb2.Date
    received_on: _types_pb2.Date
    store_id: str
    supplier: str
    product_code: str
    store_type: StoreType
    def __init__(self, batch_id: _Optional[str] = ..., force_id: _Optional[str] = ..., product: _Optional[_Union[NaloxoneProduct, str]] = ..., manufacturer_lot: _Optional[str] = ..., quantity: _Optional[int] = ..., doses_per_kit: _Optional[int] = ..., expires_on: _Optional[_Union[_types_pb2.Date, _Mapping]] = ..., received_on: _Optional[_Union[_types_pb2.Date, _Mapping]] = ..., store_id: _Optional[str] = ..., supplier: _Optional[str] = ..., product_code: _Optional[str] = ..., store_type: _Optional[_Union[StoreType, str]] = ...) -> None: ...

class KitIssued(_message.Message):
    __slots__ = ("kit_id", "force_id", "batch_id", "officer_id", "store_id", "issued_on", "expires_on", "product", "product_code")
    KIT_ID_FIELD_NUMBER: _ClassVar[int]
    FORCE_ID_FIELD_NUMBER: _ClassVar[int]
    BATCH_ID_FIELD_NUMBER: _ClassVar[int]
    OFFICER_ID_FIELD_NUMBER: _ClassVar[int]
    STORE_ID_FIELD_NUMBER: _ClassVar[int]
    ISSUED_ON_FIELD_NUMBER: _ClassVar[int]
    EXPIRES_ON_FIELD_NUMBER: _ClassVar[int]
    PRODUCT_FIELD_NUMBER: _ClassVar[int]
    PRODUCT_CODE_FIELD_NUMBER: _ClassVar[int]
    kit_id: str
    force_id: str
    batch_id: str
    officer_id: str
    store_id: str
    issued_on: _types_pb2.Date
    expires_on: _types_pb2.Date
    product: NaloxoneProduct
    product_code: str
    def __init__(self, kit_id: _Optional[str] = ..., force_id: _Optional[str] = ..., batch_id: _Optional[str] = ..., officer_id: _Optional[str] = ..., store_id: _Optional[str] = ..., issued_on: _Optional[_Union[_types_pb2.Date, _Mapping]] = ..., expires_on: _Optional[_Union[_types_pb2.Date, _Mapping]] = ..., product: _Optional[_Union[NaloxoneProduct, str]] = ..., product_code: _Optional[str] = ...) -> None: ...

class KitReturned(_message.Message):
    __slots__ = ("kit_id", "force_id", "batch_id", "officer_id", "store_id", "returned_on", "reason", "reissuable", "store_type")
    KIT_ID_FIELD_NUMBER: _ClassVar[int]
    FORCE_ID_FIELD_NUMBER: _ClassVar[int]
    BATCH_ID_FIELD_NUMBER: _ClassVar[int]
    OFFICER_ID_FIELD_NUMBER: _ClassVar[int]
    STORE_ID_FIELD_NUMBER: _ClassVar[int]
    RETURNED_ON_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    REISSUABLE_FIELD_NUMBER: _ClassVar[int]
    STORE_TYPE_FIELD_NUMBER: _ClassVar[int]
    kit_id: str
    force_id: str
    batch_id: str
    officer_id: str
    store_id: str
    returned_on: _types_pb2.Date
    reason: KitReturnReason
    reissuable: bool
    store_type: StoreType
    def __init__(self, kit_id: _Optional[str] = ..., force_id: _Optional[str] = ..., batch_id: _Optional[str] = ..., officer_id: _Optional[str] = ..., store_id: _Optional[str] = ..., returned_on: _Optional[_Union[_types_pb2.Date, _Mapping]] = ..., reason: _Optional[_Union[KitReturnReason, str]] = ..., reissuable: _Optional[bool] = ..., store_type: _Optional[_Union[StoreType, str]] = ...) -> None: ...

class KitUsed(_message.Message):
    __slots__ = ("kit_id", "force_id", "batch_id", "officer_id", "incident_id", "used_at", "doses_used", "administering_officer_id", "administration_id", "status_before_use", "holder_mismatch", "was_expired", "was_recalled", "store_id", "product_code")
    KIT_ID_FIELD_NUMBER: _ClassVar[int]
    FORCE_ID_FIELD_NUMBER: _ClassVar[int]
    BATCH_ID_FIELD_NUMBER: _ClassVar[int]
    OFFICER_ID_FIELD_NUMBER: _ClassVar[int]
    INCIDENT_ID_FIELD_NUMBER: _ClassVar[int]
    USED_AT_FIELD_NUMBER: _ClassVar[int]
    DOSES_USED_FIELD_NUMBER: _ClassVar[int]
    ADMINISTERING_OFFICER_ID_FIELD_NUMBER: _ClassVar[int]
    ADMINISTRATION_ID_FIELD_NUMBER: _ClassVar[int]
    STATUS_BEFORE_USE_FIELD_NUMBER: _ClassVar[int]
    HOLDER_MISMATCH_FIELD_NUMBER: _ClassVar[int]
    WAS_EXPIRED_FIELD_NUMBER: _ClassVar[int]
    WAS_RECALLED_FIELD_NUMBER: _ClassVar[int]
    STORE_ID_FIELD_NUMBER: _ClassVar[int]
    PRODUCT_CODE_FIELD_NUMBER: _ClassVar[int]
    kit_id: str
    force_id: str
    batch_id: str
    officer_id: str
    incident_id: str
    used_at: _timestamp_pb2.Timestamp
    doses_used: int
    administering_officer_id: str
    administration_id: str
    status_before_use: KitStatus
    holder_mismatch: bool
    was_expired: bool
    was_recalled: bool
    store_id: str
    product_code: str
    def __init__(self, kit_id: _Optional[str] = ..., force_id: _Optional[str] = ..., batch_id: _Optional[str] = ..., officer_id: _Optional[str] = ..., incident_id: _Optional[str] = ..., used_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., doses_used: _Optional[int] = ..., administering_officer_id: _Optional[str] = ..., administration_id: _Optional[str] = ..., status_before_use: _Optional[_Union[KitStatus, str]] = ..., holder_mismatch: _Optional[bool] = ..., was_expired: _Optional[bool] = ..., was_recalled: _Optional[bool] = ..., store_id: _Optional[str] = ..., product_code: _Optional[str] = ...) -> None: ...

class KitExpired(_message.Message):
    __slots__ = ("kit_id", "force_id", "batch_id", "officer_id", "expires_on", "store_id")
    KIT_ID_FIELD_NUMBER: _ClassVar[int]
    FORCE_ID_FIELD_NUMBER: _ClassVar[int]
    BATCH_ID_FIELD_NUMBER: _ClassVar[int]
    OFFICER_ID_FIELD_NUMBER: _ClassVar[int]
    EXPIRES_ON_FIELD_NUMBER: _ClassVar[int]
    STORE_ID_FIELD_NUMBER: _ClassVar[int]
    kit_id: str
    force_id: str
    batch_id: str
    officer_id: str
    expires_on: _types_pb2.Date
    store_id: str
    def __init__(self, kit_id: _Optional[str] = ..., force_id: _Optional[str] = ..., batch_id: _Optional[str] = ..., officer_id: _Optional[str] = ..., expires_on: _Optional[_Union[_types_pb2.Date, _Mapping]] = ..., store_id: _Optional[str] = ...) -> None: ...

class BatchExpired(_message.Message):
    __slots__ = ("batch_id", "force_id", "expires_on", "kits_in_store", "kits_issued")
    BATCH_ID_FIELD_NUMBER: _ClassVar[int]
    FORCE_ID_FIELD_NUMBER: _ClassVar[int]
    EXPIRES_ON_FIELD_NUMBER: _ClassVar[int]
    KITS_IN_STORE_FIELD_NUMBER: _ClassVar[int]
    KITS_ISSUED_FIELD_NUMBER: _ClassVar[int]
    batch_id: str
    force_id: str
    expires_on: _types_pb2.Date
    kits_in_store: int
    kits_issued: int
    def __init__(self, batch_id: _Optional[str] = ..., force_id: _Optional[str] = ..., expires_on: _Optional[_Union[_types_pb2.Date, _Mapping]] = ..., kits_in_store: _Optional[int] = ..., kits_issued: _Optional[int] = ...) -> None: ...

class BatchRecalled(_message.Message):
    __slots__ = ("batch_id", "force_id", "manufacturer_lot", "recall_reference", "recalled_on", "kits_in_store", "kits_issued")
    BATCH_ID_FIELD_NUMBER: _ClassVar[int]
    FORCE_ID_FIELD_NUMBER: _ClassVar[int]
    MANUFACTURER_LOT_FIELD_NUMBER: _ClassVar[int]
    RECALL_REFERENCE_FIELD_NUMBER: _ClassVar[int]
    RECALLED_ON_FIELD_NUMBER: _ClassVar[int]
    KITS_IN_STORE_FIELD_NUMBER: _ClassVar[int]
    KITS_ISSUED_FIELD_NUMBER: _ClassVar[int]
    batch_id: str
    force_id: str
    manufacturer_lot: str
    recall_reference: str
    recalled_on: _types_pb2.Date
    kits_in_store: int
    kits_issued: int
    def __init__(self, batch_id: _Optional[str] = ..., force_id: _Optional[str] = ..., manufacturer_lot: _Optional[str] = ..., recall_reference: _Optional[str] = ..., recalled_on: _Optional[_Union[_types_pb2.Date, _Mapping]] = ..., kits_in_store: _Optional[int] = ..., kits_issued: _Optional[int] = ...) -> None: ...

class TakeHomeKitSupplied(_message.Message):
    __slots__ = ("supply_id", "force_id", "batch_id", "kit_id", "product", "quantity", "supplied_at", "setting", "recipient", "subject_pseudonym", "repeat_supply", "advice_given", "partner_org_id", "officer_id", "store_id", "area_code", "product_code", "supplier_org_id", "repeat_reason", "referral_consent", "subject_details_ciphertext")
    SUPPLY_ID_FIELD_NUMBER: _ClassVar[int]
    FORCE_ID_FIELD_NUMBER: _ClassVar[int]
    BATCH_ID_FIELD_NUMBER: _ClassVar[int]
    KIT_ID_FIELD_NUMBER: _ClassVar[int]
    PRODUCT_FIELD_NUMBER: _ClassVar[int]
    QUANTITY_FIELD_NUMBER: _ClassVar[int]
    SUPPLIED_AT_FIELD_NUMBER: _ClassVar[int]
    SETTING_FIELD_NUMBER: _ClassVar[int]
    RECIPIENT_FIELD_NUMBER: _ClassVar[int]
    SUBJECT_PSEUDONYM_FIELD_NUMBER: _ClassVar[int]
    REPEAT_SUPPLY_FIELD_NUMBER: _ClassVar[int]
    ADVICE_GIVEN_FIELD_NUMBER: _ClassVar[int]
    PARTNER_ORG_ID_FIELD_NUMBER: _ClassVar[int]
    OFFICER_ID_FIELD_NUMBER: _ClassVar[int]
    STORE_ID_FIELD_NUMBER: _ClassVar[int]
    AREA_CODE_FIELD_NUMBER: _ClassVar[int]
    PRODUCT_CODE_FIELD_NUMBER: _ClassVar[int]
    SUPPLIER_ORG_ID_FIELD_NUMBER: _ClassVar[int]
    REPEAT_REASON_FIELD_NUMBER: _ClassVar[int]
    REFERRAL_CONSENT_FIELD_NUMBER: _ClassVar[int]
    SUBJECT_DETAILS_CIPHERTEXT_FIELD_NUMBER: _ClassVar[int]
    supply_id: str
    force_id: str
    batch_id: str
    kit_id: str
    product: NaloxoneProduct
    quantity: int
    supplied_at: _timestamp_pb2.Timestamp
    setting: SupplySetting
    recipient: SupplyRecipient
    subject_pseudonym: str
    repeat_supply: bool
    advice_given: bool
    partner_org_id: str
    officer_id: str
    store_id: str
    area_code: str
    product_code: str
    supplier_org_id: str
    repeat_reason: RepeatSupplyReason
    referral_consent: bool
    subject_details_ciphertext: bytes
    def __init__(self, supply_id: _Optional[str] = ..., force_id: _Optional[str] = ..., batch_id: _Optional[str] = ..., kit_id: _Optional[str] = ..., product: _Optional[_Union[NaloxoneProduct, str]] = ..., quantity: _Optional[int] = ..., supplied_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., setting: _Optional[_Union[SupplySetting, str]] = ..., recipient: _Optional[_Union[SupplyRecipient, str]] = ..., subject_pseudonym: _Optional[str] = ..., repeat_supply: _Optional[bool] = ..., advice_given: _Optional[bool] = ..., partner_org_id: _Optional[str] = ..., officer_id: _Optional[str] = ..., store_id: _Optional[str] = ..., area_code: _Optional[str] = ..., product_code: _Optional[str] = ..., supplier_org_id: _Optional[str] = ..., repeat_reason: _Optional[_Union[RepeatSupplyReason, str]] = ..., referral_consent: _Optional[bool] = ..., subject_details_ciphertext: _Optional[bytes] = ...) -> None: ...

class TakeHomeSupplyPersonalDataShredded(_message.Message):
    __slots__ = ("supply_id", "force_id", "reason", "shredded_at")
    SUPPLY_ID_FIELD_NUMBER: _ClassVar[int]
    FORCE_ID_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    SHREDDED_AT_FIELD_NUMBER: _ClassVar[int]
    supply_id: str
    force_id: str
    reason: SupplyShredReason
    shredded_at: _timestamp_pb2.Timestamp
    def __init__(self, supply_id: _Optional[str] = ..., force_id: _Optional[str] = ..., reason: _Optional[_Union[SupplyShredReason, str]] = ..., shredded_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class KitStocked(_message.Message):
    __slots__ = ("kit_id", "force_id", "batch_id", "label", "sequence_number", "product", "product_code", "doses_per_kit", "manufacturer_lot", "expires_on", "stocked_on", "store_id", "store_type")
    KIT_ID_FIELD_NUMBER: _ClassVar[int]
    FORCE_ID_FIELD_NUMBER: _ClassVar[int]
    BATCH_ID_FIELD_NUMBER: _ClassVar[int]
    LABEL_FIELD_NUMBER: _ClassVar[int]
    SEQUENCE_NUMBER_FIELD_NUMBER: _ClassVar[int]
    PRODUCT_FIELD_NUMBER: _ClassVar[int]
    PRODUCT_CODE_FIELD_NUMBER: _ClassVar[int]
    DOSES_PER_KIT_FIELD_NUMBER: _ClassVar[int]
    MANUFACTURER_LOT_FIELD_NUMBER: _ClassVar[int]
    EXPIRES_ON_FIELD_NUMBER: _ClassVar[int]
    STOCKED_ON_FIELD_NUMBER: _ClassVar[int]
    STORE_ID_FIELD_NUMBER: _ClassVar[int]
    STORE_TYPE_FIELD_NUMBER: _ClassVar[int]
    kit_id: str
    force_id: str
    batch_id: str
    label: str
    sequence_number: int
    product: NaloxoneProduct
    product_code: str
    doses_per_kit: int
    manufacturer_lot: str
    expires_on: _types_pb2.Date
    stocked_on: _types_pb2.Date
    store_id: str
    store_type: StoreType
    def __init__(self, kit_id: _Optional[str] = ..., force_id: _Optional[str] = ..., batch_id: _Optional[str] = ..., label: _Optional[str] = ..., sequence_number: _Optional[int] = ..., product: _Optional[_Union[NaloxoneProduct, str]] = ..., product_code: _Optional[str] = ..., doses_per_kit: _Optional[int] = ..., manufacturer_lot: _Optional[str] = ..., expires_on: _Optional[_Union[_types_pb2.Date, _Mapping]] = ..., stocked_on: _Optional[_Union[_types_pb2.Date, _Mapping]] = ..., store_id: _Optional[str] = ..., store_type: _Optional[_Union[StoreType, str]] = ...) -> None: ...

class KitTransferred(_message.Message):
    __slots__ = ("kit_id", "force_id", "batch_id", "from_store_id", "from_store_type", "to_store_id", "to_store_type", "transferred_on")
    KIT_ID_FIELD_NUMBER: _ClassVar[int]
    FORCE_ID_FIELD_NUMBER: _ClassVar[int]
    BATCH_ID_FIELD_NUMBER: _ClassVar[int]
    FROM_STORE_ID_FIELD_NUMBER: _ClassVar[int]
    FROM_STORE_TYPE_FIELD_NUMBER: _ClassVar[int]
    TO_STORE_ID_FIELD_NUMBER: _ClassVar[int]
    TO_STORE_TYPE_FIELD_NUMBER: _ClassVar[int]
    TRANSFERRED_ON_FIELD_NUMBER: _ClassVar[int]
    kit_id: str
    force_id: str
    batch_id: str
    from_store_id: str
    from_store_type: StoreType
    to_store_id: str
    to_store_type: StoreType
    transferred_on: _types_pb2.Date
    def __init__(self, kit_id: _Optional[str] = ..., force_id: _Optional[str] = ..., batch_id: _Optional[str] = ..., from_store_id: _Optional[str] = ..., from_store_type: _Optional[_Union[StoreType, str]] = ..., to_store_id: _Optional[str] = ..., to_store_type: _Optional[_Union[StoreType, str]] = ..., transferred_on: _Optional[_Union[_types_pb2.Date, _Mapping]] = ...) -> None: ...

class KitRecalled(_message.Message):
    __slots__ = ("kit_id", "force_id", "batch_id", "manufacturer_lot", "recall_reference", "recalled_on", "officer_id", "store_id")
    KIT_ID_FIELD_NUMBER: _ClassVar[int]
    FORCE_ID_FIELD_NUMBER: _ClassVar[int]
    BATCH_ID_FIELD_NUMBER: _ClassVar[int]
    MANUFACTURER_LOT_FIELD_NUMBER: _ClassVar[int]
    RECALL_REFERENCE_FIELD_NUMBER: _ClassVar[int]
    RECALLED_ON_FIELD_NUMBER: _ClassVar[int]
    OFFICER_ID_FIELD_NUMBER: _ClassVar[int]
    STORE_ID_FIELD_NUMBER: _ClassVar[int]
    kit_id: str
    force_id: str
    batch_id: str
    manufacturer_lot: str
    recall_reference: str
    recalled_on: _types_pb2.Date
    officer_id: str
    store_id: str
    def __init__(self, kit_id: _Optional[str] = ..., force_id: _Optional[str] = ..., batch_id: _Optional[str] = ..., manufacturer_lot: _Optional[str] = ..., recall_reference: _Optional[str] = ..., recalled_on: _Optional[_Union[_types_pb2.Date, _Mapping]] = ..., officer_id: _Optional[str] = ..., store_id: _Optional[str] = ...) -> None: ...

class KitWrittenOff(_message.Message):
    __slots__ = ("kit_id", "force_id", "batch_id", "reason", "written_off_on", "officer_id", "store_id")
    KIT_ID_FIELD_NUMBER: _ClassVar[int]
    FORCE_ID_FIELD_NUMBER: _ClassVar[int]
    BATCH_ID_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    WRITTEN_OFF_ON_FIELD_NUMBER: _ClassVar[int]
    OFFICER_ID_FIELD_NUMBER: _ClassVar[int]
    STORE_ID_FIELD_NUMBER: _ClassVar[int]
    kit_id: str
    force_id: str
    batch_id: str
    reason: KitWriteOffReason
    written_off_on: _types_pb2.Date
    officer_id: str
    store_id: str
    def __init__(self, kit_id: _Optional[str] = ..., force_id: _Optional[str] = ..., batch_id: _Optional[str] = ..., reason: _Optional[_Union[KitWriteOffReason, str]] = ..., written_off_on: _Optional[_Union[_types_pb2.Date, _Mapping]] = ..., officer_id: _Optional[str] = ..., store_id: _Optional[str] = ...) -> None: ...

class KitSuppliedTakeHome(_message.Message):
    __slots__ = ("kit_id", "force_id", "batch_id", "supply_id", "supplied_at", "setting", "officer_id", "store_id")
    KIT_ID_FIELD_NUMBER: _ClassVar[int]
    FORCE_ID_FIELD_NUMBER: _ClassVar[int]
    BATCH_ID_FIELD_NUMBER: _ClassVar[int]
    SUPPLY_ID_FIELD_NUMBER: _ClassVar[int]
    SUPPLIED_AT_FIELD_NUMBER: _ClassVar[int]
    SETTING_FIELD_NUMBER: _ClassVar[int]
    OFFICER_ID_FIELD_NUMBER: _ClassVar[int]
    STORE_ID_FIELD_NUMBER: _ClassVar[int]
    kit_id: str
    force_id: str
    batch_id: str
    supply_id: str
    supplied_at: _timestamp_pb2.Timestamp
    setting: SupplySetting
    officer_id: str
    store_id: str
    def __init__(self, kit_id: _Optional[str] = ..., force_id: _Optional[str] = ..., batch_id: _Optional[str] = ..., supply_id: _Optional[str] = ..., supplied_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., setting: _Optional[_Union[SupplySetting, str]] = ..., officer_id: _Optional[str] = ..., store_id: _Optional[str] = ...) -> None: ...
