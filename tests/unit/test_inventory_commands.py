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
from naloxone_kernel.personal_data import (
    ERASED,
    InMemoryKeyStore,
    ShredReason,
    as_bytes,
    shred_records,
    unseal_json,
)
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
        kit_id=kit_id, subject_pseudonym="p" * 20), InMemoryKeyStore()))
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


# --- take-home supplies and personal data -------------------------------------------------------

SUBJECT = "ps1_" + "s" * 43


def supply_cmd(**overrides) -> h.SupplyTakeHome:
    values = dict(force_id=FORCE, supply_id=uuid4(), setting=SupplySetting.CUSTODY_RELEASE,
                  recipient=SupplyRecipient.PERSON_AT_RISK, supplied_at=datetime(2026, 3, 2, 9, tzinfo=UTC),
                  supplier_org_id=FORCE, repeat_supply=False, product_code="nyxoid-1-8mg-nasal-spray",
                  subject_pseudonym=SUBJECT,
                  personal={"subject_details": {"age_band": "25_to_34", "sex": "female"},
                            "note": {"text": "left with sister"}})
    return h.SupplyTakeHome(**(values | overrides))


async def test_a_supply_about_a_person_seals_its_personal_fields_with_its_own_key():
    r, keys = runner(), InMemoryKeyStore()
    cmd = supply_cmd()
    await r.run(ctx(), h.supply_take_home(cmd, keys))
    event = r.store.events[-1]
    assert "left with sister" not in str(event.payload) and "25_to_34" not in str(event.payload)
    key = await keys.for_record(h.RECORD_TYPE, cmd.supply_id)
    recorded = r.mapper.registry.decode(event.event_type, event.payload)
    assert unseal_json(key, as_bytes(recorded.note_sealed), h.sealing_context(cmd.supply_id, "note")) == {
        "text": "left with sister"}
    message = to_proto(recorded)
    assert message.subject_details_ciphertext == as_bytes(recorded.subject_details_sealed)
    assert b"left with sister" not in message.SerializeToString()  # the note never goes on Kafka
    with pytest.raises(TypeError, match="key store"):
        await r.run(ctx(), h.supply_take_home(supply_cmd()))


async def test_a_supply_naming_nobody_needs_no_key():
    r, keys = runner(), InMemoryKeyStore()
    await r.run(ctx(), h.supply_take_home(supply_cmd(subject_pseudonym=None, personal={}), keys))
    assert keys.keys == {}


async def test_erasure_shreds_the_subjects_supplies_in_that_force_only_and_says_so_once():
    r, keys = runner(), InMemoryKeyStore()
    mine, other_person, other_force = supply_cmd(), supply_cmd(subject_pseudonym="ps1_" + "t" * 43), supply_cmd(
        force_id="leicestershire")
    for cmd in (mine, other_person, other_force):
        await r.run(ctx(), h.supply_take_home(cmd, keys))
    erased_at = datetime(2026, 4, 1, tzinfo=UTC)
    erase = shred_records(keys, h.RECORD_TYPE, h.TakeHomeSupply, ShredReason.ERASURE, erased_at,
                          subject=(FORCE, SUBJECT))
    result = await r.run(ctx("erase-1"), erase)
    assert result.body["records_shredded"] == 1 and result.body["record_ids"] == [str(mine.supply_id)]
    assert await keys.for_record(h.RECORD_TYPE, mine.supply_id) is None
    assert await keys.for_record(h.RECORD_TYPE, other_person.supply_id) is not None
    assert await keys.for_record(h.RECORD_TYPE, other_force.supply_id) is not None
    shredded = [e for e in r.store.events if e.event_type == "TakeHomeSupplyPersonalDataShredded"]
    assert len(shredded) == 1 and shredded[0].aggregate_id == mine.supply_id
    sealed = r.mapper.registry.decode("TakeHomeKitSupplied", r.store.events[0].payload).subject_details_sealed
    assert (await keys.open([(as_bytes(sealed), h.sealing_context(mine.supply_id, "subject_details"))]))[0].status \
        == ERASED
    again = await r.run(ctx("erase-2"), shred_records(keys, h.RECORD_TYPE, h.TakeHomeSupply, ShredReason.ERASURE,
                                                      erased_at, subject=(FORCE, SUBJECT)))
    assert again.outcome is Outcome.UNCHANGED


async def test_retention_shreds_one_supply_and_a_second_shred_changes_nothing():
    r, keys = runner(), InMemoryKeyStore()
    cmd = supply_cmd()
    await r.run(ctx(), h.supply_take_home(cmd, keys))
    now = datetime(2030, 1, 1, tzinfo=UTC)
    first = await r.run(ctx(), shred_records(keys, h.RECORD_TYPE, h.TakeHomeSupply, ShredReason.RETENTION, now,
                                             record_id=cmd.supply_id))
    second = await r.run(ctx(), shred_records(keys, h.RECORD_TYPE, h.TakeHomeSupply, ShredReason.RETENTION, now,
                                              record_id=cmd.supply_id))
    assert (first.outcome, second.outcome) == (Outcome.CHANGED, Outcome.UNCHANGED)
    assert [e.event_type for e in r.store.events].count("TakeHomeSupplyPersonalDataShredded") == 1
