"""Spike detection, from hypothesis-generated streams of administrations, against a brute-force oracle.

Every stream runs through the real command path (decision -> JSON event store -> replay for
the next command), as the reactor runs it. Properties: exactly one alert per spike, none
below the threshold, neighbours counted, each alert closed once with every administration
it counted, and the same alerts whatever the redelivery, on replay, whenever the closing
job runs, and in whatever order administrations arrive within the grace period.
"""

from __future__ import annotations

import asyncio
import random
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from alerts.adapters.contracts import to_proto
from alerts.application import handlers as h
from alerts.domain import (
    ALERT_EVENTS,
    Case,
    EarlyWarning,
    SpikePolicy,
    alert_id_for,
    early_warning_id,
    find_spikes,
)
from naloxone_kernel.commands import CommandRunner
from naloxone_kernel.domain import InvalidValue
from naloxone_kernel.memory import InMemoryEventStore
from naloxone_kernel.repository import CommandContext, EventMapper

FORCE = "west-midlands"
T0 = datetime(2026, 3, 1, 6, 0, tzinfo=UTC)
AREAS = ("B1", "B2", "B3", "B4")
#: B1-B2 and B2-B3 neighbour each other; B4 stands alone.
NEIGHBOURS = {"B1": ["B2"], "B3": ["B2"]}


def policy(thresholds: dict[str, int], default: int | None = None, window_hours: int = 24,
           grace_minutes: int = 60) -> SpikePolicy:
    return SpikePolicy.of(window_hours=window_hours, default_threshold=default, area_thresholds=thresholds,
                          neighbours=NEIGHBOURS, grace_minutes=grace_minutes)


# --- the oracle: counts by brute force at every instant the count can change ----------------

def oracle(cases: list[Case], areas: frozenset[str], threshold: int, window: timedelta) -> list[dict]:
    hood = sorted(c for c in cases if c.area_code in areas)
    instants = sorted({c.administered_at for c in hood} | {c.administered_at + window for c in hood})

    def count(at):
        return sum(1 for c in hood if at - window < c.administered_at <= at)

    out, start, peak = [], None, 0
    for at in instants:
        n = count(at)
        if n >= threshold and start is None:
            start, peak = at, n
        elif n >= threshold:
            peak = max(peak, n)
        elif start is not None:
            out.append({"started_at": start, "ended_at": at, "peak": peak,
                        "trigger": [c for c in hood if start - window < c.administered_at <= start],
                        "cases": [c for c in hood if start - window < c.administered_at < at]})
            start = None
    return out


# --- running streams through the command path ------------------------------------------------

class Run:
    """One force's early warning, fed command by command through an in-memory event store."""

    def __init__(self, spike_policy: SpikePolicy) -> None:
        self.runner = CommandRunner(InMemoryEventStore(), EventMapper(ALERT_EVENTS, to_proto, "t"))
        self.loop = asyncio.new_event_loop()
        self.do(h.set_thresholds(h.SetThresholds(FORCE, spike_policy, T0)))

    def do(self, decision) -> None:
        self.loop.run_until_complete(self.runner.run(CommandContext(actor="t", correlation_id="c"), decision))

    def count(self, case: Case) -> None:
        self.do(h.count(h.CountAdministration(FORCE, case.administration_id, case.area_code, case.administered_at)))

    def close(self, now: datetime) -> None:
        self.do(h.close_due(h.CloseDueSpikes(FORCE, now)))

    def events(self) -> list:
        registry = self.runner.mapper.registry
        out = [registry.decode(e.event_type, e.payload) for e in self.runner.store.events]
        self.loop.close()
        return out


def run_stream(spike_policy: SpikePolicy, stream: list, close_at_end: bool = True) -> list:
    """`stream`: cases, and datetimes meaning "the closing job runs at this time"."""
    run = Run(spike_policy)
    for item in stream:
        run.close(item) if isinstance(item, datetime) else run.count(item)
    if close_at_end:
        run.close(T0 + timedelta(days=400))
    return run.events()


def alerts(events) -> dict[uuid.UUID, dict]:
    out: dict[uuid.UUID, dict] = {}
    for e in events:
        if e.event_type == "OverdoseSpikeDetected":
            assert e.alert_id not in out, "an alert detected twice"
            out[e.alert_id] = {"detected": e}
        elif e.event_type == "OverdoseSpikeSubsided":
            assert "subsided" not in out[e.alert_id], "an alert closed twice"
            out[e.alert_id]["subsided"] = e
    return out


def final(events) -> list[tuple]:
    """What an alert finally is, whatever the order it was learnt in."""
    return sorted((a["detected"].area_code, str(alert_id), a["subsided"].started_at, a["subsided"].subsided_at,
                   a["subsided"].cases, a["subsided"].peak_administrations) for alert_id, a in alerts(events).items())


def payloads(events) -> list:
    return [(e.event_type, e) for e in events if e.event_type not in ("SpikeThresholdsSet",)]


# --- strategies ---------------------------------------------------------------------------------

case_strategy = st.builds(
    lambda area, minutes: Case(T0 + timedelta(minutes=minutes), uuid.uuid4(), area),
    st.sampled_from(AREAS),
    # clusters: mostly within a few days, to the minute, with ties
    st.integers(0, 6 * 24 * 60).map(lambda m: m - m % 30),
)
cases_strategy = st.lists(case_strategy, min_size=0, max_size=30)
thresholds_strategy = st.fixed_dictionaries({"B1": st.integers(1, 5), "B3": st.integers(2, 5)},
                                            optional={"B4": st.integers(2, 4)})
slow = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def in_order(cases: list[Case]) -> list[Case]:
    return sorted(cases)


# --- properties ---------------------------------------------------------------------------------

@slow
@given(cases_strategy, thresholds_strategy, st.sampled_from([None, 3]))
def test_exactly_one_alert_per_spike_with_its_cases_neighbours_counted_none_below_threshold(cases, thresholds,
                                                                                            default):
    spike_policy = policy(thresholds, default)
    found = alerts(run_stream(spike_policy, in_order(cases)))
    expected_total = 0
    for area in AREAS:
        watch = spike_policy.watch(area)
        mine = sorted((a for a in found.values() if a["detected"].area_code == area),
                      key=lambda a: a["detected"].window_end)
        if watch is None:
            assert not mine, f"{area} has no threshold but raised an alert"
            continue
        spikes = oracle(cases, watch.areas, watch.threshold, watch.window)
        expected_total += len(spikes)
        assert len(mine) == len(spikes), (area, spikes, mine)
        for n, (alert, spike) in enumerate(zip(mine, spikes), start=1):
            detected, subsided = alert["detected"], alert["subsided"]
            assert detected.alert_id == alert_id_for(FORCE, area, n)
            assert detected.window_end == spike["started_at"]
            assert detected.neighbouring_area_codes == watch.neighbours
            trigger = [Case.of(c) for c in detected.cases]
            assert len(trigger) >= watch.threshold  # never below the threshold
            assert set(trigger) <= set(spike["trigger"])
            assert all(detected.window_start < c.administered_at <= detected.window_end for c in trigger)
            assert {c.area_code for c in trigger} <= watch.areas  # the area and its neighbours, nothing else
            assert (subsided.started_at, subsided.subsided_at, subsided.peak_administrations) == (
                spike["started_at"], spike["ended_at"], spike["peak"])
            assert [Case.of(c) for c in subsided.cases] == sorted(spike["cases"])
    assert len(found) == expected_total


@slow
@given(cases_strategy, thresholds_strategy, st.randoms(use_true_random=False))
def test_redelivered_administrations_change_nothing(cases, thresholds, rng):
    stream = in_order(cases)
    redelivered = list(stream)
    for case in rng.sample(stream, k=min(len(stream), rng.randrange(0, 8))):
        # the same administration again, right after itself or much later
        redelivered.insert(rng.randrange(redelivered.index(case) + 1, len(redelivered) + 1), case)
    spike_policy = policy(thresholds)
    assert payloads(run_stream(spike_policy, redelivered)) == payloads(run_stream(spike_policy, stream))


@slow
@given(cases_strategy, thresholds_strategy)
def test_a_replay_yields_the_same_alerts_and_state(cases, thresholds):
    spike_policy = policy(thresholds)
    first, second = run_stream(spike_policy, in_order(cases)), run_stream(spike_policy, in_order(cases))
    assert payloads(first) == payloads(second)  # ids derived, never random
    replayed = EarlyWarning.replay(early_warning_id(FORCE), first)
    assert not replayed.open and replayed.alerts_raised == {
        area: sum(1 for a in alerts(first).values() if a["detected"].area_code == area)
        for area in {a["detected"].area_code for a in alerts(first).values()}}


@slow
@given(cases_strategy, thresholds_strategy, st.lists(st.integers(0, 59), min_size=30, max_size=30),
       st.lists(st.integers(0, 8 * 24 * 60), max_size=4))
def test_arrival_order_within_the_grace_and_when_the_job_runs_change_nothing_final(cases, thresholds, delays,
                                                                                  job_minutes):
    """Administrations recorded up to the grace period late, in any order that allows, and the closing job
    run at any moments: every alert ends the same (id, when it started and subsided, every case)."""
    spike_policy = policy(thresholds, grace_minutes=60)
    arrivals = sorted([(c.administered_at + timedelta(minutes=d), n, c) for n, (c, d) in enumerate(zip(cases, delays))]
                      + [(T0 + timedelta(minutes=m), -1, T0 + timedelta(minutes=m)) for m in job_minutes],
                      key=lambda a: (a[0], a[1]))
    late = run_stream(spike_policy, [item for _, _, item in arrivals])
    assert final(late) == final(run_stream(spike_policy, in_order(cases)))


# --- examples ---------------------------------------------------------------------------------

def case(area: str, hours: float) -> Case:
    return Case(T0 + timedelta(hours=hours), uuid.uuid4(), area)


def test_neighbours_count_towards_the_area_and_an_isolated_area_does_not():
    b1a, b2, b1b, b4 = case("B1", 0), case("B2", 1), case("B1", 2), case("B4", 1.5)
    found = alerts(run_stream(policy({"B1": 3}), [b1a, b2, b4, b1b], close_at_end=False))
    (alert,) = found.values()
    detected = alert["detected"]
    assert (detected.area_code, detected.neighbouring_area_codes, detected.threshold) == ("B1", ("B2",), 3)
    assert {Case.of(c) for c in detected.cases} == {b1a, b2, b1b}
    assert "subsided" not in alert  # nothing has moved the window on yet


def test_below_the_threshold_nothing_is_raised():
    stream = [case("B1", 0), case("B1", 23.9 + 0.2), case("B1", 48.2)]  # never two in one window of 24 hours
    assert alerts(run_stream(policy({"B1": 2}), stream)) == {}


def test_a_later_administration_closes_the_spike_once_its_window_and_grace_have_passed():
    first = [case("B1", 0), case("B1", 1), case("B1", 2)]
    events = run_stream(policy({"B1": 3}, grace_minutes=60), [*first, case("B4", 24.5)], close_at_end=False)
    assert [e.event_type for e in events].count("OverdoseSpikeSubsided") == 0  # 24 h + grace not yet passed
    events = run_stream(policy({"B1": 3}, grace_minutes=60), [*first, case("B4", 25)], close_at_end=False)
    (subsided,) = [e for e in events if e.event_type == "OverdoseSpikeSubsided"]
    assert subsided.subsided_at == T0 + timedelta(hours=24)  # the first left the window: from the cases alone
    assert subsided.started_at == T0 + timedelta(hours=2)


def test_the_job_closes_by_the_window_end_not_by_its_own_clock():
    stream = [case("B1", 0), case("B1", 1), case("B1", 2)]
    early = run_stream(policy({"B1": 3}), [*stream, T0 + timedelta(hours=24, minutes=59)], close_at_end=False)
    assert not [e for e in early if e.event_type == "OverdoseSpikeSubsided"]
    late = run_stream(policy({"B1": 3}), [*stream, T0 + timedelta(days=30)], close_at_end=False)
    on_time = run_stream(policy({"B1": 3}), [*stream, T0 + timedelta(hours=25)], close_at_end=False)
    assert final(late) == final(on_time)


def test_thresholds_apply_per_area_with_a_default_and_a_window_of_the_forces_choosing():
    stream = [case("B4", 0), case("B4", 5), case("B3", 6), case("B3", 7)]
    found = {a["detected"].area_code: a["detected"] for a in alerts(
        run_stream(policy({"B3": 5}, default=2, window_hours=6), stream)).values()}
    # B3's own 5 outranks the default; B2 (default 2) counts its neighbour B3's two
    assert sorted(found) == ["B2", "B4"]
    assert (found["B4"].window_hours, found["B4"].threshold) == (6, 2)
    assert {Case.of(c).area_code for c in found["B2"].cases} == {"B3"}


def test_a_correction_moving_an_administration_into_an_area_raises_its_spike():
    run = Run(policy({"B4": 2}))
    moved = case("B1", 1)
    for c in (case("B4", 0), moved):
        run.count(c)
    run.do(h.recount(h.RecountAdministration(FORCE, moved.administration_id, area_code="B4")))
    events = run.events()
    assert [e.event_type for e in events][-2:] == ["AdministrationRecounted", "OverdoseSpikeDetected"]


def test_bad_thresholds_are_refused_naming_the_field():
    with pytest.raises(InvalidValue) as refused:
        SpikePolicy.of(neighbours={"B1": ["B1"]})
    assert refused.value.field == "neighbours.B1"
    with pytest.raises(InvalidValue) as refused:
        SpikePolicy.of(area_thresholds={"b1": 2})
    assert refused.value.field == "areas.b1"
    with pytest.raises(InvalidValue):
        SpikePolicy.of(window_hours=0)


def test_the_sweep_agrees_with_the_oracle_on_a_dense_random_stream():
    rng = random.Random(7)
    cases = [Case(T0 + timedelta(minutes=rng.randrange(0, 3 * 24 * 60)), uuid.uuid4(), "B1") for _ in range(400)]
    window = timedelta(hours=24)
    swept = [(s.started_at, s.ended_at, s.peak, sorted(s.cases)) for s in find_spikes(cases, 150, window)]
    assert swept == [(o["started_at"], o["ended_at"], o["peak"], sorted(o["cases"]))
                     for o in oracle(cases, frozenset({"B1"}), 150, window)]
