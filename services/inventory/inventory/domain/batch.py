"""The Batch aggregate: one delivery of one product lot into one location.

A batch knows what was delivered (product, lot, quantity, expiry) and whether it has
been recalled or has expired; the state of each of its kits lives in the kits' own
streams. Kit ids derive from the batch id and the kit's number in the batch, so the
batch can name all its kits without storing a list of them.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from typing import ClassVar
from uuid import UUID

from naloxone_kernel.domain import Aggregate, DomainError, DomainEvent

from .errors import BatchNotFound, InvalidValue
from .values import ContractProduct, Location, LocationType, Product, checked_code

#: The most kits one receipt may hold (all are appended in one transaction).
MAX_KITS_PER_BATCH = 1000


def kit_id_for(batch_id: UUID, sequence_number: int) -> UUID:
    """The id of the n-th kit (1-based) of a batch: stable, so a retried receipt names the same kits."""
    return uuid.uuid5(batch_id, str(sequence_number))


def kit_label(manufacturer_lot: str, sequence_number: int) -> str:
    """What is written on the pouch: the lot and the kit's number in the batch."""
    return f"{manufacturer_lot}-{sequence_number:04d}"


@dataclass(frozen=True, kw_only=True)
class StockReceived(DomainEvent):
    event_type: ClassVar[str] = "StockReceived"
    batch_id: UUID
    force_id: str
    product_code: str
    product: ContractProduct
    doses_per_kit: int
    manufacturer_lot: str
    quantity: int
    expires_on: date
    received_on: date
    location_id: str
    location_type: LocationType
    supplier: str | None = None


@dataclass(frozen=True, kw_only=True)
class BatchRecalled(DomainEvent):
    event_type: ClassVar[str] = "BatchRecalled"
    batch_id: UUID
    force_id: str
    manufacturer_lot: str
    recall_reference: str
    recalled_on: date
    kits_in_stock: int
    kits_issued: int


@dataclass(frozen=True, kw_only=True)
class BatchExpired(DomainEvent):
    event_type: ClassVar[str] = "BatchExpired"
    batch_id: UUID
    force_id: str
    expires_on: date
    kits_in_stock: int
    kits_issued: int


BATCH_EVENTS = (StockReceived, BatchRecalled, BatchExpired)


class Batch(Aggregate):
    aggregate_type = "Batch"

    def __init__(self, aggregate_id: UUID) -> None:
        super().__init__(aggregate_id)
        self.force_id: str | None = None
        self.received = False
        self.product_code: str | None = None
        self.product: ContractProduct | None = None
        self.doses_per_kit = 0
        self.manufacturer_lot: str | None = None
        self.quantity = 0
        self.expires_on: date | None = None
        self.received_on: date | None = None
        self.location: Location | None = None
        self.recall_reference: str | None = None
        self.recalled_on: date | None = None
        self.expired = False

    @property
    def recalled(self) -> bool:
        return self.recall_reference is not None

    def kit_ids(self) -> list[UUID]:
        """Every kit of the batch, in order: derived, never stored."""
        return [kit_id_for(self.id, n) for n in range(1, self.quantity + 1)]

    # --- decisions -------------------------------------------------------------------
    def receive(self, *, force_id: str, product: Product, manufacturer_lot: str, quantity: int,
                expires_on: date, received_on: date, location: Location, supplier: str | None = None) -> None:
        if self.received:
            raise DomainError(f"batch {self.id} was already received (lot {self.manufacturer_lot})")
        checked_code(manufacturer_lot, "manufacturer_lot")
        if supplier is not None:
            checked_code(supplier, "supplier")
        if not 1 <= quantity <= MAX_KITS_PER_BATCH:
            raise InvalidValue(f"quantity must be 1-{MAX_KITS_PER_BATCH} kits (got {quantity})", field="quantity")
        if expires_on < received_on:
            raise DomainError(f"lot {manufacturer_lot} expired on {expires_on.isoformat()} "
                              f"and cannot be received into stock on {received_on.isoformat()}")
        self._raise(StockReceived(
            batch_id=self.id, force_id=force_id, product_code=product.code, product=product.contract_product,
            doses_per_kit=product.doses_per_kit, manufacturer_lot=manufacturer_lot, quantity=quantity,
            expires_on=expires_on, received_on=received_on, location_id=location.location_id,
            location_type=location.location_type, supplier=supplier))

    def recall(self, *, recall_reference: str, recalled_on: date, kits_in_stock: int, kits_issued: int) -> None:
        """Record a recall notice; the counts come from the kits (see operations.recall_batch)."""
        self._require_received()
        checked_code(recall_reference, "recall_reference")
        if self.recalled:
            raise DomainError(f"batch lot {self.manufacturer_lot} is already recalled "
                              f"(recall {self.recall_reference} on {self.recalled_on.isoformat()})")
        self._raise(BatchRecalled(
            batch_id=self.id, force_id=self.force_id, manufacturer_lot=self.manufacturer_lot,
            recall_reference=recall_reference, recalled_on=recalled_on, kits_in_stock=kits_in_stock,
            kits_issued=kits_issued))

    def expire(self, *, today: date, kits_in_stock: int, kits_issued: int) -> bool:
        """Raise BatchExpired once the batch's last usable day has passed."""
        self._require_received()
        if self.expired or self.expires_on >= today:
            return False
        self._raise(BatchExpired(batch_id=self.id, force_id=self.force_id, expires_on=self.expires_on,
                                 kits_in_stock=kits_in_stock, kits_issued=kits_issued))
        return True

    def _require_received(self) -> None:
        if not self.received:
            raise BatchNotFound(str(self.id))

    # --- state changes -----------------------------------------------------------------
    def apply(self, event: DomainEvent) -> None:
        match event:
            case StockReceived():
                self.force_id = event.force_id
                self.received = True
                self.product_code = event.product_code
                self.product = event.product
                self.doses_per_kit = event.doses_per_kit
                self.manufacturer_lot = event.manufacturer_lot
                self.quantity = event.quantity
                self.expires_on = event.expires_on
                self.received_on = event.received_on
                self.location = Location(event.location_id, event.location_type)
            case BatchRecalled():
                self.recall_reference = event.recall_reference
                self.recalled_on = event.recalled_on
            case BatchExpired():
                self.expired = True
