"""The inventory contract translation and read-model folds: pure, version-guarded, idempotent.

The property test drives the aggregates with random commands (the domain test's
driver), publishes their events through to_proto, folds them, and checks that the read
model says what the aggregates decided, and that folding everything again changes nothing.
"""

from __future__ import annotations

from datetime import date, timedelta, timezone
from uuid import UUID

from hypothesis import given, settings

from inventory.adapters.contracts import to_proto
from inventory.domain import (
    INVENTORY_EVENTS,
    KitReturnReason,
    KitStatus,
    RepeatSupplyReason,
    SupplyRecipient,
    SupplySetting,
    TakeHomeSupply,
    WriteOffReason,
    expire_batch,
    recall_batch,
)
from inventory.projections import (
    InventoryReadModel,
    InventoryRows,
    OfficerStandingView,
    fold_kit,
    fold_officer_standing,
    standing_from_row,
)
from naloxone.common.v1.types_pb2 import Date
from naloxone.contracts import TOPICS
from naloxone.inventory.v1 import events_pb2 as pb
from naloxone.training.v1 import events_pb2 as training_pb
from naloxone_kernel.personal_data import ShredReason

from .test_inventory_domain import (
    BATCH_ID,
    CUSTODY,
    D,
    EXPIRY,
    FORCE,
    NYXOID,
    PC_ONE,
    PC_TWO,
    PSEUDONYM,
    STATION,
    VAN,
    at,
    certified,
    commands,
    received,
    run_script,
    use,
)


def published(aggregates) -> list[tuple[int, object]]:
    """(aggregate version, contract message) for every pending event, stream by stream."""
    return [(version, to_proto(event)) for a in aggregates for version, event in enumerate(a.pending, start=1)]


# --- the contract --------------------------------------------------------------------------


def full_story():
    batch, kits = received(5)
    kits[0].issue(officer=certified(), issued_on=D)
    kits[0].return_to(CUSTODY, returned_on=D, reason=KitReturnReason.NEAR_EXPIRY, reissuable=True)
    kits[1].transfer(to=VAN, transferred_on=D)
    kits[2].write_off(reason=WriteOffReason.OVER_TEMPERATURE, written_off_on=D)
    kits[3].issue(officer=certified(), issued_on=D)
    use(kits[3], by=PC_TWO)
    supply = TakeHomeSupply(UUID("9a6a1d0e-2f0b-4f7c-8f1e-0000000000a1"))
    supply.record(force_id=FORCE, setting=SupplySetting.PRISON_RELEASE, recipient=SupplyRecipient.PERSON_AT_RISK,
                  supplied_at=at(D), supplier_org_id="cranstoun", repeat_supply=True,
                  repeat_reason=RepeatSupplyReason.CONFISCATED, kit=kits[4], subject_pseudonym=PSEUDONYM,
                  area_code="E08000025", advice_given=True)
    supply.shred(reason=ShredReason.ERASURE, shredded_at=at(D + timedelta(days=2)))
    recall_batch(batch, kits, recall_reference="MHRA-2026-01", recalled_on=D + timedelta(days=1))
    expire_batch(batch, kits, today=EXPIRY + timedelta(days=1))
    return batch, kits, supply


def test_every_domain_event_has_a_contract_message_of_the_same_name():
    batch, kits, supply = full_story()
    events = batch.pending + [e for k in kits for e in k.pending] + supply.pending
    assert {type(e) for e in events} == set(INVENTORY_EVENTS)
    for event in events:
        message = to_proto(event)
        assert message.DESCRIPTOR.full_name == f"naloxone.inventory.v1.{event.event_type}"
        assert message.force_id == FORCE
        assert type(message).FromString(message.SerializeToString()) == message


def test_contract_values():
    batch, kits, supply = full_story()
    received_ = to_proto(batch.pending[0])
    assert (received_.product, received_.product_code, received_.store_id, received_.store_type,
            received_.doses_per_kit, received_.expires_on) == (
        pb.NALOXONE_PRODUCT_NASAL_SPRAY_1_8MG, NYXOID.code, STATION.location_id, pb.STORE_TYPE_POLICE_STATION, 2,
        Date(year=2027, month=1, day=31))
    used = to_proto(kits[3].pending[2])
    assert isinstance(used, pb.KitUsed)
    assert (used.officer_id, used.administering_officer_id, used.holder_mismatch, used.status_before_use) == (
        str(PC_ONE), str(PC_TWO), True, pb.KIT_STATUS_ISSUED)
    assert used.used_at.ToDatetime(tzinfo=timezone.utc) == at(D)
    supplied = to_proto(supply.pending[0])
    assert (supplied.setting, supplied.recipient, supplied.repeat_reason, supplied.partner_org_id,
            supplied.supplier_org_id, supplied.kit_id, supplied.subject_pseudonym) == (
        pb.SUPPLY_SETTING_PRISON_RELEASE, pb.SUPPLY_RECIPIENT_PERSON_AT_RISK, pb.REPEAT_SUPPLY_REASON_CONFISCATED,
        "cranstoun", "cranstoun", str(kits[4].id), PSEUDONYM)
    written_off = to_proto(kits[2].pending[-1])
    assert written_off.reason == pb.KIT_WRITE_OFF_REASON_OVER_TEMPERATURE
    assert written_off.store_id == STATION.location_id


def test_police_supply_leaves_partner_org_empty():
    supply = TakeHomeSupply(UUID("9a6a1d0e-2f0b-4f7c-8f1e-0000000000a2"))
    supply.record(force_id=FORCE, setting=SupplySetting.CUSTODY_RELEASE, recipient=SupplyRecipient.FAMILY_OR_FRIEND,
                  supplied_at=at(D), supplier_org_id=FORCE, repeat_supply=False, product=NYXOID, officer_id=PC_ONE)
    message = to_proto(supply.pending[0])
    assert (message.partner_org_id, message.supplier_org_id, message.officer_id, message.repeat_reason) == (
        "", FORCE, str(PC_ONE), pb.REPEAT_SUPPLY_REASON_UNSPECIFIED)


# --- folds -------------------------------------------------------------------------------------


def test_read_models_name_their_topics():
    assert InventoryReadModel.topics == (TOPICS["inventory"],) and InventoryReadModel.name == "inventory_view"
    assert OfficerStandingView.topics == (TOPICS["training"],) and OfficerStandingView.name == "inventory_officers"
    ddl = InventoryReadModel().ddl("s")
    for table in ("s.kits", "s.batches", "s.take_home_supplies", "s.force_inventory_summary"):
        assert f"CREATE TABLE IF NOT EXISTS {table}" in ddl
    assert "CREATE TABLE IF NOT EXISTS s.officers" in OfficerStandingView().ddl("s")


def test_a_kit_row_follows_its_kit():
    _, kits = received(1)
    k = kits[0]
    k.issue(officer=certified(), issued_on=D)
    use(k)
    rows: dict = {}
    for version, message in published([k]):
        assert fold_kit(rows, version, message)
    row = rows[str(k.id)]
    assert (row["status"], row["location_id"], row["holder_officer_id"], row["label"]) == (
        "used", None, None, "NX2291-0001")
    assert (row["replacement_due"], row["replacement_for_officer_id"], row["used_on"]) == (True, str(PC_ONE), D)
    assert row["version"] == 3


def test_a_redelivered_or_stale_kit_event_changes_nothing():
    _, kits = received(1)
    kits[0].issue(officer=certified(), issued_on=D)
    events = published(kits)
    rows: dict = {}
    for version, message in events:
        fold_kit(rows, version, message)
    snapshot = dict(rows[str(kits[0].id)])
    for version, message in events:
        assert not fold_kit(rows, version, message)
    assert rows[str(kits[0].id)] == snapshot


def test_a_kit_event_without_its_stocking_is_ignored():
    _, kits = received(1)
    kits[0].issue(officer=certified(), issued_on=D)
    rows: dict = {}
    assert not fold_kit(rows, 2, to_proto(kits[0].pending[1])) and rows == {}


def test_the_whole_story_folds_into_rows():
    batch, kits, supply = full_story()
    state = InventoryRows()
    for version, message in published([batch, *kits, supply]):
        state.fold(version, message)
    by_label = {row["label"]: row for row in state.kits.values()}
    assert by_label["NX2291-0001"]["status"] == "in_stock"
    assert by_label["NX2291-0001"]["location_type"] == "custody_suite"
    assert by_label["NX2291-0001"]["recalled"] and by_label["NX2291-0001"]["expired"]
    assert by_label["NX2291-0002"]["location_id"] == VAN.location_id
    assert (by_label["NX2291-0003"]["status"], by_label["NX2291-0003"]["write_off_reason"]) == (
        "destroyed", "over_temperature")
    assert by_label["NX2291-0004"]["status"] == "used" and by_label["NX2291-0004"]["use_holder_mismatch"]
    assert by_label["NX2291-0005"]["status"] == "supplied" and not by_label["NX2291-0005"]["recalled"]
    batch_row = state.batches[str(BATCH_ID)]
    assert (batch_row["recalled"], batch_row["recall_reference"], batch_row["kits_in_stock_at_recall"],
            batch_row["expired"]) == (True, "MHRA-2026-01", 2, True)
    supply_row = state.supplies[str(supply.id)]
    assert (supply_row["setting"], supply_row["repeat_supply"], supply_row["repeat_reason"],
            supply_row["kit_id"], supply_row["location_id"]) == (
        "prison_release", True, "confiscated", str(kits[4].id), STATION.location_id)
    assert state.forces() == [FORCE]


# --- inventory's view of officers -------------------------------------------------------------------

OID = "5b0b3c1e-4a53-4d8f-9c1e-000000000001"


def _d(day: date) -> Date:
    return Date(year=day.year, month=day.month, day=day.day)


def test_officer_standing_follows_training_events():
    rows: dict = {}
    assert fold_officer_standing(rows, 1, training_pb.OfficerEnrolled(
        officer_id=OID, force_id=FORCE, staff_number="WM1", enrolled_on=_d(D)))
    assert standing_from_row(OID, rows[OID]).refusal(on=D, force_id=FORCE).endswith("has no naloxone certification")
    fold_officer_standing(rows, 2, training_pb.TrainingCompleted(
        officer_id=OID, force_id=FORCE, course="C", provider="p", completed_on=_d(D),
        valid_until=_d(date(2026, 12, 31))))
    standing = standing_from_row(OID, rows[OID])
    assert standing.refusal(on=D, force_id=FORCE) is None and standing.certification == "certified"
    assert "expired on 2027-01-01" in standing.refusal(on=date(2027, 1, 1), force_id=FORCE)
    fold_officer_standing(rows, 3, training_pb.CertificationExpired(
        officer_id=OID, force_id=FORCE, expired_on=_d(date(2027, 1, 1)), valid_until=_d(date(2026, 12, 31))))
    assert rows[OID]["certification"] == "expired"
    fold_officer_standing(rows, 4, training_pb.OfficerWithdrawn(officer_id=OID, force_id=FORCE,
                                                                withdrawn_on=_d(date(2027, 2, 1))))
    standing = standing_from_row(OID, rows[OID])
    assert standing.withdrawn and "withdrawn" in standing.refusal(on=D, force_id=FORCE)
    assert not fold_officer_standing(rows, 4, training_pb.OfficerEnrolled(officer_id=OID, force_id=FORCE))


def test_training_events_not_about_an_officer_are_ignored():
    rows: dict = {}
    assert not fold_officer_standing(rows, 1, training_pb.CertificationPolicySet(
        force_id=FORCE, certification_months=12, effective_on=_d(D)))
    assert rows == {}


def test_an_officer_inventory_never_heard_of_is_unknown():
    standing = standing_from_row(OID, None)
    assert not standing.known and "not known to inventory" in standing.refusal(on=D, force_id=FORCE)


# --- property: the read model agrees with the aggregates --------------------------------------------


@settings(max_examples=200, deadline=None)
@given(commands)
def test_the_read_model_agrees_with_the_aggregates(script):
    run = run_script(script)
    events = published([run.batch, *run.kits, *run.supplies])
    state = InventoryRows()
    for version, message in events:
        state.fold(version, message)
    for k in run.kits:
        row = state.kits[str(k.id)]
        assert row["status"] == k.status.value
        assert row["location_id"] == (k.location.location_id if k.location else None)
        assert row["location_type"] == (k.location.location_type.value if k.location else None)
        assert row["holder_officer_id"] == (str(k.holder) if k.holder else None)
        assert (row["expired"], row["recalled"], row["quarantined"]) == (k.expired, k.recalled, k.quarantined)
        assert row["version"] == len(k.pending)
        live = k.status in (KitStatus.IN_STOCK, KitStatus.ISSUED)
        assert (row["location_id"] is None) != (row["holder_officer_id"] is None) if live else (
            row["location_id"] is None and row["holder_officer_id"] is None)
    batch_row = state.batches[str(run.batch.id)]
    assert (batch_row["recalled"], batch_row["expired"]) == (run.batch.recalled, run.batch.expired)
    assert len(state.supplies) == len(run.supplies)
    # Redelivery of the whole history, in any grouping, is a no-op.
    again = InventoryRows(kits=state.kits, batches=state.batches, supplies=state.supplies)
    assert not any(again.fold(version, message) for version, message in events)
