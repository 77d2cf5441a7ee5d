"""Decisions that span a batch and its kits, made in one step so the application appends them atomically.

Receiving creates a batch and each of its kits; a recall and the expiry job change a
batch and every live kit of it. Each function only raises events on the aggregates it
is given (pure); the caller appends all their pending events in one append, so a recall
and a concurrent issue of one of its kits conflict on that kit's version.
"""

from __future__ import annotations

from datetime import date
from typing import Sequence
from uuid import UUID

from .batch import Batch, kit_id_for, kit_label
from .kit import Kit
from .values import KitStatus, Location, Product


def receive_stock(*, batch_id: UUID, force_id: str, product: Product, manufacturer_lot: str, quantity: int,
                  expires_on: date, received_on: date, location: Location,
                  supplier: str | None = None) -> tuple[Batch, list[Kit]]:
    """A new batch (StockReceived) and its `quantity` new kits (KitStocked each), all at `location`."""
    batch = Batch(batch_id)
    batch.receive(force_id=force_id, product=product, manufacturer_lot=manufacturer_lot, quantity=quantity,
                  expires_on=expires_on, received_on=received_on, location=location, supplier=supplier)
    kits = []
    for n in range(1, quantity + 1):
        kit = Kit(kit_id_for(batch_id, n))
        kit.stock(force_id=force_id, batch_id=batch_id, sequence_number=n, label=kit_label(manufacturer_lot, n),
                  product_code=product.code, product=product.contract_product, doses_per_kit=product.doses_per_kit,
                  manufacturer_lot=manufacturer_lot, expires_on=expires_on, stocked_on=received_on,
                  location=location)
        kits.append(kit)
    return batch, kits


def _check_kits_of(batch: Batch, kits: Sequence[Kit]) -> None:
    if sorted(k.id for k in kits) != sorted(batch.kit_ids()):
        raise ValueError(f"pass every kit of batch {batch.id} (its kit_ids()), and only those")


def _counts(kits: Sequence[Kit]) -> tuple[int, int]:
    in_stock = sum(1 for k in kits if k.status is KitStatus.IN_STOCK)
    issued = sum(1 for k in kits if k.status is KitStatus.ISSUED)
    return in_stock, issued


def recall_batch(batch: Batch, kits: Sequence[Kit], *, recall_reference: str, recalled_on: date) -> list[Kit]:
    """BatchRecalled on the batch and KitRecalled on each live kit; returns the kits that changed."""
    _check_kits_of(batch, kits)
    in_stock, issued = _counts(kits)
    batch.recall(recall_reference=recall_reference, recalled_on=recalled_on, kits_in_stock=in_stock,
                 kits_issued=issued)
    return [k for k in kits if k.recall(recall_reference=recall_reference, recalled_on=recalled_on)]


def expire_batch(batch: Batch, kits: Sequence[Kit], *, today: date) -> bool:
    """The daily expiry job for one batch: KitExpired on each live kit past expiry, BatchExpired once.

    False when there was nothing to do (not yet past expiry, or already expired).
    """
    _check_kits_of(batch, kits)
    changed = [k for k in kits if k.expire(today=today)]
    in_stock, issued = _counts(kits)
    return batch.expire(today=today, kits_in_stock=in_stock, kits_issued=issued) or bool(changed)
