"""The inventory HTTP API: batches, kits, recalls and take-home supplies under /v1/forces/{force_id}/."""

from datetime import date
from typing import Annotated
from uuid import UUID, uuid4

from fastapi import APIRouter, Depends, Query
from naloxone_kernel.domain import NotFound
from naloxone_kernel.http import page
from naloxone_kernel.service import Command, Kit, ServiceParts, force_scope, respond

from ..adapters.contracts import to_proto
from ..application import handlers as h
from ..application.jobs import JOBS
from ..application.reactions import REACTIONS
from ..domain import INVENTORY_EVENTS, KitStatus, Location
from ..projections import InventoryQueries, InventoryReadModel, OfficerStandingView
from ..reference import products
from ..settings import InventorySettings
from .schemas import (
    IssueBody,
    LocationBody,
    LossBody,
    RecallBody,
    ReceiveBatchBody,
    ReturnBody,
    TakeHomeSupplyBody,
    TransferBody,
    UseBody,
)

WRITERS = frozenset({"officer", "custody", "trainer", "force_admin"})
READERS = WRITERS | {"auditor"}
STOCK_MANAGERS = frozenset({"custody", "trainer", "force_admin"})

ReadForce = Annotated[str, Depends(force_scope(READERS))]
WriteForce = Annotated[str, Depends(force_scope(WRITERS))]
StockForce = Annotated[str, Depends(force_scope(STOCK_MANAGERS))]
Limit = Annotated[int, Query(ge=1, le=500)]

router = APIRouter()


def _location(body: LocationBody) -> Location:
    return Location(body.location_id, body.location_type)


def kit_location(force_id: str, kit_id) -> str:
    return f"/v1/forces/{force_id}/kits/{kit_id}"


# --- commands ------------------------------------------------------------------------------

@router.post("/v1/forces/{force_id}/stock/batches", status_code=201, tags=["commands"])
async def receive_batch(force_id: StockForce, body: ReceiveBatchBody, ctx: Command, kit: Kit):
    """Receive a batch into a location; each of its kits is tracked individually from here on."""
    result = await kit.runner.run(ctx, h.receive(h.ReceiveStock(
        force_id=force_id, batch_id=uuid4(), product_code=body.product_code, manufacturer_lot=body.manufacturer_lot,
        quantity=body.quantity, expires_on=body.expires_on, received_on=body.received_on,
        location=_location(body.location), supplier=body.supplier)))
    return respond(result, location=f"/v1/forces/{force_id}/stock/batches/{result.body['batch_id']}")


@router.post("/v1/forces/{force_id}/kits/{kit_id}/issue", tags=["commands"])
async def issue_kit(force_id: WriteForce, kit_id: UUID, body: IssueBody, ctx: Command, kit: Kit):
    """Issue a kit to an officer whose naloxone certification is valid on the day (409 naming the reason if not)."""
    standing = await kit.queries.standing(body.officer_id)
    result = await kit.runner.run(ctx, h.issue(h.IssueKit(force_id=force_id, kit_id=kit_id, officer=standing,
                                                          issued_on=body.issued_on)))
    return respond(result, location=kit_location(force_id, kit_id))


@router.post("/v1/forces/{force_id}/kits/{kit_id}/return", tags=["commands"])
async def return_kit(force_id: WriteForce, kit_id: UUID, body: ReturnBody, ctx: Command, kit: Kit):
    """The holder returns a kit to a location, reissuable or to be destroyed."""
    result = await kit.runner.run(ctx, h.return_kit(h.ReturnKit(
        force_id=force_id, kit_id=kit_id, location=_location(body.location), returned_on=body.returned_on,
        reason=body.reason, reissuable=body.reissuable)))
    return respond(result, location=kit_location(force_id, kit_id))


@router.post("/v1/forces/{force_id}/kits/{kit_id}/transfer", tags=["commands"])
async def transfer_kit(force_id: StockForce, kit_id: UUID, body: TransferBody, ctx: Command, kit: Kit):
    """Move a kit in stock from one location to another."""
    result = await kit.runner.run(ctx, h.transfer(h.TransferKit(
        force_id=force_id, kit_id=kit_id, to=_location(body.to), transferred_on=body.transferred_on)))
    return respond(result, location=kit_location(force_id, kit_id))


@router.post("/v1/forces/{force_id}/kits/{kit_id}/loss", tags=["commands"])
async def lose_kit(force_id: WriteForce, kit_id: UUID, body: LossBody, ctx: Command, kit: Kit):
    """A kit lost, or destroyed (damaged, over temperature, expired, recalled): it leaves service."""
    result = await kit.runner.run(ctx, h.write_off(h.WriteOffKit(
        force_id=force_id, kit_id=kit_id, reason=body.reason, written_off_on=body.written_off_on)))
    return respond(result, location=kit_location(force_id, kit_id))


@router.post("/v1/forces/{force_id}/kits/{kit_id}/use", tags=["commands"])
async def use_kit(force_id: WriteForce, kit_id: UUID, body: UseBody, ctx: Command, kit: Kit):
    """Record that a kit was used at an incident (also recorded automatically from an administration
    that names the kit). Never refused for the kit's state; a second report changes nothing."""
    result = await kit.runner.run(ctx, h.use(h.UseKit(
        force_id=force_id, kit_id=kit_id, officer_id=body.officer_id, incident_id=body.incident_id,
        used_at=body.used_at, doses_used=body.doses_used)))
    return respond(result, location=kit_location(force_id, kit_id))


@router.post("/v1/forces/{force_id}/recalls", tags=["commands"])
async def recall_batch(force_id: StockForce, body: RecallBody, ctx: Command, kit: Kit):
    """Recall a batch (a medicines-regulator alert): every live kit of it is flagged, wherever it is."""
    result = await kit.runner.run(ctx, h.recall(h.RecallBatch(
        force_id=force_id, batch_id=body.batch_id, recall_reference=body.recall_reference,
        recalled_on=body.recalled_on)))
    return respond(result, location=f"/v1/forces/{force_id}/recalls")


@router.post("/v1/forces/{force_id}/take-home-supplies", status_code=201, tags=["commands"])
async def supply_take_home(force_id: WriteForce, body: TakeHomeSupplyBody, ctx: Command, kit: Kit):
    """Record a take-home naloxone kit handed over (first or repeat supply, as the Scottish National
    Naloxone Programme counts it). The person is named only by an opaque pseudonym."""
    result = await kit.runner.run(ctx, h.supply_take_home(h.SupplyTakeHome(
        force_id=force_id, supply_id=uuid4(), setting=body.setting, recipient=body.recipient,
        supplied_at=body.supplied_at, supplier_org_id=body.supplier_org_id, repeat_supply=body.repeat_supply,
        repeat_reason=body.repeat_reason, advice_given=body.advice_given, product_code=body.product_code,
        kit_id=body.kit_id, quantity=body.quantity, subject_pseudonym=body.subject_pseudonym,
        area_code=body.area_code, officer_id=body.officer_id)))
    return respond(result, location=f"/v1/forces/{force_id}/take-home-supplies/{result.body['supply_id']}")


# --- queries -------------------------------------------------------------------------------

@router.get("/v1/forces/{force_id}/stock/batches", tags=["queries"])
async def list_batches(force_id: ReadForce, kit: Kit, limit: Limit = 100, after: UUID | None = None):
    """Batches received, newest first, with their recall and expiry state."""
    items = await kit.queries.batches(force_id, limit=limit, after=after)
    return page(items, limit, "batch_id")


@router.get("/v1/forces/{force_id}/stock/batches/{batch_id}", tags=["queries"])
async def get_batch(force_id: ReadForce, batch_id: UUID, kit: Kit):
    batch = await kit.queries.batch(force_id, batch_id)
    if batch is None:
        raise NotFound("batch", batch_id, force_id)
    return batch


@router.get("/v1/forces/{force_id}/stock", tags=["queries"])
async def stock(force_id: ReadForce, kit: Kit,
                location: Annotated[str | None, Query(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.:/-]{0,63}$")] = None):
    """Kits in stock per location and product: how many can be issued, and how many cannot and why."""
    return {"items": await kit.queries.stock(force_id, location=location)}


@router.get("/v1/forces/{force_id}/kits", tags=["queries"])
async def list_kits(
    force_id: ReadForce,
    kit: Kit,
    holder: UUID | None = None,
    status: KitStatus | None = None,
    location: Annotated[str | None, Query(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.:/-]{0,63}$")] = None,
    expiring_within_days: Annotated[int | None, Query(ge=0, le=3660)] = None,
    on: Annotated[date | None, Query(description="the day expiry is counted from (default today)")] = None,
    limit: Limit = 100,
    after: Annotated[UUID | None, Query(description="the last kit_id of the previous page")] = None,
):
    """Kits by holder, status, location or coming expiry, ordered by label."""
    items = await kit.queries.kits(force_id, holder=holder, status=status.value if status else None,
                                   location=location, expiring_within_days=expiring_within_days,
                                   today=on or date.today(), limit=limit, after=after)
    return page(items, limit, "kit_id")


@router.get("/v1/forces/{force_id}/kits/{kit_id}", tags=["queries"])
async def get_kit(force_id: ReadForce, kit_id: UUID, kit: Kit):
    found = await kit.queries.kit(force_id, kit_id)
    if found is None:
        raise NotFound("kit", kit_id, force_id)
    return found


@router.get("/v1/forces/{force_id}/recalls", tags=["queries"])
async def recalls(force_id: ReadForce, kit: Kit):
    """Every kit of every recalled batch, with its holder or location now."""
    return {"items": await kit.queries.recalls(force_id)}


@router.get("/v1/forces/{force_id}/take-home-supplies", tags=["queries"])
async def take_home_supplies(force_id: ReadForce, kit: Kit, limit: Limit = 100, after: UUID | None = None):
    items = await kit.queries.take_home_supplies(force_id, limit=limit, after=after)
    return page(items, limit, "supply_id")


@router.get("/v1/forces/{force_id}/inventory/summary", tags=["queries"])
async def summary(force_id: ReadForce, kit: Kit):
    """Kits in stock, issued, used, lost, expired and recalled; take-home supplies first and repeat."""
    return await kit.queries.summary(force_id)


@router.get("/v1/forces/{force_id}/inventory/swap-due", tags=["queries"])
async def swap_due(force_id: ReadForce, kit: Kit,
                   lead_days: Annotated[int | None, Query(ge=0, le=366)] = None,
                   on: Annotated[date | None, Query()] = None):
    """Kits out with officers that should be swapped: recalled, expired or expiring within the lead time."""
    lead = kit.settings.swap_lead_days if lead_days is None else lead_days
    return {"lead_days": lead, "items": await kit.queries.swap_due(force_id, today=on or date.today(),
                                                                    lead_days=lead)}


@router.get("/v1/forces/{force_id}/inventory/to-return", tags=["queries"])
async def to_return(force_id: ReadForce, kit: Kit):
    """Kits still held by officers withdrawn from the scheme."""
    return {"items": await kit.queries.to_return(force_id)}


@router.get("/v1/forces/{force_id}/inventory/replacements-due", tags=["queries"])
async def replacements_due(force_id: ReadForce, kit: Kit):
    """Officers whose kit was used and who have not been issued another since."""
    return {"items": await kit.queries.replacements_due(force_id)}


@router.get("/v1/forces/{force_id}/inventory/products", tags=["queries"])
async def product_catalogue(force_id: ReadForce):
    """The naloxone products inventory can stock (reference data)."""
    return {"items": [vars(p) | {"contract_product": p.contract_product.value} for p in products().values()]}


service = ServiceParts(
    router=router,
    events=INVENTORY_EVENTS,
    to_proto=to_proto,
    read_models=(InventoryReadModel(), OfficerStandingView()),
    queries=InventoryQueries,
    reactions=REACTIONS,
    jobs=JOBS,
    settings=InventorySettings,
    description="Naloxone stock: batches, individually tracked kits, recalls and take-home supply.",
)
