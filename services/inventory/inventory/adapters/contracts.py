"""Translation at the edge: inventory domain events to the public protobuf contract.

The domain says location, the contract (older, and guarded against exact locations)
says store: location_id -> store_id, LocationType -> StoreType. Enum values map by
name (domain value `custody_suite` -> STORE_TYPE_CUSTODY_SUITE). Absent optional
values become the proto3 defaults (empty string, UNSPECIFIED), as the contract documents.
Sealed personal fields go out as the sealed bytes (`*_ciphertext`); a supply's note never
goes out at all (free text stays in the event store).
"""

from __future__ import annotations

from google.protobuf.message import Message
from naloxone.inventory.v1 import events_pb2 as pb
from naloxone_kernel.contract_values import to_date, to_enum, to_text, to_timestamp
from naloxone_kernel.domain import DomainEvent
from naloxone_kernel.personal_data import as_bytes, shredded_values

from ..domain import (
    BatchExpired,
    BatchRecalled,
    KitExpired,
    KitIssued,
    KitRecalled,
    KitReturned,
    KitStocked,
    KitSuppliedTakeHome,
    KitTransferred,
    KitUsed,
    KitWrittenOff,
    StockReceived,
    TakeHomeKitSupplied,
    TakeHomeSupplyPersonalDataShredded,
)


def _product(value) -> int:
    return to_enum(pb.NaloxoneProduct, "NALOXONE_PRODUCT", value)


def _store_type(value) -> int:
    return to_enum(pb.StoreType, "STORE_TYPE", value)


def to_proto(event: DomainEvent) -> Message:
    match event:
        case StockReceived():
            return pb.StockReceived(
                batch_id=str(event.batch_id), force_id=event.force_id, product=_product(event.product),
                manufacturer_lot=event.manufacturer_lot, quantity=event.quantity, doses_per_kit=event.doses_per_kit,
                expires_on=to_date(event.expires_on), received_on=to_date(event.received_on), store_id=event.location_id,
                supplier=to_text(event.supplier), product_code=event.product_code,
                store_type=_store_type(event.location_type))
        case BatchRecalled():
            return pb.BatchRecalled(
                batch_id=str(event.batch_id), force_id=event.force_id, manufacturer_lot=event.manufacturer_lot,
                recall_reference=event.recall_reference, recalled_on=to_date(event.recalled_on),
                kits_in_store=event.kits_in_stock, kits_issued=event.kits_issued)
        case BatchExpired():
            return pb.BatchExpired(
                batch_id=str(event.batch_id), force_id=event.force_id, expires_on=to_date(event.expires_on),
                kits_in_store=event.kits_in_stock, kits_issued=event.kits_issued)
        case KitStocked():
            return pb.KitStocked(
                kit_id=str(event.kit_id), force_id=event.force_id, batch_id=str(event.batch_id), label=event.label,
                sequence_number=event.sequence_number, product=_product(event.product),
                product_code=event.product_code, doses_per_kit=event.doses_per_kit,
                manufacturer_lot=event.manufacturer_lot, expires_on=to_date(event.expires_on),
                stocked_on=to_date(event.stocked_on), store_id=event.location_id,
                store_type=_store_type(event.location_type))
        case KitTransferred():
            return pb.KitTransferred(
                kit_id=str(event.kit_id), force_id=event.force_id, batch_id=str(event.batch_id),
                from_store_id=event.from_location_id, from_store_type=_store_type(event.from_location_type),
                to_store_id=event.to_location_id, to_store_type=_store_type(event.to_location_type),
                transferred_on=to_date(event.transferred_on))
        case KitIssued():
            return pb.KitIssued(
                kit_id=str(event.kit_id), force_id=event.force_id, batch_id=str(event.batch_id),
                officer_id=str(event.officer_id), store_id=event.location_id, issued_on=to_date(event.issued_on),
                expires_on=to_date(event.expires_on), product=_product(event.product), product_code=event.product_code)
        case KitReturned():
            return pb.KitReturned(
                kit_id=str(event.kit_id), force_id=event.force_id, batch_id=str(event.batch_id),
                officer_id=str(event.officer_id), store_id=event.location_id, returned_on=to_date(event.returned_on),
                reason=to_enum(pb.KitReturnReason, "KIT_RETURN_REASON", event.reason), reissuable=event.reissuable,
                store_type=_store_type(event.location_type))
        case KitWrittenOff():
            return pb.KitWrittenOff(
                kit_id=str(event.kit_id), force_id=event.force_id, batch_id=str(event.batch_id),
                reason=to_enum(pb.KitWriteOffReason, "KIT_WRITE_OFF_REASON", event.reason),
                written_off_on=to_date(event.written_off_on), officer_id=to_text(event.officer_id),
                store_id=to_text(event.location_id))
        case KitUsed():
            return pb.KitUsed(
                kit_id=str(event.kit_id), force_id=event.force_id, batch_id=str(event.batch_id),
                officer_id=to_text(event.officer_id), incident_id=str(event.incident_id),
                used_at=to_timestamp(event.used_at), doses_used=event.doses_used,
                administering_officer_id=str(event.administering_officer_id),
                administration_id=to_text(event.administration_id),
                status_before_use=to_enum(pb.KitStatus, "KIT_STATUS", event.status_before_use),
                holder_mismatch=event.holder_mismatch, was_expired=event.was_expired,
                was_recalled=event.was_recalled, store_id=to_text(event.location_id), product_code=event.product_code)
        case KitExpired():
            return pb.KitExpired(
                kit_id=str(event.kit_id), force_id=event.force_id, batch_id=str(event.batch_id),
                officer_id=to_text(event.officer_id), expires_on=to_date(event.expires_on),
                store_id=to_text(event.location_id))
        case KitRecalled():
            return pb.KitRecalled(
                kit_id=str(event.kit_id), force_id=event.force_id, batch_id=str(event.batch_id),
                manufacturer_lot=event.manufacturer_lot, recall_reference=event.recall_reference,
                recalled_on=to_date(event.recalled_on), officer_id=to_text(event.officer_id),
                store_id=to_text(event.location_id))
        case KitSuppliedTakeHome():
            return pb.KitSuppliedTakeHome(
                kit_id=str(event.kit_id), force_id=event.force_id, batch_id=str(event.batch_id),
                supply_id=str(event.supply_id), supplied_at=to_timestamp(event.supplied_at),
                setting=to_enum(pb.SupplySetting, "SUPPLY_SETTING", event.setting),
                officer_id=to_text(event.officer_id), store_id=to_text(event.location_id))
        case TakeHomeKitSupplied():
            police = event.supplier_org_id == event.force_id
            return pb.TakeHomeKitSupplied(
                supply_id=str(event.supply_id), force_id=event.force_id, batch_id=to_text(event.batch_id),
                kit_id=to_text(event.kit_id), product=_product(event.product), quantity=event.quantity,
                supplied_at=to_timestamp(event.supplied_at),
                setting=to_enum(pb.SupplySetting, "SUPPLY_SETTING", event.setting),
                recipient=to_enum(pb.SupplyRecipient, "SUPPLY_RECIPIENT", event.recipient),
                subject_pseudonym=to_text(event.subject_pseudonym), repeat_supply=event.repeat_supply,
                advice_given=event.advice_given, partner_org_id="" if police else event.supplier_org_id,
                officer_id=to_text(event.officer_id), store_id=to_text(event.location_id), area_code=to_text(event.area_code),
                product_code=event.product_code, supplier_org_id=event.supplier_org_id,
                repeat_reason=to_enum(pb.RepeatSupplyReason, "REPEAT_SUPPLY_REASON", event.repeat_reason),
                referral_consent=event.referral_consent,
                subject_details_ciphertext=as_bytes(event.subject_details_sealed))
        case TakeHomeSupplyPersonalDataShredded():
            return pb.TakeHomeSupplyPersonalDataShredded(
                supply_id=str(event.supply_id), **shredded_values(event, pb.SupplyShredReason, "SUPPLY_SHRED_REASON"))
    raise TypeError(f"no contract for {type(event).__name__}")
