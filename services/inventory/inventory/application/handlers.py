"""Inventory's commands and the decisions they run (the kernel's runner makes them idempotent).

What inventory knows of an officer's certification comes from its own read model of
training's events (an `OfficerStanding`, looked up by the caller before deciding);
inventory never asks training.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from uuid import UUID

from naloxone_kernel.commands import Decision, Session
from naloxone_kernel.domain import DomainError, NotFound

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


def supply_take_home(cmd: SupplyTakeHome) -> Decision:
    async def decide(session: Session) -> dict:
        supply = await session.get(TakeHomeSupply, cmd.supply_id)
        kit = await _kit(session, cmd.force_id, cmd.kit_id) if cmd.kit_id else None
        if cmd.product_code is None and kit is None:
            raise NotFound("product or kit", "(none named)")
        supply.record(
            force_id=cmd.force_id, setting=cmd.setting, recipient=cmd.recipient, supplied_at=cmd.supplied_at,
            supplier_org_id=cmd.supplier_org_id, repeat_supply=cmd.repeat_supply, repeat_reason=cmd.repeat_reason,
            advice_given=cmd.advice_given, product=product(cmd.product_code) if cmd.product_code else None,
            kit=kit, quantity=cmd.quantity, subject_pseudonym=cmd.subject_pseudonym, area_code=cmd.area_code,
            officer_id=cmd.officer_id)
        return {"supply_id": str(supply.id), "kit_id": str(kit.id) if kit else None}

    return decide
