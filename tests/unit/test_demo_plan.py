"""The demo plan (pure): its totals are the published figures, its dates are in the order the
domain needs them, and --scale multiplies sizes without dropping forces."""

from datetime import date, timedelta

import pytest

from naloxctl.demo.plan import (
    EW_WINDOW,
    SCOTLAND,
    SCOTLAND_WINDOW,
    build_plan,
)

TODAY = date(2026, 11, 22)


@pytest.fixture(scope="module")
def plan():
    return build_plan(TODAY)


def ew(plan):
    return [f for f in plan.active if f.force_id != SCOTLAND]


def test_totals_at_scale_one_are_the_published_figures(plan):
    ew_admin = [a for f in ew(plan) for a in f.administrations]
    assert len(ew_admin) == 1232
    assert all(EW_WINDOW[0] <= a.administered_at.date() <= EW_WINDOW[1] for a in ew_admin)
    survived = sum(a.survived for a in ew_admin) / len(ew_admin)
    assert 0.87 <= survived <= 0.93, survived
    assert sum(a.doses <= 2 for a in ew_admin) / len(ew_admin) >= 0.85

    scotland = plan.forces[SCOTLAND]
    assert len(scotland.administrations) == 201
    assert sum(a.outcome == "died" for a in scotland.administrations) == 7
    assert all(a.survived for a in scotland.administrations if a.outcome != "died")
    assert all(SCOTLAND_WINDOW[0] <= a.administered_at.date() <= SCOTLAND_WINDOW[1] for a in scotland.administrations)

    figures = plan.figures()
    assert 190 <= figures["west-midlands"]["officers_trained"] <= 230
    assert 10_000 <= figures[SCOTLAND]["officers_trained"] <= 10_600
    assert all(t.completed_on <= date(2023, 5, 31) for o in scotland.officers for t in o.trainings[:1])
    # carriage is mandatory in Scotland, voluntary (a share) elsewhere
    assert figures[SCOTLAND]["officers_carrying"] >= 0.9 * figures[SCOTLAND]["officers_trained"]
    for f in ew(plan):
        assert 1 <= figures[f.force_id]["officers_carrying"] < figures[f.force_id]["officers_trained"], f.force_id
        assert 10 <= figures[f.force_id]["officers_trained"] <= 400, f.force_id


def test_provision_split_and_active_forces(plan):
    statuses = [f.status for f in plan.forces.values()]
    assert {s: statuses.count(s) for s in set(statuses)} == {"ongoing": 24, "pilot": 8, "agreed": 7,
                                                             "committed": 5, "none": 2}
    active = {f.force_id for f in plan.active}
    assert len(active) >= 20
    assert {f.force_id for f in plan.forces.values() if f.status == "ongoing"} <= active
    assert all(f.status in ("ongoing", "pilot") for f in plan.active)
    supplying = {f.force_id for f in plan.forces.values() if f.supplies}
    assert supplying == {"west-midlands", "durham"}
    assert any(s.repeat_reason for f in plan.forces.values() for s in f.supplies)


def test_dates_are_in_the_order_the_domain_needs(plan):
    for f in plan.active:
        receipts = {b.receipt: b for b in f.batches}
        issued_from: dict[int, int] = {}
        for o in f.officers:
            assert o.enrolled_on < TODAY
            for earlier, later in zip(o.trainings, o.trainings[1:]):
                assert earlier.completed_on < later.completed_on
            if o.trainings:
                assert o.enrolled_on <= o.trainings[0].completed_on, o
            if o.kit:
                day, receipt = o.kit
                batch = receipts[receipt]
                assert batch.received_on <= day < TODAY, o
                assert o.certified_on(day), o  # inventory issues only to an officer certified that day
                assert batch.expires_on > TODAY  # the kits held now are in date
                issued_from[receipt] = issued_from.get(receipt, 0) + 1
        for receipt, n in issued_from.items():
            assert receipts[receipt].quantity >= n
        by_staff = {o.staff_number: o for o in f.officers}
        named = [a for a in f.administrations if a.staff_number]
        for a in named:
            officer = by_staff[a.staff_number]
            assert officer.trainings and officer.trainings[0].completed_on < a.administered_at.date()
        certified = sum(by_staff[a.staff_number].certified_on(a.administered_at.date()) for a in named)
        assert certified >= 0.9 * len(named), f.force_id
        for s in f.supplies:
            assert s.supplied_at.date() < TODAY
        people_before: set[str] = set()
        for s in sorted(f.supplies, key=lambda s: s.supplied_at):
            assert (s.person in people_before) == (s.repeat_reason is not None)
            people_before.add(s.person)
        for r in f.referrals:
            contract = next(c for c in f.contracts if c.scheme == r.scheme)
            day = r.referred_at.date()
            assert contract.starts_on <= day < TODAY
            for _kind, body in r.steps:
                step_day = date.fromisoformat(next(v for k, v in body.items() if k.endswith("_on")))
                assert day <= step_day < TODAY
                day = step_day


def test_scale_multiplies_sizes_and_keeps_every_active_force(plan):
    half = build_plan(TODAY, scale=0.5)
    small = build_plan(TODAY, scale=0.02)
    full, halved = plan.summary(), half.summary()
    for name in ("officers_trained", "kits_issued", "administrations", "take_home_supplies", "referrals"):
        assert abs(halved[name] - full[name] / 2) <= 0.06 * full[name] / 2 + len(plan.active), name
    assert small.summary()["forces_active"] == full["forces_active"] == halved["forces_active"]
    for f in small.active:
        figures = f.figures()
        assert figures["officers_trained"] >= 1 and figures["officers_carrying"] >= 1, f.force_id
        assert figures["administrations"] >= 1 and figures["kits_in_stock"] >= 1, f.force_id
    assert small.forces[SCOTLAND].figures()["outcome_died"] >= 1
    assert small.commands() < plan.commands() / 5  # registers and rosters go in bulk: fewer calls, not 50x fewer


def test_registers_and_rosters_go_in_bulk_calls_the_routes_accept(plan):
    from naloxctl.demo.plan import BULK

    assert 1 <= BULK <= 500  # /officers/bulk and /kits/issues take up to 500 each
    scotland = plan.forces[SCOTLAND]
    carriers = sum(1 for o in scotland.officers if o.kit)
    assert plan.commands() < sum(len(f.officers) for f in plan.forces.values()) / 2
    assert scotland.commands() >= -(-len(scotland.officers) // BULK) + -(-carriers // BULK)


def test_the_plan_is_deterministic_from_its_seed(plan):
    again = build_plan(TODAY)
    assert again.figures() == plan.figures()
    assert again.forces["durham"].administrations == plan.forces["durham"].administrations
    other = build_plan(TODAY, seed=8)
    assert other.forces["durham"].administrations != plan.forces["durham"].administrations
    later = build_plan(TODAY + timedelta(days=1))
    assert all(o.kit is None or o.kit[0] < TODAY + timedelta(days=1) for f in later.active for o in f.officers)
