"""Inventory's decisions through the kernel's command runner, on the in-memory event store."""

from datetime import UTC, date, datetime, timedelta
from uuid import UUID, uuid4

import pytest

from inventory.adapters.contracts import to_proto
from inventory.application import handlers as h
from inventory.domain import (
    INVENTORY_EVENTS,
    Location,
    LocationType,
    OfficerStanding,
    SupplyRecipient,
    SupplySetting,
    WriteOffReason,
)
from naloxone_kernel.commands import CommandRunner, Outcome
from naloxone_kernel.domain import DomainError, NotFound
from naloxone_kernel.memory import InMemoryEventStore
from naloxone_kernel.repository import CommandContext, EventMapper

FORCE = "west-midlands"
DAY = date(2026, 3, 1)
STATION = Location("STN-1", LocationType.POLICE_STATION)


def runner() -> CommandRunner:
    return CommandRunner(InMemoryEventStore(), EventMapper(INVENTORY_EVENTS, to_proto, "naloxone.inventory.events.v1"))


def ctx(key: str | None = None) -> CommandContext:
    key = key or uuid4().hex
    return CommandContext(actor="custody@wm", correlation_id="c", idempotency_key=key, fingerprint=key)


async def receive(r: CommandRunner, quantity: int = 3, key: str | None = None) -> dict:
    result = await r.run(ctx(key), h.receive(h.ReceiveStock(
        force_id=FORCE, batch_id=uuid4(), product_code="nyxoid-1-8mg-nasal-spray", manufacturer_lot="NX1",
        quantity=quantity, expires_on=DAY + timedelta(days=365), received_on=DAY, location=STATION)))
    assert result.outcome is Outcome.CREATED
    return result.body


def certified(officer_id: UUID | None = None) -> OfficerStanding:
    return OfficerStanding(officer_id=officer_id or uuid4(), known=True, valid_until=DAY + timedelta(days=100),
                           certification="certified", force_id=FORCE)


async def test_receiving_appends_the_batch_and_every_kit_in_one_append_and_replays():
    r = runner()
    body = await receive(r, 3, key="recv-1")
    assert len(body["kit_ids"]) == 3 and body["events"] == ["StockReceived"] + ["KitStocked"] * 3
    again = await r.run(ctx("recv-1"), h.receive(h.ReceiveStock(
        force_id=FORCE, batch_id=uuid4(), product_code="nyxoid-1-8mg-nasal-spray", manufacturer_lot="NX1",
        quantity=3, expires_on=DAY + timedelta(days=365), received_on=DAY, location=STATION)))
    assert again.replayed and again.body == body and len(r.store.events) == 4


async def test_issue_to_a_lapsed_officer_is_refused_and_appends_nothing():
    r = runner()
    kit_id = UUID((await receive(r))["kit_ids"][0])
    lapsed = OfficerStanding(officer_id=uuid4(), known=True, valid_until=DAY - timedelta(days=1),
                             certification="expired", force_id=FORCE)
    before = len(r.store.events)
    with pytest.raises(DomainError, match="certification expired on 2026-03-01"):
        await r.run(ctx(), h.issue(h.IssueKit(force_id=FORCE, kit_id=kit_id, officer=lapsed, issued_on=DAY)))
    assert len(r.store.events) == before


async def test_a_recall_flags_every_live_kit_with_the_batch_atomically():
    r = runner()
    body = await receive(r, 4)
    kits = [UUID(k) for k in body["kit_ids"]]
    await r.run(ctx(), h.issue(h.IssueKit(force_id=FORCE, kit_id=kits[0], officer=certified(), issued_on=DAY)))
    await r.run(ctx(), h.write_off(h.WriteOffKit(force_id=FORCE, kit_id=kits[1], reason=WriteOffReason.LOST, written_off_on=DAY)))
    recalled = await r.run(ctx(), h.recall(h.RecallBatch(force_id=FORCE, batch_id=UUID(body["batch_id"]),
                                                         recall_reference="MHRA-1", recalled_on=DAY)))
    assert recalled.body["kits_flagged"] == 3  # the lost kit is gone
    assert recalled.body["events"] == ["BatchRecalled"] + ["KitRecalled"] * 3
    with pytest.raises(DomainError, match="recalled"):
        await r.run(ctx(), h.issue(h.IssueKit(force_id=FORCE, kit_id=kits[2], officer=certified(), issued_on=DAY)))


async def test_a_use_reported_twice_is_one_kit_used():
    r = runner()
    kit_id = UUID((await receive(r, 1))["kit_ids"][0])
    use = h.UseKit(force_id=FORCE, kit_id=kit_id, officer_id=uuid4(), incident_id=uuid4(),
                   used_at=datetime(2026, 3, 2, 1, 0, tzinfo=UTC), doses_used=2)
    first = await r.run(ctx(), h.use(use))
    second = await r.run(ctx(), h.use(use))
    assert first.outcome is Outcome.CHANGED and second.outcome is Outcome.UNCHANGED
    assert sum(e.event_type == "KitUsed" for e in r.store.events) == 1


async def test_a_take_home_supply_from_stock_takes_the_kit_out_of_stock():
    r = runner()
    kit_id = UUID((await receive(r, 1))["kit_ids"][0])
    supplied = await r.run(ctx(), h.supply_take_home(h.SupplyTakeHome(
        force_id=FORCE, supply_id=uuid4(), setting=SupplySetting.CUSTODY_RELEASE, recipient=SupplyRecipient.PERSON_AT_RISK,
        supplied_at=datetime(2026, 3, 2, 9, tzinfo=UTC), supplier_org_id="cranstoun", repeat_supply=False,
        kit_id=kit_id, subject_pseudonym="p" * 20)))
    assert supplied.outcome is Outcome.CREATED
    assert sorted(supplied.body["events"]) == ["KitSuppliedTakeHome", "TakeHomeKitSupplied"]
    with pytest.raises(DomainError):
        await r.run(ctx(), h.issue(h.IssueKit(force_id=FORCE, kit_id=kit_id, officer=certified(), issued_on=DAY)))


async def test_another_forces_kit_is_not_found():
    r = runner()
    kit_id = UUID((await receive(r, 1))["kit_ids"][0])
    with pytest.raises(NotFound, match="no kit"):
        await r.run(ctx(), h.transfer(h.TransferKit(force_id="leicestershire", kit_id=kit_id,
                                                    to=Location("V-1", LocationType.VEHICLE), transferred_on=DAY)))
