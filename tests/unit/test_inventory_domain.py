"""The inventory rules (batches, kits, take-home supply) as pure functions of their events.

Example tests pin each rule and the wording of its refusal; the property test drives a
batch's kits with random command sequences and checks after every step that a kit is in
exactly one place, that nothing unfit was ever issued, and that replaying the stored
events rebuilds the same state.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from uuid import UUID

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from inventory.domain import (
    INVENTORY_EVENTS,
    Batch,
    BatchExpired,
    BatchNotFound,
    BatchRecalled,
    InvalidValue,
    Kit,
    KitExpired,
    KitIssued,
    KitNotFound,
    KitRecalled,
    KitReturned,
    KitReturnReason,
    KitStatus,
    KitStocked,
    KitSuppliedTakeHome,
    KitTransferred,
    KitUsed,
    KitWrittenOff,
    Location,
    LocationType,
    OfficerStanding,
    RepeatSupplyReason,
    StockReceived,
    SupplyRecipient,
    SupplySetting,
    TakeHomeKitSupplied,
    TakeHomeSupply,
    UnknownProduct,
    WriteOffReason,
    expire_batch,
    kit_id_for,
    recall_batch,
    receive_stock,
)
from inventory.reference import load_products, product
from naloxone_kernel.domain import DomainError
from naloxone_kernel.personal_data import ShredReason
from naloxone_kernel.serialization import EventRegistry, event_to_json

FORCE = "west-midlands"
D = date(2026, 3, 1)
EXPIRY = date(2027, 1, 31)
BATCH_ID = UUID("0b8e3f0a-6a43-4c1e-9b7a-5d2f4c3e2a10")
NYXOID = product("nyxoid-1-8mg-nasal-spray")
PRENOXAD = product("prenoxad-2mg-2ml-injection")
STATION = Location("STN-LLOYD-HOUSE", LocationType.POLICE_STATION)
CUSTODY = Location("CUST-PERRY-BARR", LocationType.CUSTODY_SUITE)
VAN = Location("VEH-WM-4471", LocationType.VEHICLE)
PC_ONE = UUID("5b0b3c1e-4a53-4d8f-9c1e-000000000001")
PC_TWO = UUID("5b0b3c1e-4a53-4d8f-9c1e-000000000002")
INCIDENT = UUID("7d1c6a52-0e0f-4a7e-8c64-7f4a1f0c0001")
PSEUDONYM = "hmac_3f9a2b7c1d8e4f60"


def certified(officer_id: UUID = PC_ONE, valid_until: date = D + timedelta(days=365)) -> OfficerStanding:
    return OfficerStanding(officer_id=officer_id, known=True, valid_until=valid_until, certification="certified",
                           force_id=FORCE)


def received(quantity: int = 3, *, expires_on: date = EXPIRY, product_=NYXOID) -> tuple[Batch, list[Kit]]:
    return receive_stock(batch_id=BATCH_ID, force_id=FORCE, product=product_, manufacturer_lot="NX2291",
                         quantity=quantity, expires_on=expires_on, received_on=D, location=STATION,
                         supplier="PHARM-BHAM")


def kit(**kwargs) -> Kit:
    return received(1, **kwargs)[1][0]


def issued(to: UUID = PC_ONE) -> Kit:
    k = kit()
    k.issue(officer=certified(to), issued_on=D)
    return k


def at(day: date, hour: int = 14) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=timezone.utc)


# --- products are data -----------------------------------------------------------------


def test_products_come_from_reference_data():
    assert (NYXOID.doses_per_kit, NYXOID.contract_product.value) == (2, "nasal_spray_1_8mg")
    assert (PRENOXAD.doses_per_kit, PRENOXAD.contract_product.value) == (5, "injection_2mg")
    with pytest.raises(UnknownProduct, match="no product 'nope'"):
        product("nope")


def test_adding_a_product_is_data_not_code():
    catalogue = load_products({"products": [{
        "code": "naloxone-400mcg-ampoule", "name": "Naloxone 400 micrograms/1 ml ampoules", "form": "ampoule",
        "route": "intramuscular", "doses_per_kit": 5, "contract_product": "other"}]})
    ampoule = catalogue["naloxone-400mcg-ampoule"]
    batch, kits = received(2, product_=ampoule)
    assert batch.product.value == "other" and kits[0].product_code == "naloxone-400mcg-ampoule"
    assert kits[0].doses_per_kit == 5


def test_a_duplicated_product_code_is_refused():
    entry = {"code": "x", "name": "X", "form": "f", "route": "r", "doses_per_kit": 1}
    with pytest.raises(ValueError, match="appears twice"):
        load_products({"products": [entry, entry]})


# --- receiving ---------------------------------------------------------------------------


def test_receiving_stocks_every_kit_individually_with_derived_ids_and_labels():
    batch, kits = received(3)
    assert [type(e) for e in batch.pending] == [StockReceived]
    assert [k.id for k in kits] == [uuid.uuid5(BATCH_ID, str(n)) for n in (1, 2, 3)] == batch.kit_ids()
    assert [k.label for k in kits] == ["NX2291-0001", "NX2291-0002", "NX2291-0003"]
    for k in kits:
        assert [type(e) for e in k.pending] == [KitStocked]
        assert (k.status, k.location, k.holder, k.expires_on) == (KitStatus.IN_STOCK, STATION, None, EXPIRY)
        assert k.product_code == NYXOID.code and k.batch_id == BATCH_ID


def test_receiving_twice_is_refused_and_kit_ids_are_stable():
    batch, _ = received(2)
    with pytest.raises(DomainError, match="already received"):
        batch.receive(force_id=FORCE, product=NYXOID, manufacturer_lot="NX2291", quantity=2, expires_on=EXPIRY,
                      received_on=D, location=STATION)
    assert kit_id_for(BATCH_ID, 2) == received(2)[1][1].id


def test_stock_already_expired_cannot_be_received():
    with pytest.raises(DomainError, match="lot NX2291 expired on 2026-02-28 and cannot be received"):
        received(1, expires_on=D - timedelta(days=1))


@pytest.mark.parametrize("quantity", [0, -1, 1001])
def test_quantity_is_bounded(quantity):
    with pytest.raises(InvalidValue, match="quantity must be 1-1000"):
        received(quantity)


def test_lot_and_location_codes_are_codes_not_prose():
    with pytest.raises(InvalidValue, match="manufacturer_lot"):
        receive_stock(batch_id=BATCH_ID, force_id=FORCE, product=NYXOID, manufacturer_lot="lot of 12 boxes",
                      quantity=1, expires_on=EXPIRY, received_on=D, location=STATION)
    with pytest.raises(InvalidValue, match="location_id"):
        Location("the cupboard by the front desk", LocationType.POLICE_STATION)


# --- transfer ------------------------------------------------------------------------------


def test_transfer_moves_a_kit_between_locations():
    k = kit()
    k.transfer(to=VAN, transferred_on=D)
    assert isinstance(k.pending[-1], KitTransferred)
    assert (k.status, k.location, k.holder) == (KitStatus.IN_STOCK, VAN, None)


def test_transfer_to_where_it_is_is_refused():
    with pytest.raises(DomainError, match="already at police station STN-LLOYD-HOUSE"):
        kit().transfer(to=STATION, transferred_on=D)


def test_a_held_kit_must_be_returned_before_transfer():
    with pytest.raises(DomainError, match="held by officer .* must be returned before it can be transferred"):
        issued().transfer(to=VAN, transferred_on=D)


def test_an_expired_or_recalled_kit_cannot_be_transferred():
    k = kit()
    with pytest.raises(DomainError, match="expired after 2027-01-31 and cannot be transferred"):
        k.transfer(to=VAN, transferred_on=EXPIRY + timedelta(days=1))
    batch, kits = received(1)
    recall_batch(batch, kits, recall_reference="MHRA-2026-01", recalled_on=D)
    with pytest.raises(DomainError, match="is recalled .* cannot be transferred"):
        kits[0].transfer(to=VAN, transferred_on=D)


# --- issue -----------------------------------------------------------------------------------


def test_issue_to_a_certified_officer():
    k = issued()
    event = k.pending[-1]
    assert isinstance(event, KitIssued)
    assert (event.officer_id, event.location_id, event.expires_on, event.product_code) == (
        PC_ONE, STATION.location_id, EXPIRY, NYXOID.code)
    assert (k.status, k.location, k.holder) == (KitStatus.ISSUED, None, PC_ONE)


def test_certification_valid_on_its_last_day():
    k = kit()
    k.issue(officer=certified(valid_until=D), issued_on=D)
    assert k.holder == PC_ONE


@pytest.mark.parametrize("standing,message", [
    (OfficerStanding.unknown(PC_ONE), "is not known to inventory"),
    (OfficerStanding(officer_id=PC_ONE, known=True, withdrawn=True, valid_until=D + timedelta(days=9),
                     certification="certified", force_id=FORCE), "was withdrawn from the naloxone scheme"),
    (OfficerStanding(officer_id=PC_ONE, known=True, force_id=FORCE), "has no naloxone certification"),
    (OfficerStanding(officer_id=PC_ONE, known=True, valid_until=date(2026, 1, 31), certification="expired",
                     force_id=FORCE), r"certification expired on 2026-02-01 \(valid until 2026-01-31\)"),
    (OfficerStanding(officer_id=PC_ONE, known=True, valid_until=D + timedelta(days=9), certification="certified",
                     force_id="leicestershire"), "belongs to force leicestershire, not west-midlands"),
])
def test_issue_only_to_an_officer_certified_on_the_day(standing, message):
    k = kit()
    with pytest.raises(DomainError, match=f"kit NX2291-0001 cannot be issued: officer {PC_ONE}.*{message}"):
        k.issue(officer=standing, issued_on=D)
    assert k.pending[-1].__class__ is KitStocked and k.status is KitStatus.IN_STOCK


def test_a_held_kit_is_never_issued_again():
    k = issued(PC_ONE)
    with pytest.raises(DomainError, match=f"already held by officer {PC_ONE} and cannot be issued again"):
        k.issue(officer=certified(PC_TWO), issued_on=D)
    with pytest.raises(DomainError, match=f"already held by officer {PC_ONE}"):
        k.issue(officer=certified(PC_ONE), issued_on=D)


def test_a_kit_past_its_date_is_not_issued_even_before_the_expiry_job_runs():
    k = kit()
    with pytest.raises(DomainError, match="kit NX2291-0001 expired after 2027-01-31 and cannot be issued"):
        k.issue(officer=certified(valid_until=EXPIRY + timedelta(days=30)), issued_on=EXPIRY + timedelta(days=1))
    k.issue(officer=certified(), issued_on=D)  # in date: fine


def test_a_recalled_kit_is_not_issued_and_says_why():
    batch, kits = received(1)
    recall_batch(batch, kits, recall_reference="MHRA-2026-01", recalled_on=D)
    with pytest.raises(DomainError) as refused:
        kits[0].issue(officer=certified(), issued_on=D)
    assert str(refused.value) == ("kit NX2291-0001 is recalled (batch lot NX2291, recall MHRA-2026-01) "
                                  "and cannot be issued")


@pytest.mark.parametrize("finish,words", [
    (lambda k: k.use(administering_officer_id=PC_ONE, incident_id=INCIDENT, used_at=at(D), doses_used=2), "was used"),
    (lambda k: k.write_off(reason=WriteOffReason.LOST, written_off_on=D), "was lost"),
    (lambda k: k.write_off(reason=WriteOffReason.OVER_TEMPERATURE, written_off_on=D), "was written off and destroyed"),
])
def test_used_lost_or_destroyed_kits_cannot_be_issued_or_moved(finish, words):
    k = kit()
    finish(k)
    with pytest.raises(DomainError, match=f"kit NX2291-0001 {words} and cannot be issued"):
        k.issue(officer=certified(), issued_on=D)
    with pytest.raises(DomainError, match=f"{words} and cannot be transferred"):
        k.transfer(to=VAN, transferred_on=D)
    assert (k.location, k.holder) == (None, None)


def test_unknown_kit_is_not_found():
    with pytest.raises(KitNotFound):
        Kit(uuid.uuid4()).issue(officer=certified(), issued_on=D)
    with pytest.raises(BatchNotFound):
        Batch(uuid.uuid4()).expire(today=D, kits_in_stock=0, kits_issued=0)


# --- return ------------------------------------------------------------------------------------


def test_a_reissuable_return_goes_back_into_stock_for_issue():
    k = issued(PC_ONE)
    k.return_to(CUSTODY, returned_on=D, reason=KitReturnReason.OFFICER_WITHDRAWN, reissuable=True)
    event = k.pending[-1]
    assert isinstance(event, KitReturned) and event.officer_id == PC_ONE
    assert (k.status, k.location, k.holder, k.quarantined) == (KitStatus.IN_STOCK, CUSTODY, None, False)
    k.issue(officer=certified(PC_TWO), issued_on=D)
    assert k.holder == PC_TWO


def test_a_return_not_for_reissue_is_quarantined_until_written_off():
    k = issued()
    k.return_to(STATION, returned_on=D, reason=KitReturnReason.OPENED_UNUSED, reissuable=False)
    assert k.quarantined and k.status is KitStatus.IN_STOCK
    with pytest.raises(DomainError, match="returned unfit for reissue and awaits destruction; it cannot be issued"):
        k.issue(officer=certified(PC_TWO), issued_on=D)
    k.write_off(reason=WriteOffReason.OTHER, written_off_on=D)
    assert k.status is KitStatus.DESTROYED


@pytest.mark.parametrize("reason", [KitReturnReason.DAMAGED, KitReturnReason.OPENED_UNUSED])
def test_damaged_or_opened_returns_cannot_be_reissuable(reason):
    with pytest.raises(DomainError, match="cannot be reissued; return it with reissuable false"):
        issued().return_to(STATION, returned_on=D, reason=reason, reissuable=True)


def test_only_a_held_kit_can_be_returned():
    with pytest.raises(DomainError, match="not held by an officer \\(it is in stock at police station"):
        kit().return_to(STATION, returned_on=D, reason=KitReturnReason.OTHER, reissuable=True)


# --- write-off ------------------------------------------------------------------------------------


def test_an_officer_can_lose_a_kit():
    k = issued()
    k.write_off(reason=WriteOffReason.LOST, written_off_on=D)
    event = k.pending[-1]
    assert isinstance(event, KitWrittenOff) and event.officer_id == PC_ONE and event.location_id is None
    assert (k.status, k.location, k.holder) == (KitStatus.LOST, None, None)
    with pytest.raises(DomainError, match="was lost and cannot be written off"):
        k.write_off(reason=WriteOffReason.DAMAGED, written_off_on=D)


def test_write_off_as_expired_or_recalled_must_be_true():
    k = kit()
    with pytest.raises(DomainError, match="in date until 2027-01-31; it cannot be written off as expired"):
        k.write_off(reason=WriteOffReason.EXPIRED, written_off_on=D)
    with pytest.raises(DomainError, match="not recalled; it cannot be written off as recalled"):
        k.write_off(reason=WriteOffReason.RECALLED, written_off_on=D)
    k.write_off(reason=WriteOffReason.EXPIRED, written_off_on=EXPIRY + timedelta(days=1))
    assert k.status is KitStatus.DESTROYED


# --- use: a fact from the street, never refused ----------------------------------------------------


def use(k: Kit, by: UUID = PC_ONE, when: datetime | None = None) -> bool:
    return k.use(administering_officer_id=by, incident_id=INCIDENT, used_at=when or at(D), doses_used=2)


def test_use_by_the_holder_is_plain_and_makes_a_replacement_due():
    k = issued(PC_ONE)
    assert use(k) is True
    event = k.pending[-1]
    assert isinstance(event, KitUsed)
    assert (event.officer_id, event.administering_officer_id, event.status_before_use) == (
        PC_ONE, PC_ONE, KitStatus.ISSUED)
    assert not (event.holder_mismatch or event.was_expired or event.was_recalled)
    assert (k.status, k.location, k.holder) == (KitStatus.USED, None, None)


def test_use_by_another_officer_is_recorded_and_flagged():
    k = issued(PC_ONE)
    assert use(k, by=PC_TWO)
    event = k.pending[-1]
    assert event.holder_mismatch and event.officer_id == PC_ONE and event.administering_officer_id == PC_TWO


def test_use_of_a_kit_in_stock_expired_and_recalled_is_recorded_and_flagged():
    batch, kits = received(1)
    expire_batch(batch, kits, today=EXPIRY + timedelta(days=1))
    recall_batch(batch, kits, recall_reference="MHRA-2027-04", recalled_on=EXPIRY + timedelta(days=2))
    k = kits[0]
    assert use(k, when=at(EXPIRY + timedelta(days=3)))
    event = k.pending[-1]
    assert (event.status_before_use, event.officer_id, event.location_id) == (
        KitStatus.IN_STOCK, None, STATION.location_id)
    assert event.holder_mismatch and event.was_expired and event.was_recalled


def test_use_past_the_date_is_flagged_even_before_the_expiry_job():
    k = issued()
    use(k, when=at(EXPIRY + timedelta(days=1)))
    assert k.pending[-1].was_expired


def test_use_of_a_lost_kit_is_recorded():
    k = issued()
    k.write_off(reason=WriteOffReason.LOST, written_off_on=D)
    assert use(k)
    assert k.pending[-1].status_before_use is KitStatus.LOST and k.status is KitStatus.USED


def test_a_kit_already_used_is_a_no_op():
    k = issued()
    use(k)
    count = len(k.pending)
    assert use(k, by=PC_TWO) is False
    assert len(k.pending) == count


def test_use_needs_an_aware_time_and_sane_doses():
    with pytest.raises(InvalidValue, match="time zone"):
        issued().use(administering_officer_id=PC_ONE, incident_id=INCIDENT, used_at=datetime(2026, 3, 1, 14),
                     doses_used=1)
    with pytest.raises(InvalidValue, match="negative"):
        issued().use(administering_officer_id=PC_ONE, incident_id=INCIDENT, used_at=at(D), doses_used=-1)


# --- expiry -----------------------------------------------------------------------------------------


def test_expiry_job_expires_live_kits_and_the_batch_once_on_the_day_after():
    batch, kits = received(4)
    kits[1].issue(officer=certified(), issued_on=D)
    use(kits[2])
    assert expire_batch(batch, kits, today=EXPIRY) is False  # the last usable day
    assert expire_batch(batch, kits, today=EXPIRY + timedelta(days=1)) is True
    assert isinstance(batch.pending[-1], BatchExpired)
    assert (batch.pending[-1].kits_in_stock, batch.pending[-1].kits_issued) == (2, 1)
    expired = {k.id: k.pending[-1] for k in kits if isinstance(k.pending[-1], KitExpired)}
    assert set(expired) == {kits[0].id, kits[1].id, kits[3].id}
    assert expired[kits[1].id].officer_id == PC_ONE and expired[kits[1].id].location_id is None
    assert expired[kits[0].id].location_id == STATION.location_id
    assert expire_batch(batch, kits, today=EXPIRY + timedelta(days=2)) is False


def test_a_single_kit_expires_once():
    k = kit()
    assert k.expire(today=EXPIRY) is False
    assert k.expire(today=EXPIRY + timedelta(days=1)) is True
    assert k.expire(today=EXPIRY + timedelta(days=5)) is False


def test_the_batch_operations_need_exactly_the_batch_kits():
    batch, kits = received(3)
    with pytest.raises(ValueError, match="every kit of batch"):
        expire_batch(batch, kits[:2], today=EXPIRY + timedelta(days=1))


# --- recall -------------------------------------------------------------------------------------------


def test_recall_flags_every_live_kit_in_the_same_decision():
    batch, kits = received(4)
    kits[1].issue(officer=certified(), issued_on=D)
    use(kits[2])
    changed = recall_batch(batch, kits, recall_reference="MHRA-2026-01", recalled_on=D)
    assert [k.id for k in changed] == [kits[0].id, kits[1].id, kits[3].id]
    event = batch.pending[-1]
    assert isinstance(event, BatchRecalled)
    assert (event.manufacturer_lot, event.recall_reference, event.kits_in_stock, event.kits_issued) == (
        "NX2291", "MHRA-2026-01", 2, 1)
    held = kits[1].pending[-1]
    assert isinstance(held, KitRecalled) and held.officer_id == PC_ONE
    assert isinstance(kits[2].pending[-1], KitUsed)  # a used kit is not recalled again


def test_a_batch_is_recalled_once():
    batch, kits = received(1)
    recall_batch(batch, kits, recall_reference="MHRA-2026-01", recalled_on=D)
    with pytest.raises(DomainError, match="already recalled \\(recall MHRA-2026-01 on 2026-03-01\\)"):
        recall_batch(batch, kits, recall_reference="MHRA-2026-02", recalled_on=D)


def test_a_recalled_kit_held_comes_back_and_can_be_destroyed():
    batch, kits = received(1)
    kits[0].issue(officer=certified(), issued_on=D)
    recall_batch(batch, kits, recall_reference="MHRA-2026-01", recalled_on=D)
    kits[0].return_to(STATION, returned_on=D, reason=KitReturnReason.RECALLED, reissuable=False)
    kits[0].write_off(reason=WriteOffReason.RECALLED, written_off_on=D)
    assert kits[0].status is KitStatus.DESTROYED


# --- take-home supply ----------------------------------------------------------------------------------


def supply(kit_: Kit | None = None, **overrides) -> TakeHomeSupply:
    s = TakeHomeSupply(uuid.uuid4())
    details = dict(force_id=FORCE, setting=SupplySetting.CUSTODY_RELEASE, recipient=SupplyRecipient.PERSON_AT_RISK,
                   supplied_at=at(D), supplier_org_id="cranstoun", repeat_supply=False, advice_given=True,
                   product=None if kit_ else NYXOID, kit=kit_, subject_pseudonym=PSEUDONYM, area_code="E08000025")
    s.record(**(details | overrides))
    return s


def test_a_first_supply_from_partner_stock():
    s = supply()
    event = s.pending[-1]
    assert isinstance(event, TakeHomeKitSupplied)
    assert (event.product_code, event.quantity, event.repeat_supply, event.repeat_reason, event.kit_id) == (
        NYXOID.code, 1, False, None, None)


def test_a_repeat_supply_names_its_reason_and_a_first_supply_does_not():
    s = supply(repeat_supply=True, repeat_reason=RepeatSupplyReason.PREVIOUS_KIT_USED,
               setting=SupplySetting.PRISON_RELEASE)
    assert s.pending[-1].repeat_reason is RepeatSupplyReason.PREVIOUS_KIT_USED
    with pytest.raises(InvalidValue, match="repeat supply must say why"):
        supply(repeat_supply=True)
    with pytest.raises(InvalidValue, match="first supply has no repeat_reason"):
        supply(repeat_reason=RepeatSupplyReason.LOST)


@pytest.mark.parametrize("pseudonym", ["short", "John Smith of 4 High Street", "x" * 129, "abc$defghijklmnopq"])
def test_the_subject_is_only_a_well_formed_pseudonym(pseudonym):
    with pytest.raises(InvalidValue, match="subject_pseudonym"):
        supply(subject_pseudonym=pseudonym)


def test_a_supply_without_a_known_subject_is_fine():
    s = supply(subject_pseudonym=None, recipient=SupplyRecipient.SERVICE_WORKER)
    assert s.pending[-1].subject_pseudonym is None


def test_a_supply_from_force_stock_takes_the_kit_out_of_stock():
    k = kit()
    s = supply(k, supplier_org_id=FORCE)
    event = s.pending[-1]
    assert (event.kit_id, event.batch_id, event.location_id, event.product_code) == (
        k.id, BATCH_ID, STATION.location_id, NYXOID.code)
    assert isinstance(k.pending[-1], KitSuppliedTakeHome)
    assert (k.status, k.location, k.holder) == (KitStatus.SUPPLIED, None, None)
    with pytest.raises(DomainError, match="was handed out as a take-home kit and cannot be issued"):
        k.issue(officer=certified(), issued_on=D)


def test_an_unfit_force_kit_is_not_handed_out():
    k = kit()
    with pytest.raises(DomainError, match="expired after 2027-01-31 and cannot be handed out"):
        supply(k, supplied_at=at(EXPIRY + timedelta(days=1)))
    assert k.status is KitStatus.IN_STOCK and len(k.pending) == 1


def test_a_supply_is_recorded_once_and_checks_its_kit():
    s = supply()
    with pytest.raises(DomainError, match="already recorded"):
        s.record(force_id=FORCE, setting=SupplySetting.STREET, recipient=SupplyRecipient.OTHER,
                 supplied_at=at(D), supplier_org_id=FORCE, repeat_supply=False, product=NYXOID)
    with pytest.raises(DomainError, match="holds nyxoid-1-8mg-nasal-spray, not prenoxad"):
        supply(kit(), product=PRENOXAD)
    with pytest.raises(InvalidValue, match="exactly that one kit"):
        supply(kit(), quantity=2)
    with pytest.raises(KitNotFound):
        supply(Kit(uuid.uuid4()))


# --- stored events round-trip -------------------------------------------------------------------------------

REGISTRY = EventRegistry(*INVENTORY_EVENTS)


def stored(events):
    return [REGISTRY.decode(e.event_type, event_to_json(e)) for e in events]


def test_every_event_type_round_trips_through_the_store_encoding():
    batch, kits = received(5)
    kits[0].issue(officer=certified(), issued_on=D)
    kits[0].return_to(CUSTODY, returned_on=D, reason=KitReturnReason.NEAR_EXPIRY, reissuable=True)
    kits[1].transfer(to=VAN, transferred_on=D)
    kits[2].write_off(reason=WriteOffReason.DAMAGED, written_off_on=D)
    use(kits[3])
    s = supply(kits[4], repeat_supply=True, repeat_reason=RepeatSupplyReason.CONFISCATED,
               subject_details_sealed="c2VhbGVk", note_sealed="bm90ZQ")
    s.shred(reason=ShredReason.RETENTION, shredded_at=at(D))
    recall_batch(batch, kits, recall_reference="MHRA-2026-01", recalled_on=D)
    expire_batch(batch, kits, today=EXPIRY + timedelta(days=1))
    events = batch.pending + [e for k in kits for e in k.pending] + s.pending
    assert {type(e) for e in events} == set(INVENTORY_EVENTS)
    assert stored(events) == events


# --- property: random command sequences ----------------------------------------------------------------------

LOCATIONS = (STATION, CUSTODY, VAN)
OFFICERS = (PC_ONE, PC_TWO, UUID("5b0b3c1e-4a53-4d8f-9c1e-000000000003"))
SHORT_EXPIRY = D + timedelta(days=30)

standings = st.sampled_from(["certified"] * 6 + ["lapsed", "unknown", "withdrawn", "untrained"])
kit_index = st.integers(0, 2)


def weighted(weight: int, strategy):
    """`weight` distinct copies for st.one_of, which picks uniformly among its (deduplicated) branches."""
    return [strategy.map(lambda x: x) for _ in range(weight)]


step = st.one_of(
    *weighted(4, st.tuples(st.just("issue"), kit_index, st.integers(0, 2), standings)),
    *weighted(3, st.tuples(st.just("return"), kit_index, st.integers(0, 2), st.sampled_from(list(KitReturnReason)),
                           st.booleans())),
    *weighted(2, st.tuples(st.just("transfer"), kit_index, st.integers(0, 2))),
    st.tuples(st.just("write_off"), kit_index, st.sampled_from(list(WriteOffReason))),
    st.tuples(st.just("use"), kit_index, st.integers(0, 2)),
    st.tuples(st.just("supply"), kit_index),
    *weighted(2, st.tuples(st.just("expire"))),
    st.tuples(st.just("recall")),
)
commands = st.lists(st.tuples(st.integers(0, 5), step), min_size=1, max_size=50)  # (days the clock moves, command)


def standing_for(officer_id: UUID, kind: str, today: date) -> OfficerStanding:
    if kind == "unknown":
        return OfficerStanding.unknown(officer_id)
    valid_until = {"certified": today + timedelta(days=30), "lapsed": today - timedelta(days=1),
                   "withdrawn": today + timedelta(days=30), "untrained": None}[kind]
    return OfficerStanding(officer_id=officer_id, known=True, withdrawn=kind == "withdrawn", valid_until=valid_until,
                           certification="untrained" if valid_until is None else "certified", force_id=FORCE)


@dataclass
class Run:
    batch: Batch
    kits: list[Kit]
    supplies: list[TakeHomeSupply] = field(default_factory=list)
    issues: list[tuple[UUID, OfficerStanding, date]] = field(default_factory=list)


def run_script(script, check=None) -> Run:
    """Drive one batch of three kits through the script; call check(run, today) after every step."""
    batch, kits = received(3, expires_on=SHORT_EXPIRY)
    run = Run(batch, kits)
    today = D
    for advance, (kind, *args) in script:
        today += timedelta(days=advance)
        try:
            if kind == "transfer":
                kits[args[0]].transfer(to=LOCATIONS[args[1]], transferred_on=today)
            elif kind == "issue":
                standing = standing_for(OFFICERS[args[1]], args[2], today)
                kits[args[0]].issue(officer=standing, issued_on=today)
                run.issues.append((kits[args[0]].id, standing, today))
            elif kind == "return":
                kits[args[0]].return_to(LOCATIONS[args[1]], returned_on=today, reason=args[2], reissuable=args[3])
            elif kind == "write_off":
                kits[args[0]].write_off(reason=args[1], written_off_on=today)
            elif kind == "use":
                kits[args[0]].use(administering_officer_id=OFFICERS[args[1]], incident_id=INCIDENT,
                                  used_at=at(today), doses_used=2)
            elif kind == "expire":
                expire_batch(batch, kits, today=today)
            elif kind == "recall":
                recall_batch(batch, kits, recall_reference="MHRA-2026-01", recalled_on=today)
            else:
                s = TakeHomeSupply(uuid.uuid5(BATCH_ID, f"supply-{len(run.supplies)}"))
                s.record(force_id=FORCE, setting=SupplySetting.STREET, recipient=SupplyRecipient.FAMILY_OR_FRIEND,
                         supplied_at=at(today), supplier_org_id=FORCE, repeat_supply=False, kit=kits[args[0]])
                run.supplies.append(s)
        except DomainError:
            pass
        if check:
            check(run, today)
    return run


BLOCKING = (KitExpired, KitRecalled, KitUsed, KitWrittenOff, KitSuppliedTakeHome)


def check_invariants(run: Run, today: date) -> None:
    for k in run.kits:
        # Exactly one place while live, none once gone.
        if k.status is KitStatus.IN_STOCK:
            assert k.location is not None and k.holder is None
        elif k.status is KitStatus.ISSUED:
            assert k.holder is not None and k.location is None
        else:
            assert k.location is None and k.holder is None
        # Nothing unfit was ever issued or moved, nor issued twice without a return.
        blocked_by = None
        holder = None
        for event in k.pending:
            if isinstance(event, (KitIssued, KitTransferred)):
                assert blocked_by is None, f"{type(event).__name__} after {blocked_by}"
            if isinstance(event, KitIssued):
                assert holder is None, "issued while held"
                assert event.issued_on <= k.expires_on
                holder = event.officer_id
            elif isinstance(event, (KitReturned, KitWrittenOff, KitUsed, KitSuppliedTakeHome)):
                holder = None
            if isinstance(event, BLOCKING) or (isinstance(event, KitReturned) and not event.reissuable):
                blocked_by = blocked_by or type(event).__name__
    # Every successful issue was to an officer certified, known and not withdrawn on that day.
    for _, standing, day in run.issues:
        assert standing.refusal(on=day, force_id=FORCE) is None
    # Stock counts: every kit is counted once, in one place.
    by_place: dict[object, int] = {}
    for k in run.kits:
        place = k.location or k.holder or k.status
        by_place[place] = by_place.get(place, 0) + 1
    assert all(n >= 0 for n in by_place.values()) and sum(by_place.values()) == len(run.kits)


def state(k: Kit) -> tuple:
    return (k.status, k.location, k.holder, k.expired, k.recall_reference, k.quarantined, k.label, k.expires_on)


@settings(max_examples=300, deadline=None)
@given(commands)
def test_kits_stay_in_one_place_and_replay_to_the_same_state(script):
    run = run_script(script, check_invariants)
    for k in run.kits:
        events = stored(k.pending)
        assert events == k.pending
        replayed = Kit.replay(k.id, events)
        assert state(replayed) == state(k) and replayed.version == len(k.pending)
    batch = Batch.replay(run.batch.id, stored(run.batch.pending))
    assert (batch.recall_reference, batch.expired, batch.quantity, batch.kit_ids()) == (
        run.batch.recall_reference, run.batch.expired, run.batch.quantity, run.batch.kit_ids())
    for s in run.supplies:
        assert TakeHomeSupply.replay(s.id, stored(s.pending)).kit_id == s.kit_id


def test_a_supply_keeps_only_sealed_text_and_says_once_that_it_was_shredded():
    s = supply(subject_details_sealed="c2VhbGVk", note_sealed="bm90ZQ", referral_consent=True)
    assert s.sealed == {"subject_details": "c2VhbGVk", "note": "bm90ZQ"} and s.pending[-1].referral_consent
    s.shred(reason=ShredReason.ERASURE, shredded_at=at(D))
    s.shred(reason=ShredReason.RETENTION, shredded_at=at(D))
    assert [type(e).__name__ for e in s.pending] == ["TakeHomeKitSupplied", "TakeHomeSupplyPersonalDataShredded"]
    assert s.shredded is ShredReason.ERASURE and s.repeat_supply is False  # what it counts stays
    with pytest.raises(DomainError, match="not recorded"):
        TakeHomeSupply(uuid.uuid4()).shred(reason=ShredReason.ERASURE, shredded_at=at(D))
