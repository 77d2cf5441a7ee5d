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

class SupplyRecipient(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    SUPPLY_RECIPIENT_UNSPECIFIED: _ClassVar[SupplyRecipient]
    SUPPLY_RECIPIENT_PERSON_AT_RISK: _ClassVar[SupplyRecipient]
    SUPPLY_RECIPIENT_FAMILY_OR_FRIEND: _ClassVar[SupplyRecipient]
    SUPPLY_RECIPIENT_OTHER: _ClassVar[SupplyRecipient]
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
SUPPLY_RECIPIENT_UNSPECIFIED: SupplyRecipient
SUPPLY_RECIPIENT_PERSON_AT_RISK: SupplyRecipient
SUPPLY_RECIPIENT_FAMILY_OR_FRIEND: SupplyRecipient
SUPPLY_RECIPIENT_OTHER: SupplyRecipient

class StockReceived(_message.Message):
    __slots__ = ("batch_id", "force_id", "product", "manufacturer_lot", "quantity", "doses_per_kit", "expires_on", "received_on", "store_id", "supplier")
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
    def __init__(self, batch_id: _Optional[str] = ..., force_id: _Optional[str] = ..., product: _Optional[_Union[NaloxoneProduct, str]] = ..., manufacturer_lot: _Optional[str] = ..., quantity: _Optional[int] = ..., doses_per_kit: _Optional[int] = ..., expires_on: _Optional[_Union[_types_pb2.Date, _Mapping]] = ..., received_on: _Optional[_Union[_types_pb2.Date, _Mapping]] = ..., store_id: _Optional[str] = ..., supplier: _Optional[str] = ...) -> None: ...

class KitIssued(_message.Message):
    __slots__ = ("kit_id", "force_id", "batch_id", "officer_id", "store_id", "issued_on", "expires_on", "product")
    KIT_ID_FIELD_NUMBER: _ClassVar[int]
    FORCE_ID_FIELD_NUMBER: _ClassVar[int]
    BATCH_ID_FIELD_NUMBER: _ClassVar[int]
    OFFICER_ID_FIELD_NUMBER: _ClassVar[int]
    STORE_ID_FIELD_NUMBER: _ClassVar[int]
    ISSUED_ON_FIELD_NUMBER: _ClassVar[int]
    EXPIRES_ON_FIELD_NUMBER: _ClassVar[int]
    PRODUCT_FIELD_NUMBER: _ClassVar[int]
    kit_id: str
    force_id: str
    batch_id: str
    officer_id: str
    store_id: str
    issued_on: _types_pb2.Date
    expires_on: _types_pb2.Date
    product: NaloxoneProduct
    def __init__(self, kit_id: _Optional[str] = ..., force_id: _Optional[str] = ..., batch_id: _Optional[str] = ..., officer_id: _Optional[str] = ..., store_id: _Optional[str] = ..., issued_on: _Optional[_Union[_types_pb2.Date, _Mapping]] = ..., expires_on: _Optional[_Union[_types_pb2.Date, _Mapping]] = ..., product: _Optional[_Union[NaloxoneProduct, str]] = ...) -> None: ...

class KitReturned(_message.Message):
    __slots__ = ("kit_id", "force_id", "batch_id", "officer_id", "store_id", "returned_on", "reason", "reissuable")
    KIT_ID_FIELD_NUMBER: _ClassVar[int]
    FORCE_ID_FIELD_NUMBER: _ClassVar[int]
    BATCH_ID_FIELD_NUMBER: _ClassVar[int]
    OFFICER_ID_FIELD_NUMBER: _ClassVar[int]
    STORE_ID_FIELD_NUMBER: _ClassVar[int]
    RETURNED_ON_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    REISSUABLE_FIELD_NUMBER: _ClassVar[int]
    kit_id: str
    force_id: str
    batch_id: str
    officer_id: str
    store_id: str
    returned_on: _types_pb2.Date
    reason: KitReturnReason
    reissuable: bool
    def __init__(self, kit_id: _Optional[str] = ..., force_id: _Optional[str] = ..., batch_id: _Optional[str] = ..., officer_id: _Optional[str] = ..., store_id: _Optional[str] = ..., returned_on: _Optional[_Union[_types_pb2.Date, _Mapping]] = ..., reason: _Optional[_Union[KitReturnReason, str]] = ..., reissuable: _Optional[bool] = ...) -> None: ...

class KitUsed(_message.Message):
    __slots__ = ("kit_id", "force_id", "batch_id", "officer_id", "incident_id", "used_at", "doses_used")
    KIT_ID_FIELD_NUMBER: _ClassVar[int]
    FORCE_ID_FIELD_NUMBER: _ClassVar[int]
    BATCH_ID_FIELD_NUMBER: _ClassVar[int]
    OFFICER_ID_FIELD_NUMBER: _ClassVar[int]
    INCIDENT_ID_FIELD_NUMBER: _ClassVar[int]
    USED_AT_FIELD_NUMBER: _ClassVar[int]
    DOSES_USED_FIELD_NUMBER: _ClassVar[int]
    kit_id: str
    force_id: str
    batch_id: str
    officer_id: str
    incident_id: str
    used_at: _timestamp_pb2.Timestamp
    doses_used: int
    def __init__(self, kit_id: _Optional[str] = ..., force_id: _Optional[str] = ..., batch_id: _Optional[str] = ..., officer_id: _Optional[str] = ..., incident_id: _Optional[str] = ..., used_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., doses_used: _Optional[int] = ...) -> None: ...

class KitExpired(_message.Message):
    __slots__ = ("kit_id", "force_id", "batch_id", "officer_id", "expires_on")
    KIT_ID_FIELD_NUMBER: _ClassVar[int]
    FORCE_ID_FIELD_NUMBER: _ClassVar[int]
    BATCH_ID_FIELD_NUMBER: _ClassVar[int]
    OFFICER_ID_FIELD_NUMBER: _ClassVar[int]
    EXPIRES_ON_FIELD_NUMBER: _ClassVar[int]
    kit_id: str
    force_id: str
    batch_id: str
    officer_id: str
    expires_on: _types_pb2.Date
    def __init__(self, kit_id: _Optional[str] = ..., force_id: _Optional[str] = ..., batch_id: _Optional[str] = ..., officer_id: _Optional[str] = ..., expires_on: _Optional[_Union[_types_pb2.Date, _Mapping]] = ...) -> None: ...

class BatchExpired(_message.Message):
    __slots__ = ("batch_id", "force_id", "expires_on", "kits_in_store")
    BATCH_ID_FIELD_NUMBER: _ClassVar[int]
    FORCE_ID_FIELD_NUMBER: _ClassVar[int]
    EXPIRES_ON_FIELD_NUMBER: _ClassVar[int]
    KITS_IN_STORE_FIELD_NUMBER: _ClassVar[int]
    batch_id: str
    force_id: str
    expires_on: _types_pb2.Date
    kits_in_store: int
    def __init__(self, batch_id: _Optional[str] = ..., force_id: _Optional[str] = ..., expires_on: _Optional[_Union[_types_pb2.Date, _Mapping]] = ..., kits_in_store: _Optional[int] = ...) -> None: ...

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
    __slots__ = ("supply_id", "force_id", "batch_id", "kit_id", "product", "quantity", "supplied_at", "setting", "recipient", "subject_pseudonym", "repeat_supply", "advice_given", "partner_org_id", "officer_id", "store_id", "area_code")
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
    def __init__(self, supply_id: _Optional[str] = ..., force_id: _Optional[str] = ..., batch_id: _Optional[str] = ..., kit_id: _Optional[str] = ..., product: _Optional[_Union[NaloxoneProduct, str]] = ..., quantity: _Optional[int] = ..., supplied_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., setting: _Optional[_Union[SupplySetting, str]] = ..., recipient: _Optional[_Union[SupplyRecipient, str]] = ..., subject_pseudonym: _Optional[str] = ..., repeat_supply: _Optional[bool] = ..., advice_given: _Optional[bool] = ..., partner_org_id: _Optional[str] = ..., officer_id: _Optional[str] = ..., store_id: _Optional[str] = ..., area_code: _Optional[str] = ...) -> None: ...
