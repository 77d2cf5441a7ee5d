"""The TakeHomeSupply aggregate: one hand-over of take-home naloxone to a person at risk or a witness.

Counted the way Scotland's National Naloxone Programme counts supply: where (custody
release, street, partner service, prison release), to whom, first or repeat supply and
why repeated. When the kit comes from the force's own tracked stock, that kit leaves
stock in the same decision (a KitSuppliedTakeHome on the kit, appended with the supply).

The domain never sees personal data in the clear: the person is a pseudonym (made at the
edge from the force's own identifier, or given as one), and the application seals their
age band and sex and any note with the supply's own data key before deciding; the
aggregate keeps only the sealed text. When that key is destroyed (erasure, retention) the
supply says so once (TakeHomeSupplyPersonalDataShredded); what it counts stays.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import ClassVar
from uuid import UUID

from naloxone_kernel.domain import Aggregate, DomainError, DomainEvent
from naloxone_kernel.personal_data import RecordShredded, ShredReason

from .errors import InvalidValue, KitNotFound
from .kit import Kit
from .values import (
    ContractProduct,
    Product,
    RepeatSupplyReason,
    SupplyRecipient,
    SupplySetting,
    checked_aware,
    checked_code,
    checked_pseudonym,
)

MAX_KITS_PER_SUPPLY = 20


@dataclass(frozen=True, kw_only=True)
class TakeHomeSupplyPersonalDataShredded(RecordShredded):
    """The supply's data key was destroyed (erasure or retention); its counts stay."""

    event_type: ClassVar[str] = "TakeHomeSupplyPersonalDataShredded"
    supply_id: UUID


@dataclass(frozen=True, kw_only=True)
class TakeHomeKitSupplied(DomainEvent):
    event_type: ClassVar[str] = "TakeHomeKitSupplied"
    supply_id: UUID
    force_id: str
    setting: SupplySetting
    recipient: SupplyRecipient
    product_code: str
    product: ContractProduct
    quantity: int
    supplied_at: datetime
    supplier_org_id: str
    repeat_supply: bool
    advice_given: bool
    repeat_reason: RepeatSupplyReason | None = None
    subject_pseudonym: str | None = None
    area_code: str | None = None
    officer_id: UUID | None = None
    kit_id: UUID | None = None
    batch_id: UUID | None = None
    location_id: str | None = None
    referral_consent: bool = False
    #: Age band and sex, sealed with the supply's data key (on Kafka as subject_details_ciphertext).
    subject_details_sealed: str | None = None
    #: A bounded note, sealed; kept in the event store only: free text never goes on Kafka.
    note_sealed: str | None = None


SUPPLY_EVENTS = (TakeHomeKitSupplied, TakeHomeSupplyPersonalDataShredded)


class TakeHomeSupply(Aggregate):
    aggregate_type = "TakeHomeSupply"

    def __init__(self, aggregate_id: UUID) -> None:
        super().__init__(aggregate_id)
        self.force_id: str | None = None
        self.recorded = False
        self.setting: SupplySetting | None = None
        self.repeat_supply = False
        self.kit_id: UUID | None = None
        self.subject_pseudonym: str | None = None
        self.sealed: dict[str, str | None] = {}
        self.shredded: ShredReason | None = None

    def record(self, *, force_id: str, setting: SupplySetting, recipient: SupplyRecipient,
               supplied_at: datetime, supplier_org_id: str, repeat_supply: bool,
               repeat_reason: RepeatSupplyReason | None = None, advice_given: bool = False,
               product: Product | None = None, kit: Kit | None = None, quantity: int = 1,
               subject_pseudonym: str | None = None, area_code: str | None = None,
               officer_id: UUID | None = None, referral_consent: bool = False,
               subject_details_sealed: str | None = None, note_sealed: str | None = None) -> None:
        """Record the supply; with `kit`, also take that kit out of force stock (it must be fit to hand out)."""
        if self.recorded:
            raise DomainError(f"take-home supply {self.id} is already recorded")
        checked_aware(supplied_at, "supplied_at")
        checked_code(supplier_org_id, "supplier_org_id")
        if area_code is not None:
            checked_code(area_code, "area_code")
        if subject_pseudonym is not None:
            checked_pseudonym(subject_pseudonym)
        if repeat_supply and repeat_reason is None:
            raise InvalidValue("a repeat supply must say why the person is supplied again (repeat_reason)",
                               field="repeat_reason")
        if not repeat_supply and repeat_reason is not None:
            raise InvalidValue("a first supply has no repeat_reason", field="repeat_reason")
        if not 1 <= quantity <= MAX_KITS_PER_SUPPLY:
            raise InvalidValue(f"quantity must be 1-{MAX_KITS_PER_SUPPLY} kits (got {quantity})", field="quantity")
        if kit is None and product is None:
            raise InvalidValue("a take-home supply names the product, or the force kit handed out",
                               field="product_code")
        if kit is not None:
            if kit.status is None:
                raise KitNotFound(str(kit.id))
            if quantity != 1:
                raise InvalidValue("a supply from a tracked force kit hands out exactly that one kit", field="quantity")
            if kit.force_id != force_id:
                raise DomainError(f"kit {kit.label} belongs to force {kit.force_id}, not {force_id}")
            if product is not None and product.code != kit.product_code:
                raise DomainError(f"kit {kit.label} holds {kit.product_code}, not {product.code}")
            location_id = kit.location.location_id if kit.location else None
            kit.supply_take_home(supply_id=self.id, supplied_at=supplied_at, setting=setting)
            product_code, contract_product = kit.product_code, kit.product
        else:
            location_id = None
            product_code, contract_product = product.code, product.contract_product
        self._raise(TakeHomeKitSupplied(
            supply_id=self.id, force_id=force_id, setting=setting, recipient=recipient, product_code=product_code,
            product=contract_product, quantity=quantity, supplied_at=supplied_at, supplier_org_id=supplier_org_id,
            repeat_supply=repeat_supply, advice_given=advice_given, repeat_reason=repeat_reason,
            subject_pseudonym=subject_pseudonym, area_code=area_code, officer_id=officer_id,
            kit_id=kit.id if kit is not None else None, batch_id=kit.batch_id if kit is not None else None,
            location_id=location_id, referral_consent=referral_consent,
            subject_details_sealed=subject_details_sealed, note_sealed=note_sealed))

    def shred(self, *, reason: ShredReason, shredded_at: datetime) -> None:
        """Its data key was destroyed (erasure or retention): say so once."""
        if not self.recorded:
            raise DomainError(f"take-home supply {self.id} is not recorded")
        checked_aware(shredded_at, "shredded_at")
        if self.shredded is None:
            self._raise(TakeHomeSupplyPersonalDataShredded(supply_id=self.id, force_id=self.force_id, reason=reason,
                                                           shredded_at=shredded_at))

    def apply(self, event: DomainEvent) -> None:
        match event:
            case TakeHomeKitSupplied():
                self.force_id = event.force_id
                self.recorded = True
                self.setting = event.setting
                self.repeat_supply = event.repeat_supply
                self.kit_id = event.kit_id
                self.subject_pseudonym = event.subject_pseudonym
                self.sealed = {"subject_details": event.subject_details_sealed, "note": event.note_sealed}
            case TakeHomeSupplyPersonalDataShredded():
                self.shredded = event.reason
