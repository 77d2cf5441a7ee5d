"""The Kit aggregate: one naloxone kit, tracked from stocking to use, loss, destruction or supply.

Each kit is its own stream so that two commands about the same kit (an issue and a
recall, two issues to different officers) conflict on its version instead of both
succeeding: a kit is never in two places. A live kit is either in stock at one
location or held by one officer; used, lost, destroyed and supplied kits are nowhere.
Expired, recalled and quarantined (returned unfit) are flags on a live kit that block
its issue and transfer.

Commands from staff are checked against these rules. A use reported from the street is
a fact and is always recorded, with anything odd about it flagged on the event.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import ClassVar
from uuid import UUID

from naloxone_kernel.domain import Aggregate, DomainError, DomainEvent

from .errors import InvalidValue, KitNotFound
from .values import (
    NEVER_REISSUABLE,
    ContractProduct,
    KitReturnReason,
    KitStatus,
    Location,
    LocationType,
    OfficerStanding,
    SupplySetting,
    WriteOffReason,
    checked_aware,
    uk_day,
)


@dataclass(frozen=True, kw_only=True)
class KitStocked(DomainEvent):
    event_type: ClassVar[str] = "KitStocked"
    kit_id: UUID
    force_id: str
    batch_id: UUID
    sequence_number: int
    label: str
    product_code: str
    product: ContractProduct
    doses_per_kit: int
    manufacturer_lot: str
    expires_on: date
    stocked_on: date
    location_id: str
    location_type: LocationType


@dataclass(frozen=True, kw_only=True)
class KitTransferred(DomainEvent):
    event_type: ClassVar[str] = "KitTransferred"
    kit_id: UUID
    force_id: str
    batch_id: UUID
    from_location_id: str
    from_location_type: LocationType
    to_location_id: str
    to_location_type: LocationType
    transferred_on: date


@dataclass(frozen=True, kw_only=True)
class KitIssued(DomainEvent):
    event_type: ClassVar[str] = "KitIssued"
    kit_id: UUID
    force_id: str
    batch_id: UUID
    officer_id: UUID
    location_id: str
    issued_on: date
    expires_on: date
    product_code: str
    product: ContractProduct


@dataclass(frozen=True, kw_only=True)
class KitReturned(DomainEvent):
    event_type: ClassVar[str] = "KitReturned"
    kit_id: UUID
    force_id: str
    batch_id: UUID
    officer_id: UUID
    location_id: str
    location_type: LocationType
    returned_on: date
    reason: KitReturnReason
    reissuable: bool


@dataclass(frozen=True, kw_only=True)
class KitWrittenOff(DomainEvent):
    event_type: ClassVar[str] = "KitWrittenOff"
    kit_id: UUID
    force_id: str
    batch_id: UUID
    reason: WriteOffReason
    written_off_on: date
    officer_id: UUID | None = None
    location_id: str | None = None


@dataclass(frozen=True, kw_only=True)
class KitUsed(DomainEvent):
    """Used at an incident. `officer_id` is the holder (due a replacement), None if nobody held it."""

    event_type: ClassVar[str] = "KitUsed"
    kit_id: UUID
    force_id: str
    batch_id: UUID
    incident_id: UUID
    administering_officer_id: UUID
    used_at: datetime
    doses_used: int
    status_before_use: KitStatus
    holder_mismatch: bool
    was_expired: bool
    was_recalled: bool
    product_code: str
    officer_id: UUID | None = None
    location_id: str | None = None
    administration_id: UUID | None = None


@dataclass(frozen=True, kw_only=True)
class KitExpired(DomainEvent):
    event_type: ClassVar[str] = "KitExpired"
    kit_id: UUID
    force_id: str
    batch_id: UUID
    expires_on: date
    officer_id: UUID | None = None
    location_id: str | None = None


@dataclass(frozen=True, kw_only=True)
class KitRecalled(DomainEvent):
    event_type: ClassVar[str] = "KitRecalled"
    kit_id: UUID
    force_id: str
    batch_id: UUID
    manufacturer_lot: str
    recall_reference: str
    recalled_on: date
    officer_id: UUID | None = None
    location_id: str | None = None


@dataclass(frozen=True, kw_only=True)
class KitSuppliedTakeHome(DomainEvent):
    event_type: ClassVar[str] = "KitSuppliedTakeHome"
    kit_id: UUID
    force_id: str
    batch_id: UUID
    supply_id: UUID
    supplied_at: datetime
    setting: SupplySetting
    officer_id: UUID | None = None
    location_id: str | None = None


KIT_EVENTS = (KitStocked, KitTransferred, KitIssued, KitReturned, KitWrittenOff, KitUsed, KitExpired,
              KitRecalled, KitSuppliedTakeHome)

_GONE = {
    KitStatus.USED: "was used",
    KitStatus.LOST: "was lost",
    KitStatus.DESTROYED: "was written off and destroyed",
    KitStatus.SUPPLIED: "was handed out as a take-home kit",
}


class Kit(Aggregate):
    aggregate_type = "Kit"

    def __init__(self, aggregate_id: UUID) -> None:
        super().__init__(aggregate_id)
        self.force_id: str | None = None
        self.batch_id: UUID | None = None
        self.sequence_number = 0
        self.label: str | None = None
        self.product_code: str | None = None
        self.product: ContractProduct | None = None
        self.doses_per_kit = 0
        self.manufacturer_lot: str | None = None
        self.expires_on: date | None = None
        self.status: KitStatus | None = None
        self.location: Location | None = None
        self.holder: UUID | None = None
        self.expired = False
        self.recall_reference: str | None = None
        self.quarantined = False  # returned unfit for reissue; awaits destruction

    @property
    def recalled(self) -> bool:
        return self.recall_reference is not None

    @property
    def live(self) -> bool:
        return self.status is not None and self.status.live

    def fit_for_issue(self, on: date) -> bool:
        return self.status is KitStatus.IN_STOCK and self._unfit(on, "issued") is None

    # --- decisions -------------------------------------------------------------------
    def stock(self, *, force_id: str, batch_id: UUID, sequence_number: int, label: str, product_code: str,
              product: ContractProduct, doses_per_kit: int, manufacturer_lot: str, expires_on: date,
              stocked_on: date, location: Location) -> None:
        """The kit's first event, raised for each kit of a received batch (see operations.receive_stock)."""
        if self.status is not None:
            raise DomainError(f"kit {self.label} is already stocked")
        self._raise(KitStocked(
            kit_id=self.id, force_id=force_id, batch_id=batch_id, sequence_number=sequence_number, label=label,
            product_code=product_code, product=product, doses_per_kit=doses_per_kit,
            manufacturer_lot=manufacturer_lot, expires_on=expires_on, stocked_on=stocked_on,
            location_id=location.location_id, location_type=location.location_type))

    def transfer(self, *, to: Location, transferred_on: date) -> None:
        self._require_stocked()
        if self.status is KitStatus.ISSUED:
            raise DomainError(f"kit {self.label} is held by officer {self.holder}; "
                              "it must be returned before it can be transferred")
        self._refuse_if_unfit(transferred_on, "transferred")
        if to == self.location:
            raise DomainError(f"kit {self.label} is already at {to}")
        self._raise(KitTransferred(
            kit_id=self.id, force_id=self.force_id, batch_id=self.batch_id,
            from_location_id=self.location.location_id, from_location_type=self.location.location_type,
            to_location_id=to.location_id, to_location_type=to.location_type, transferred_on=transferred_on))

    def issue(self, *, officer: OfficerStanding, issued_on: date) -> None:
        """Hand the kit to an officer certified on the day; never to two officers, never an unfit kit."""
        self._require_stocked()
        if self.status is KitStatus.ISSUED:
            if self.holder == officer.officer_id:
                raise DomainError(f"kit {self.label} is already held by officer {self.holder}")
            raise DomainError(f"kit {self.label} is already held by officer {self.holder} "
                              "and cannot be issued again until it is returned")
        self._refuse_if_unfit(issued_on, "issued")
        refusal = officer.refusal(on=issued_on, force_id=self.force_id)
        if refusal:
            raise DomainError(f"kit {self.label} cannot be issued: {refusal}")
        self._raise(KitIssued(
            kit_id=self.id, force_id=self.force_id, batch_id=self.batch_id, officer_id=officer.officer_id,
            location_id=self.location.location_id, issued_on=issued_on, expires_on=self.expires_on,
            product_code=self.product_code, product=self.product))

    def return_to(self, location: Location, *, returned_on: date, reason: KitReturnReason,
                  reissuable: bool) -> None:
        """The holder hands the kit back; unless reissuable it stays quarantined until written off."""
        self._require_stocked()
        if self.status is not KitStatus.ISSUED:
            where = f"it is in stock at {self.location}" if self.status is KitStatus.IN_STOCK else _GONE[self.status]
            raise DomainError(f"kit {self.label} is not held by an officer ({where}) and cannot be returned")
        if reissuable and reason in NEVER_REISSUABLE:
            raise DomainError(f"a kit returned as {reason.value.replace('_', ' ')} cannot be reissued; "
                              "return it with reissuable false")
        self._raise(KitReturned(
            kit_id=self.id, force_id=self.force_id, batch_id=self.batch_id, officer_id=self.holder,
            location_id=location.location_id, location_type=location.location_type, returned_on=returned_on,
            reason=reason, reissuable=reissuable))

    def write_off(self, *, reason: WriteOffReason, written_off_on: date) -> None:
        """Lost, or destroyed (damaged, over temperature, expired, recalled, other): terminal."""
        self._require_stocked()
        if not self.live:
            raise DomainError(f"kit {self.label} {_GONE[self.status]} and cannot be written off")
        if reason is WriteOffReason.EXPIRED and not (self.expired or self.expires_on < written_off_on):
            raise DomainError(f"kit {self.label} is in date until {self.expires_on.isoformat()}; "
                              "it cannot be written off as expired")
        if reason is WriteOffReason.RECALLED and not self.recalled:
            raise DomainError(f"kit {self.label} is not recalled; it cannot be written off as recalled")
        self._raise(KitWrittenOff(
            kit_id=self.id, force_id=self.force_id, batch_id=self.batch_id, reason=reason,
            written_off_on=written_off_on, officer_id=self.holder,
            location_id=self.location.location_id if self.location else None))

    def use(self, *, administering_officer_id: UUID, incident_id: UUID, used_at: datetime, doses_used: int,
            administration_id: UUID | None = None) -> bool:
        """Record a use reported by an administration. Never refused; False if already used."""
        self._require_stocked()
        checked_aware(used_at, "used_at")
        if doses_used < 0:
            raise InvalidValue(f"doses_used cannot be negative (got {doses_used})", field="doses_used")
        if self.status is KitStatus.USED:
            return False
        self._raise(KitUsed(
            kit_id=self.id, force_id=self.force_id, batch_id=self.batch_id, incident_id=incident_id,
            administering_officer_id=administering_officer_id, used_at=used_at, doses_used=doses_used,
            status_before_use=self.status,
            holder_mismatch=self.status is not KitStatus.ISSUED or self.holder != administering_officer_id,
            was_expired=self.expired or self.expires_on < uk_day(used_at), was_recalled=self.recalled,
            product_code=self.product_code, officer_id=self.holder,
            location_id=self.location.location_id if self.location else None,
            administration_id=administration_id))
        return True

    def expire(self, *, today: date) -> bool:
        """Raise KitExpired once the kit's last usable day has passed, in stock or held; False if nothing to do."""
        self._require_stocked()
        if not self.live or self.expired or self.expires_on >= today:
            return False
        self._raise(KitExpired(
            kit_id=self.id, force_id=self.force_id, batch_id=self.batch_id, expires_on=self.expires_on,
            officer_id=self.holder, location_id=self.location.location_id if self.location else None))
        return True

    def recall(self, *, recall_reference: str, recalled_on: date) -> bool:
        """Flag a live kit of a recalled batch (see operations.recall_batch); False if nothing to do."""
        self._require_stocked()
        if not self.live or self.recalled:
            return False
        self._raise(KitRecalled(
            kit_id=self.id, force_id=self.force_id, batch_id=self.batch_id, manufacturer_lot=self.manufacturer_lot,
            recall_reference=recall_reference, recalled_on=recalled_on, officer_id=self.holder,
            location_id=self.location.location_id if self.location else None))
        return True

    def supply_take_home(self, *, supply_id: UUID, supplied_at: datetime, setting: SupplySetting) -> None:
        """Hand the kit out as a take-home kit (see TakeHomeSupply.record): only a fit, live kit."""
        self._require_stocked()
        if not self.live:
            raise DomainError(f"kit {self.label} {_GONE[self.status]} and cannot be handed out as a take-home kit")
        self._refuse_if_unfit(uk_day(supplied_at), "handed out as a take-home kit")
        self._raise(KitSuppliedTakeHome(
            kit_id=self.id, force_id=self.force_id, batch_id=self.batch_id, supply_id=supply_id,
            supplied_at=supplied_at, setting=setting, officer_id=self.holder,
            location_id=self.location.location_id if self.location else None))

    def _unfit(self, on: date, action: str) -> str | None:
        if self.status in _GONE:
            return f"kit {self.label} {_GONE[self.status]} and cannot be {action}"
        if self.recalled:
            return (f"kit {self.label} is recalled (batch lot {self.manufacturer_lot}, "
                    f"recall {self.recall_reference}) and cannot be {action}")
        if self.expired or self.expires_on < on:
            return f"kit {self.label} expired after {self.expires_on.isoformat()} and cannot be {action}"
        if self.quarantined:
            return f"kit {self.label} was returned unfit for reissue and awaits destruction; it cannot be {action}"
        return None

    def _refuse_if_unfit(self, on: date, action: str) -> None:
        reason = self._unfit(on, action)
        if reason:
            raise DomainError(reason)

    def _require_stocked(self) -> None:
        if self.status is None:
            raise KitNotFound(str(self.id))

    # --- state changes -----------------------------------------------------------------
    def apply(self, event: DomainEvent) -> None:
        match event:
            case KitStocked():
                self.force_id = event.force_id
                self.batch_id = event.batch_id
                self.sequence_number = event.sequence_number
                self.label = event.label
                self.product_code = event.product_code
                self.product = event.product
                self.doses_per_kit = event.doses_per_kit
                self.manufacturer_lot = event.manufacturer_lot
                self.expires_on = event.expires_on
                self._place(KitStatus.IN_STOCK, location=Location(event.location_id, event.location_type))
            case KitTransferred():
                self._place(KitStatus.IN_STOCK, location=Location(event.to_location_id, event.to_location_type))
            case KitIssued():
                self._place(KitStatus.ISSUED, holder=event.officer_id)
            case KitReturned():
                self._place(KitStatus.IN_STOCK, location=Location(event.location_id, event.location_type))
                self.quarantined = not event.reissuable
            case KitWrittenOff():
                self._place(KitStatus.LOST if event.reason is WriteOffReason.LOST else KitStatus.DESTROYED)
            case KitUsed():
                self._place(KitStatus.USED)
            case KitExpired():
                self.expired = True
            case KitRecalled():
                self.recall_reference = event.recall_reference
            case KitSuppliedTakeHome():
                self._place(KitStatus.SUPPLIED)

    def _place(self, status: KitStatus, *, location: Location | None = None, holder: UUID | None = None) -> None:
        self.status, self.location, self.holder = status, location, holder
