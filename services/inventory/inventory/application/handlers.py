"""Inventory's commands and the decisions they run (the kernel's runner makes them idempotent).

What inventory knows of an officer's certification comes from its own read model of
training's events (an `OfficerStanding`, looked up by the caller before deciding);
inventory never asks training.

A take-home supply's personal fields (age band and sex, a note) arrive in the clear from
the API and are sealed here, inside the command's transaction, with the supply's own data
key (made by the kernel's key store in the same transaction); the domain and the event
store only ever see sealed text. Every supply naming a person gets a key, so an erasure or
the retention job finds all of them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from uuid import UUID

from naloxone_kernel.commands import Decision, Session, in_force
from naloxone_kernel.domain import DomainError, NotFound, naming_item
from naloxone_kernel.personal_data import KeyStore, seal_fields

from ..domain import (
    Batch,
    Kit,
    KitReturnReason,
    Location,
    OfficerStanding,
    RepeatSupplyReason,
    SupplyRecipient,
    SupplySetting,
    TakeHomeSupply,
    WriteOffReason,
    expire_batch,
    receive_stock,
    recall_batch,
)
from ..reference import product


@dataclass(frozen=True)
class ReceiveStock:
    force_id: str
    batch_id: UUID
    product_code: str
    manufacturer_lot: str
    quantity: int
    expires_on: date
    received_on: date
    location: Location
    supplier: str | None = None


@dataclass(frozen=True)
class IssueKit:
    force_id: str
    kit_id: UUID
    officer: OfficerStanding
    issued_on: date


@dataclass(frozen=True)
class ReturnKit:
    force_id: str
    kit_id: UUID
    location: Location
    returned_on: date
    reason: KitReturnReason
    reissuable: bool


@dataclass(frozen=True)
class TransferKit:
    force_id: str
    kit_id: UUID
    to: Location
    transferred_on: date


@dataclass(frozen=True)
class WriteOffKit:
    force_id: str
    kit_id: UUID
    reason: WriteOffReason
    written_off_on: date


@dataclass(frozen=True)
class UseKit:
    force_id: str
    kit_id: UUID
    officer_id: UUID
    incident_id: UUID
    used_at: datetime
    doses_used: int
    administration_id: UUID | None = None


@dataclass(frozen=True)
class RecallBatch:
    force_id: str
    batch_id: UUID
    recall_reference: str
    recalled_on: date


@dataclass(frozen=True)
class ExpireBatch:
    force_id: str
    batch_id: UUID
    today: date


@dataclass(frozen=True)
class SupplyTakeHome:
    force_id: str
    supply_id: UUID
    setting: SupplySetting
    recipient: SupplyRecipient
    supplied_at: datetime
    supplier_org_id: str
    repeat_supply: bool
    repeat_reason: RepeatSupplyReason | None = None
    advice_given: bool = False
    product_code: str | None = None
    kit_id: UUID | None = None
    quantity: int = 1
    subject_pseudonym: str | None = None
    area_code: str | None = None
    officer_id: UUID | None = None
    referral_consent: bool = False
    #: subject_details {age_band, sex}, note {text}: sealed here with the supply's data key.
    personal: dict[str, Any] = field(default_factory=dict)


#: The record type of a take-home supply in the key store (and in INVENTORY_RETENTION_DAYS).
RECORD_TYPE = "take_home_supply"

#: Personal fields of a supply, each sealed as `<name>_sealed` on the aggregate.
SEALED_FIELDS = ("subject_details", "note")


def sealing_context(supply_id: UUID, name: str) -> str:
    """What a sealed field is bound to: this supply and this field (see kernel personal_data.seal)."""
    return f"inventory/{RECORD_TYPE}/{supply_id}/{name}"


def _kit_body(kit: Kit) -> dict:
    return {"kit_id": str(kit.id), "label": kit.label, "status": kit.status.value if kit.status else None}


async def _kit(session: Session, force_id: str, kit_id: UUID) -> Kit:
    return await session.existing(Kit, kit_id, force_id, "kit")


async def _batch_and_kits(session: Session, force_id: str, batch_id: UUID) -> tuple[Batch, list[Kit]]:
    batch = await session.existing(Batch, batch_id, force_id, "batch")
    return batch, await session.get_many(Kit, batch.kit_ids())


def receive(cmd: ReceiveStock) -> Decision:
    async def decide(session: Session) -> dict:
        if (await session.get(Batch, cmd.batch_id)).version:
            raise DomainError(f"batch {cmd.batch_id} was already received")
        batch, kits = receive_stock(
            batch_id=cmd.batch_id, force_id=cmd.force_id, product=product(cmd.product_code),
            manufacturer_lot=cmd.manufacturer_lot, quantity=cmd.quantity, expires_on=cmd.expires_on,
            received_on=cmd.received_on, location=cmd.location, supplier=cmd.supplier)
        session.add(batch, *kits)  # the batch stands in for the empty stream loaded above
        return {"batch_id": str(batch.id), "kit_ids": [str(k.id) for k in kits],
                "labels": [k.label for k in kits]}

    return decide


def issue(cmd: IssueKit) -> Decision:
    async def decide(session: Session) -> dict:
        kit = await _kit(session, cmd.force_id, cmd.kit_id)
        kit.issue(officer=cmd.officer, issued_on=cmd.issued_on)
        return _kit_body(kit) | {"officer_id": str(cmd.officer.officer_id)}

    return decide


@dataclass(frozen=True)
class IssueKits:
    """Kits handed out at once (a course's roster leaving with their kits). All or nothing."""
    force_id: str
    issues: tuple[IssueKit, ...]


def issue_many(cmd: IssueKits) -> Decision:
    """Each kit issued as `issue` would, in one unit of work; a refusal names the issue's place
    in the list, and nothing is appended."""

    async def decide(session: Session) -> dict:
        kits = await session.get_many(Kit, [i.kit_id for i in cmd.issues])
        issued = []
        for index, (item, kit) in enumerate(zip(cmd.issues, kits)):
            with naming_item("issues", index):
                in_force(kit, cmd.force_id, "kit").issue(officer=item.officer, issued_on=item.issued_on)
            issued.append(_kit_body(kit) | {"officer_id": str(item.officer.officer_id)})
        return {"kits": issued}

    return decide


def return_kit(cmd: ReturnKit) -> Decision:
    async def decide(session: Session) -> dict:
        kit = await _kit(session, cmd.force_id, cmd.kit_id)
        kit.return_to(cmd.location, returned_on=cmd.returned_on, reason=cmd.reason, reissuable=cmd.reissuable)
        return _kit_body(kit)

    return decide


def transfer(cmd: TransferKit) -> Decision:
    async def decide(session: Session) -> dict:
        kit = await _kit(session, cmd.force_id, cmd.kit_id)
        kit.transfer(to=cmd.to, transferred_on=cmd.transferred_on)
        return _kit_body(kit)

    return decide


def write_off(cmd: WriteOffKit) -> Decision:
    async def decide(session: Session) -> dict:
        kit = await _kit(session, cmd.force_id, cmd.kit_id)
        kit.write_off(reason=cmd.reason, written_off_on=cmd.written_off_on)
        return _kit_body(kit)

    return decide


def use(cmd: UseKit) -> Decision:
    """A use is a fact from the street: recorded whatever the kit's state; a second report changes nothing."""

    async def decide(session: Session) -> dict:
        kit = await _kit(session, cmd.force_id, cmd.kit_id)
        kit.use(administering_officer_id=cmd.officer_id, incident_id=cmd.incident_id, used_at=cmd.used_at,
                doses_used=cmd.doses_used, administration_id=cmd.administration_id)
        return _kit_body(kit)

    return decide


def recall(cmd: RecallBatch) -> Decision:
    async def decide(session: Session) -> dict:
        batch, kits = await _batch_and_kits(session, cmd.force_id, cmd.batch_id)
        flagged = recall_batch(batch, kits, recall_reference=cmd.recall_reference, recalled_on=cmd.recalled_on)
        return {"batch_id": str(batch.id), "manufacturer_lot": batch.manufacturer_lot,
                "kits_flagged": len(flagged)}

    return decide


def expire(cmd: ExpireBatch) -> Decision:
    """Used by the scheduled expiry job; nothing to do is an `unchanged` outcome."""

    async def decide(session: Session) -> dict:
        batch, kits = await _batch_and_kits(session, cmd.force_id, cmd.batch_id)
        expire_batch(batch, kits, today=cmd.today)
        return {"batch_id": str(batch.id)}

    return decide


def supply_take_home(cmd: SupplyTakeHome, keys: KeyStore | None = None) -> Decision:
    """Record a supply; one about a person gets its own data key (`keys`: the command's key store)."""

    async def decide(session: Session) -> dict:
        supply = await session.get(TakeHomeSupply, cmd.supply_id)
        if supply.version:
            raise DomainError(f"take-home supply {cmd.supply_id} is already recorded")
        kit = await _kit(session, cmd.force_id, cmd.kit_id) if cmd.kit_id else None
        if cmd.product_code is None and kit is None:
            raise NotFound("product or kit", "(none named)")
        personal = {name: value for name, value in cmd.personal.items() if value is not None}
        if set(personal) - set(SEALED_FIELDS):
            raise TypeError(f"not personal fields of a supply: {sorted(set(personal) - set(SEALED_FIELDS))}")
        sealed = {}
        if cmd.subject_pseudonym is not None or personal:
            if keys is None:
                raise TypeError("a supply about a person is recorded with the key store (run_with_keys)")
            key = await keys.create(force_id=cmd.force_id, subject_pseudonym=cmd.subject_pseudonym,
                                    record_type=RECORD_TYPE, record_id=cmd.supply_id, occurred_at=cmd.supplied_at)
            sealed = seal_fields(key, personal, lambda name: sealing_context(cmd.supply_id, name))
        supply.record(
            force_id=cmd.force_id, setting=cmd.setting, recipient=cmd.recipient, supplied_at=cmd.supplied_at,
            supplier_org_id=cmd.supplier_org_id, repeat_supply=cmd.repeat_supply, repeat_reason=cmd.repeat_reason,
            advice_given=cmd.advice_given, product=product(cmd.product_code) if cmd.product_code else None,
            kit=kit, quantity=cmd.quantity, subject_pseudonym=cmd.subject_pseudonym, area_code=cmd.area_code,
            officer_id=cmd.officer_id, referral_consent=cmd.referral_consent, **sealed)
        return {"supply_id": str(supply.id), "kit_id": str(kit.id) if kit else None,
                "subject_pseudonym": cmd.subject_pseudonym}

    return decide
