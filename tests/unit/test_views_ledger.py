"""The views' ledger and figures, pure: events become contributions on the day they were
recorded, so sums up to a day reproduce the figures as they stood; rates are normalised by
the reference figures; the provision status is an aggregate of its own."""

import asyncio
import dataclasses
import json
import uuid
from collections import Counter
from datetime import UTC, date, datetime

import pytest

from naloxone.common.v1.envelope_pb2 import EventEnvelope
from naloxone.diversion.v1 import events_pb2 as diversion_pb
from naloxone.incidents.v1 import events_pb2 as incidents_pb
from naloxone.inventory.v1 import events_pb2 as inventory_pb
from naloxone.training.v1 import events_pb2 as training_pb
from naloxone_kernel.contract_values import to_date, to_timestamp
from naloxone_kernel.domain import DomainError
from naloxone_kernel.reference.force_figures import figures_for, force_figures
from naloxone_kernel.reference.forces import FORCES
from views.domain import ForceProvision, ProvisionStatus, provision_id_for
from views.figures import ForceSums, build_grid, force_counts, revisions, sort_rows
from naloxone_kernel.projector import ProjectedEvent
from views.ledger import Entity, fold
from views.projections import ViewsReplay

F = "durham"
DAY1, DAY2, DAY3 = date(2025, 3, 3), date(2025, 3, 20), date(2025, 4, 2)


class Log:
    """Events of several aggregates, each with its version and the day it was recorded."""

    def __init__(self) -> None:
        self.events: list[tuple[EventEnvelope, object]] = []
        self.versions: Counter = Counter()

    def add(self, aggregate: str, payload, day: date) -> None:
        self.versions[aggregate] += 1
        env = EventEnvelope(event_id=str(uuid.uuid4()), aggregate_version=self.versions[aggregate], force_id=F)
        env.recorded_at.CopyFrom(to_timestamp(datetime(day.year, day.month, day.day, 12, tzinfo=UTC)))
        self.events.append((env, payload))


def sums(ledger: Counter, until: date | None = None) -> dict[tuple[str, str], int]:
    out: Counter = Counter()
    for (force, metric, bucket, day), delta in ledger.items():
        if until is None or day <= until:
            out[(metric, bucket)] += delta
    return {k: v for k, v in out.items() if v}


def total(s: dict, metric: str) -> int:
    return sum(v for (m, _), v in s.items() if m == metric)


def run(log: Log, batch: int = 1000) -> Counter:
    """Fold the log in batches (state carried over as the read model's tables would)."""
    entities: dict = {}
    ledger: Counter = Counter()
    for i in range(0, len(log.events), batch):
        delta, _ = fold(entities, log.events[i:i + batch])
        ledger.update(delta)
    return ledger


def officer_story(log: Log) -> str:
    officer = str(uuid.uuid4())
    log.add(officer, training_pb.OfficerEnrolled(officer_id=officer, force_id=F, staff_number="D1"), DAY1)
    log.add(officer, training_pb.TrainingCompleted(officer_id=officer, force_id=F, completed_on=to_date(DAY1),
                                                   valid_until=to_date(date(2025, 4, 20))), DAY1)
    return officer


def test_an_officer_counts_while_enrolled_and_certified_and_the_bucket_is_the_last_valid_day():
    log = Log()
    officer = officer_story(log)
    log.add(officer, training_pb.CertificationExpired(officer_id=officer, force_id=F,
                                                      valid_until=to_date(date(2025, 4, 20))), DAY3)
    ledger = run(log)
    on_day2, now = sums(ledger, DAY2), sums(ledger)
    assert on_day2[("officers_certified", "2025-04-20")] == 1 and on_day2[("officers_trained", "")] == 1
    assert ("officers_certified", "2025-04-20") not in now and now[("officers_enrolled", "")] == 1


def test_kits_move_between_stock_officers_and_out_and_carrying_follows_the_holder():
    log = Log()
    officer = officer_story(log)
    kits = [str(uuid.uuid4()) for _ in range(3)]
    for kit in kits:
        log.add(kit, inventory_pb.KitStocked(kit_id=kit, force_id=F, expires_on=to_date(date(2025, 5, 1))), DAY1)
    log.add(kits[0], inventory_pb.KitIssued(kit_id=kits[0], force_id=F, officer_id=officer), DAY1)
    log.add(kits[1], inventory_pb.KitIssued(kit_id=kits[1], force_id=F, officer_id=officer), DAY1)
    log.add(kits[0], inventory_pb.KitUsed(kit_id=kits[0], force_id=F, officer_id=officer), DAY2)
    log.add(kits[2], inventory_pb.KitRecalled(kit_id=kits[2], force_id=F), DAY2)
    log.add(kits[1], inventory_pb.KitReturned(kit_id=kits[1], force_id=F, officer_id=officer, reissuable=True), DAY3)
    for batch in (1, 2, 1000):  # however the events are batched, the same ledger
        ledger = run(log, batch)
        day1, day2, now = sums(ledger, DAY1), sums(ledger, DAY2), sums(ledger)
        assert (day1[("kits_issued", "2025-05-01")], day1[("kits_in_stock", "2025-05-01")]) == (2, 1)
        assert day1[("officers_carrying", "")] == 1
        assert day2[("kits_used", "")] == 1 and day2[("kits_unfit_held", "")] == 1 and day2[("kits_recalled", "")] == 1
        assert day2[("officers_carrying", "")] == 1  # still holds the second kit
        assert ("officers_carrying", "") not in now and now[("kits_in_stock", "2025-05-01")] == 1


def test_an_administration_moves_between_outcomes_and_months_on_the_day_it_is_corrected():
    log = Log()
    admin = str(uuid.uuid4())
    log.add(admin, incidents_pb.NaloxoneAdministered(
        administration_id=admin, incident_id=str(uuid.uuid4()), force_id=F, doses=1,
        administered_at=to_timestamp(datetime(2025, 2, 28, 23, 30, tzinfo=UTC)),
        outcome=incidents_pb.INCIDENT_OUTCOME_UNKNOWN), DAY1)
    log.add(admin, incidents_pb.IncidentOutcomeRecorded(administration_id=admin, force_id=F, life_saved=True,
                                                        outcome=incidents_pb.INCIDENT_OUTCOME_ALIVE_AT_HANDOVER), DAY2)
    log.add(admin, incidents_pb.AdministrationCorrected(
        administration_id=admin, force_id=F, corrected_fields=["doses", "administered_at"], doses=3, life_saved=True,
        administered_at=to_timestamp(datetime(2025, 3, 1, 0, 30, tzinfo=UTC))), DAY3)
    ledger = run(log)
    assert sums(ledger, DAY1) == {("administrations", "2025-02"): 1, ("doses", "2025-02"): 1,
                                  ("outcome_unknown", "2025-02"): 1}
    assert sums(ledger, DAY2)[("lives_saved", "2025-02")] == 1
    assert sums(ledger) == {("administrations", "2025-03"): 1, ("doses", "2025-03"): 3,
                            ("outcome_alive_at_handover", "2025-03"): 1, ("lives_saved", "2025-03"): 1}


def _through_the_table(entities: dict) -> dict:
    """What the next batch loads: each state as the `entities` table holds it, no counts kept."""
    return {k: Entity(e.force_id, e.version, json.loads(json.dumps(e.state))) for k, e in entities.items()}


@pytest.mark.parametrize("batch", [1, 2, 3, 5])
def test_a_replay_in_memory_leaves_what_batches_through_the_table_leave(batch):
    """A rebuild folds every event into entities kept in memory (with their counts); the live
    projector folds each batch into entities loaded from its table. Same events, same rows."""
    log = Log()
    officer = officer_story(log)
    kits = [str(uuid.uuid4()) for _ in range(3)]
    for kit in kits:
        log.add(kit, inventory_pb.KitStocked(kit_id=kit, force_id=F, expires_on=to_date(date(2025, 5, 1))), DAY1)
        log.add(kit, inventory_pb.KitIssued(kit_id=kit, force_id=F, officer_id=officer), DAY2)
    log.add(kits[0], inventory_pb.KitUsed(kit_id=kits[0], force_id=F, officer_id=officer), DAY2)
    log.add(kits[1], inventory_pb.KitReturned(kit_id=kits[1], force_id=F, officer_id=officer, reissuable=False), DAY3)
    log.add(officer, training_pb.CertificationExpired(officer_id=officer, force_id=F,
                                                      valid_until=to_date(date(2025, 4, 20))), DAY3)
    log.events += log.events[:4]  # a redelivery in the middle of the stream
    replay = ViewsReplay()  # holds everything here: nothing to write out, so no database
    asyncio.run(replay.add(None, "unused", [ProjectedEvent(env, p) for env, p in log.events]))

    entities: dict = {}
    ledger: Counter = Counter()
    for i in range(0, len(log.events), batch):
        entities = _through_the_table(entities)
        delta, _ = fold(entities, log.events[i:i + batch])
        ledger.update(delta)
    assert dict(replay.ledger) == dict(ledger)
    assert {k: (e.force_id, e.version, json.dumps(e.state)) for k, e in replay.entities.items()} == {
        k: (e.force_id, e.version, json.dumps(e.state)) for k, e in entities.items()}


def test_an_event_applied_twice_or_out_of_date_changes_nothing():
    log = Log()
    officer = officer_story(log)
    entities: dict = {}
    first, _ = fold(entities, log.events)
    again, touched = fold(entities, log.events)  # a redelivery: versions already held
    assert not again and not touched
    assert sums(first)[("officers_enrolled", "")] == 1 and officer


def test_the_referral_funnel_and_take_home_supplies():
    log = Log()
    refs = [str(uuid.uuid4()) for _ in range(3)]
    for r in refs:
        log.add(r, diversion_pb.DiversionReferralMade(referral_id=r, force_id=F, referred_at=to_timestamp(
            datetime(2025, 3, 5, tzinfo=UTC))), DAY1)
    log.add(refs[0], diversion_pb.ReferralAccepted(referral_id=refs[0], force_id=F), DAY2)
    log.add(refs[0], diversion_pb.TreatmentEngaged(referral_id=refs[0], force_id=F), DAY2)
    log.add(refs[1], diversion_pb.ReferralDeclined(referral_id=refs[1], force_id=F), DAY2)
    log.add("s", inventory_pb.TakeHomeKitSupplied(supply_id="s", force_id=F, quantity=1, repeat_supply=True,
                                                  setting=inventory_pb.SUPPLY_SETTING_CUSTODY_RELEASE,
                                                  supplied_at=to_timestamp(datetime(2025, 3, 5, tzinfo=UTC))), DAY1)
    now = sums(run(log))
    assert {k[0]: v for k, v in now.items() if k[0].startswith("referrals")} == {
        "referrals_made": 3, "referrals_accepted": 1, "referrals_declined": 1, "referrals_waiting": 1,
        "referrals_engaged": 1}
    assert now[("take_home_repeat", "2025-03")] == now[("take_home_at_custody_release", "2025-03")] == 1


def test_rates_are_per_100000_population_and_per_1000_officers_from_the_reference_figures():
    scotland = figures_for("police-scotland")
    assert scotland.population and scotland.officers_fte and scotland.population_source and scotland.officers_source
    counts = force_counts(ForceSums({"administrations": 201, "officers_trained": 10_300}), "ongoing")
    grid = build_grid({"police-scotland": counts}, {"police-scotland": "ongoing"}, None)
    row = grid.row("police-scotland")
    assert row["administrations_per_100k"] == round(201 * 100_000 / scotland.population, 2)
    assert row["officers_trained_per_1000_officers"] == round(10_300 * 1_000 / scotland.officers_fte, 2)
    # every force's officer strength is sourced, so the nation's rate is over all of them
    strengths = [figures_for(f.id).officers_fte for f in FORCES]
    assert None not in strengths and all(figures_for(f.id).officers_source for f in FORCES)
    assert grid.row("national")["officers_trained_per_1000_officers"] == round(10_300 * 1_000 / sum(strengths), 2)
    # the nation's population is every force area's (BTP polices the railways and has none)
    populations = [figures_for(f.id).population for f in FORCES if f.id != "btp"]
    assert figures_for("btp").population is None and None not in populations
    assert grid.row("national")["administrations_per_100k"] == round(201 * 100_000 / sum(populations), 2)
    assert grid.row("region:scotland")["administrations_per_100k"] == row["administrations_per_100k"]
    assert set(force_figures()) == {f.id for f in FORCES}


def test_a_force_whose_officer_strength_is_not_sourced_has_no_rate_per_officer_nor_has_its_nation(monkeypatch):
    import views.figures as figures_module
    figures = dict(force_figures())
    figures["psni"] = dataclasses.replace(figures["psni"], officers_fte=None, officers_source=None, officers_date=None)
    monkeypatch.setattr(figures_module, "force_figures", lambda: figures)
    figures_module.denominator_of.cache_clear()
    try:
        counts = force_counts(ForceSums({"administrations": 201, "officers_trained": 10_300}), "ongoing")
        grid = build_grid({"psni": counts, "police-scotland": counts}, {}, None)
        assert grid.row("psni")["officers_trained_per_1000_officers"] is None  # never a guessed one
        assert grid.row("national")["officers_trained_per_1000_officers"] is None
        assert grid.row("police-scotland")["officers_trained_per_1000_officers"] is not None
        assert grid.row("psni")["administrations_per_100k"] is not None  # its population is still sourced
    finally:
        figures_module.denominator_of.cache_clear()


def test_a_rate_is_hidden_with_its_count():
    counts = force_counts(ForceSums({"administrations": 3}), None)
    grid = build_grid({"police-scotland": counts}, {}, None)
    assert grid.row("police-scotland")["administrations"] == "<5"
    assert grid.row("police-scotland")["administrations_per_100k"] == "<5"
    assert grid.row("police-scotland")["mean_doses"] == "<5"
    assert build_grid({"police-scotland": counts}, {}, "police-scotland").row("police-scotland")[
        "administrations_per_100k"] == round(3 * 100_000 / figures_for("police-scotland").population, 2)


def test_sorting_puts_hidden_cells_last_in_name_order_and_revisions_skip_them():
    rows = [{"force_name": n, "region": "r", "figures": {"x": v}} for n, v in
            (("B", 10), ("A", "<5"), ("C", 30), ("D", "c"), ("E", 10), ("F", None))]
    assert [r["force_name"] for r in sort_rows(rows, "x", True)] == ["C", "B", "E", "A", "D", "F"]
    assert [r["force_name"] for r in sort_rows(rows, "x", False)] == ["B", "E", "C", "A", "D", "F"]
    assert revisions({"a": 5, "b": "<5", "c": 1.5}, {"a": 7, "b": 9, "c": 2.0}) == {"a": 2, "b": None, "c": 0.5}


def test_a_forces_provision_status_is_force_managed_history():
    p = ForceProvision(provision_id_for(F))
    p.set_status(force_id=F, status=ProvisionStatus.PILOT, effective_on=date(2023, 1, 1))
    p.set_status(force_id=F, status=ProvisionStatus.PILOT, effective_on=date(2023, 6, 1))  # no change
    p.set_status(force_id=F, status=ProvisionStatus.ONGOING, effective_on=date(2024, 1, 1))
    assert [(e.previous_status, e.status) for e in p.pending] == [(None, "pilot"), ("pilot", "ongoing")]
    with pytest.raises(DomainError, match="before"):
        p.set_status(force_id=F, status=ProvisionStatus.NONE, effective_on=date(2023, 12, 31))


def test_spike_alerts_are_open_from_detection_until_they_subside():
    from naloxone.alerts.v1 import events_pb2 as alerts_pb

    log = Log()
    end = to_timestamp(datetime(2025, 3, 4, 6, tzinfo=UTC))
    log.add("ew", alerts_pb.OverdoseSpikeDetected(alert_id="a1", force_id=F, area_code="DH1", window_end=end,
                                                  administrations=4, threshold=3), DAY1)
    log.add("ew", alerts_pb.OverdoseSpikeSubsided(alert_id="a1", force_id=F, area_code="DH1",
                                                  subsided_at=end, administrations=5), DAY2)
    ledger = run(log)
    assert sums(ledger, DAY1) == {("spike_alerts", "2025-03"): 1, ("spike_alerts_open", ""): 1}
    assert sums(ledger) == {("spike_alerts", "2025-03"): 1}
