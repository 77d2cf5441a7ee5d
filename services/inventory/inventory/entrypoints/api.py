"""The inventory HTTP API: batches, kits, recalls and take-home supplies under /v1/forces/{force_id}/.

A take-home supply's personal fields (age band and sex, a note) are opened at read time
with the key store: a destroyed key (erasure, retention) reads as `erased` /
`retention_expired`, whatever the view still holds. The force's DPO gets what inventory
holds about a pseudonym at `take-home-supplies/subjects/{pseudonym}` (subject access).
"""

import json
from datetime import UTC, date, datetime
from typing import Annotated
from uuid import UUID, uuid4

from fastapi import APIRouter, Depends, Path, Query
from naloxone_kernel.domain import NotFound
from naloxone_kernel.http import page
from naloxone_kernel.personal_data import (
    PSEUDONYM_PATTERN,
    PersonalData,
    as_bytes,
    dpo_scope,
    opened_facts,
    run_with_keys,
    shown_status,
)
from naloxone_kernel.serialization import event_to_json
from naloxone_kernel.service import Command, Kit, ServiceParts, force_scope, respond

from ..adapters.contracts import to_proto
from ..application import handlers as h
from ..application.jobs import JOBS
from ..application.reactions import REACTIONS
from ..domain import INVENTORY_EVENTS, KitStatus, Location, TakeHomeSupply
from ..projections import InventoryQueries, InventoryReadModel, OfficerStandingView, public_supply
from ..reference import products
from ..settings import InventorySettings
from .schemas import (
    BulkIssueBody,
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
DpoForce = Annotated[str, Depends(dpo_scope)]
Pseudonym = Annotated[str, Path(pattern=PSEUDONYM_PATTERN, description="the subject's pseudonym in this force")]

router = APIRouter()


def personal(kit) -> PersonalData:
    return PersonalData.of(kit.settings)


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


@router.post("/v1/forces/{force_id}/kits/issues", tags=["commands"])
async def issue_kits(force_id: WriteForce, body: BulkIssueBody, ctx: Command, kit: Kit):
    """Issue up to 500 kits at once (a course's roster leaving with their kits), each as the
    single issue would. All or nothing: one refusal (an officer not certified on the day, a
    kit already held) refuses the whole list and names the issue's place in it."""
    standings = await kit.queries.standings([i.officer_id for i in body.issues])
    result = await kit.runner.run(ctx, h.issue_many(h.IssueKits(force_id=force_id, issues=tuple(
        h.IssueKit(force_id=force_id, kit_id=i.kit_id, officer=standings[i.officer_id], issued_on=i.issued_on)
        for i in body.issues))))
    return respond(result)


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
    Naloxone Programme counts it).

    The person at risk is never named. Give the force's own identifier for them as
    `subject.local_identifier` (custody record number, local person id): it becomes the platform
    pseudonym here, the same one incidents and diversion compute for that person in this force, and
    is never stored, logged, published or echoed. A caller who never sees the local identifier (e.g.
    a partner) gives instead the platform pseudonym an earlier response returned, as
    `subject_pseudonym`. The response gives the pseudonym. Age band, sex and any note are sealed with
    the supply's own data key; the note stays in inventory and is never published."""
    pd = personal(kit)
    subject = body.subject
    pseudonym = body.subject_pseudonym
    if subject is not None and subject.local_identifier is not None:
        pseudonym = pd.pseudonym(force_id, subject.local_identifier.get_secret_value())
    cmd = h.SupplyTakeHome(
        force_id=force_id, supply_id=uuid4(), setting=body.setting, recipient=body.recipient,
        supplied_at=body.supplied_at, supplier_org_id=body.supplier_org_id, repeat_supply=body.repeat_supply,
        repeat_reason=body.repeat_reason, advice_given=body.advice_given, product_code=body.product_code,
        kit_id=body.kit_id, quantity=body.quantity, subject_pseudonym=pseudonym,
        area_code=body.area_code, officer_id=body.officer_id, referral_consent=body.referral_consent,
        personal={"subject_details": subject.details() if subject is not None else None,
                  "note": {"text": body.note.get_secret_value()} if body.note is not None else None})
    result = await run_with_keys(kit.pool, kit.runner.mapper, pd, ctx, lambda keys: h.supply_take_home(cmd, keys))
    return respond(result, location=supply_location(force_id, result.body["supply_id"]))


def supply_location(force_id: str, supply_id) -> str:
    return f"/v1/forces/{force_id}/take-home-supplies/{supply_id}"


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


async def _opened(kit, rows) -> list[dict]:
    """Supply rows with the person's details opened at read time (erased / past retention when the key is gone)."""
    opened = await personal(kit).keys(kit.pool).open(
        [(r["subject_details_ciphertext"], h.sealing_context(r["supply_id"], "subject_details")) for r in rows])
    out = []
    for r, details in zip(rows, opened):
        item = public_supply(r)
        item["subject"] = {"pseudonym": r["subject_pseudonym"], "age_band": (details.value or {}).get("age_band"),
                           "sex": (details.value or {}).get("sex"),
                           "personal_data": shown_status(details, r["shredded"])}
        out.append(item)
    return out


@router.get("/v1/forces/{force_id}/take-home-supplies", tags=["queries"])
async def take_home_supplies(force_id: ReadForce, kit: Kit, limit: Limit = 100, after: UUID | None = None):
    """Supplies newest first; the person's age band and sex opened for the force, or marked erased."""
    rows = await kit.queries.take_home_supplies(force_id, limit=limit, after=after)
    return page(await _opened(kit, rows), limit, "supply_id")


@router.get("/v1/forces/{force_id}/take-home-supplies/subjects/{subject_pseudonym}", tags=["subjects"])
async def supplies_subject_access(force_id: DpoForce, subject_pseudonym: Pseudonym, kit: Kit):
    """Subject access, inventory's part (incidents' `subjects/{pseudonym}/export` covers administrations):
    every take-home supply inventory holds about the pseudonym in this force, as JSON, from the event
    store itself, personal fields opened (or marked erased). For the force's data-protection officer
    (role auditor with the `dpo` grant)."""
    keys = personal(kit).keys(kit.pool)
    held = await keys.subject_records(force_id, subject_pseudonym)
    linked = await kit.queries.subject_supplies(force_id, subject_pseudonym)
    ids = list(dict.fromkeys([r["record_id"] for r in held if r["record_type"] == h.RECORD_TYPE] + linked))
    streams = await kit.runner.store.load_many(ids) if ids else {}
    records = []
    for supply_id in ids:
        events = []
        for stored in streams.get(supply_id, []):
            facts = json.loads(event_to_json(kit.runner.mapper.registry.decode(stored.event_type, stored.payload)))
            events.append({"event_type": stored.event_type, "recorded_at": stored.recorded_at.isoformat(),
                           "facts": await opened_facts(keys, facts, h.SEALED_FIELDS,
                                                       lambda name, s=supply_id: h.sealing_context(s, name))})
        if events:
            records.append({"supply_id": str(supply_id), "events": events})
    return {"force_id": force_id, "subject_pseudonym": subject_pseudonym, "service": "inventory",
            "generated_at": datetime.now(UTC).isoformat(), "take_home_supplies": records,
            "keys_held": [{"record_type": r["record_type"], "record_id": str(r["record_id"]),
                           "occurred_at": r["occurred_at"].isoformat()} for r in held]}


@router.get("/v1/forces/{force_id}/take-home-supplies/{supply_id}", tags=["queries"])
async def get_take_home_supply(force_id: ReadForce, supply_id: UUID, kit: Kit):
    """One supply, the person's details and the note opened for the force (or marked erased)."""
    row = await kit.queries.take_home_supply(force_id, supply_id)
    if row is None:
        raise NotFound("take-home supply", supply_id, force_id)
    item = (await _opened(kit, [row]))[0]
    supply = kit.runner.mapper.replay(TakeHomeSupply, supply_id, await kit.runner.store.load(supply_id))
    note_sealed = supply.sealed.get("note")
    note = (await personal(kit).keys(kit.pool).open(
        [(as_bytes(note_sealed) if note_sealed else None, h.sealing_context(supply_id, "note"))]))[0]
    item["note"] = {"text": (note.value or {}).get("text"), "personal_data": shown_status(note, row["shredded"])}
    return item


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
