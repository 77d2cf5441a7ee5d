"""The EarlyWarning aggregate: one per force, its thresholds, the administrations counted, its alerts.

One stream per force holds the force's thresholds, every administration counted, the
alerts raised and closed and the webhook subscriptions, so each decision sees all of
them in one consistent order (and consumers see subscriptions and alerts in that order).

Deciding, with `spikes.find_spikes` over the administrations known:
- An administration counted (or moved by a correction) may take part in a spike of its
  own area or of an area it neighbours. A spike that meets no alert of that area already
  raised is a new spike: OverdoseSpikeDetected, once, with the administrations of the
  window that reached the threshold. Later administrations join the spike; they raise
  nothing new. Thresholds apply to spikes that administrations counted from then on take
  part in (lowering one does not raise alerts for the past by itself).
- An open alert is closed (OverdoseSpikeSubsided, once, with every administration it
  counted) when the count has fallen below its threshold and the grace period for late
  records has passed: judged against the latest occurrence time counted in the force
  (later administrations advance it) or, when none arrive, against a clock the caller
  passes (the scheduled job). What the closing event says (when it subsided, which
  administrations) depends only on the administrations' occurrence times, never on when
  it was decided, so a replay yields the same alerts.
- An alert's id is its area's n-th alert in the force (uuid5): the same on every replay.

Limits, said plainly: a closed alert is history and is never reopened or retracted; an
administration recorded later than the grace period after a spike closed is counted for
later windows only. Administrations more than two windows and the grace older than the
latest one counted are forgotten (they can raise nothing), which bounds the state.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import ClassVar
from uuid import UUID, uuid5

from naloxone_kernel.domain import Aggregate, DomainError, DomainEvent, InvalidValue, NotFound, checked_aware

from .policy import SpikePolicy, Watch, checked_area
from .spikes import Case, Spike, find_spikes

NAMESPACE = UUID("6b0f7c3e-2d55-5f0e-9a5e-3a1e7d0c4b21")
#: Webhook endpoints a force may have at once.
MAX_SUBSCRIPTIONS = 10


def early_warning_id(force_id: str) -> UUID:
    return uuid5(NAMESPACE, f"early-warning/{force_id}")


def alert_id_for(force_id: str, area_code: str, ordinal: int) -> UUID:
    """The n-th alert of an area in a force: the same id however often the topics are replayed."""
    return uuid5(NAMESPACE, f"alert/{force_id}/{area_code}/{ordinal}")


def _records(cases) -> tuple[dict, ...]:
    return tuple(c.record() for c in cases)


def _tuple_of_dicts(value) -> tuple[dict, ...]:
    return tuple(dict(v) for v in value)


# --- events ---------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class SpikeThresholdsSet(DomainEvent):
    event_type: ClassVar[str] = "SpikeThresholdsSet"
    force_id: str
    window_hours: int
    default_threshold: int | None
    area_thresholds: dict[str, int]
    neighbours: dict[str, list[str]]  # symmetric, as the policy made it
    grace_minutes: int
    set_at: datetime

    def policy(self) -> SpikePolicy:
        return SpikePolicy(window_hours=self.window_hours, default_threshold=self.default_threshold,
                           area_thresholds=dict(self.area_thresholds),
                           neighbours={a: tuple(n) for a, n in self.neighbours.items()},
                           grace_minutes=self.grace_minutes)


@dataclass(frozen=True, kw_only=True)
class AdministrationCounted(DomainEvent):
    event_type: ClassVar[str] = "AdministrationCounted"
    force_id: str
    administration_id: UUID
    incident_id: UUID | None = None
    area_code: str
    administered_at: datetime


@dataclass(frozen=True, kw_only=True)
class AdministrationRecounted(DomainEvent):
    event_type: ClassVar[str] = "AdministrationRecounted"
    force_id: str
    administration_id: UUID
    area_code: str
    administered_at: datetime
    previous_area_code: str
    previous_administered_at: datetime


@dataclass(frozen=True, kw_only=True)
class OverdoseSpikeDetected(DomainEvent):
    event_type: ClassVar[str] = "OverdoseSpikeDetected"
    force_id: str
    alert_id: UUID
    area_code: str
    neighbouring_area_codes: tuple[str, ...]
    threshold: int
    window_hours: int
    grace_minutes: int
    window_start: datetime
    window_end: datetime
    #: The administrations of the window that reached the threshold, as `Case.record()`.
    cases: tuple[dict, ...]

    def __post_init__(self) -> None:  # JSON gives lists back
        object.__setattr__(self, "neighbouring_area_codes", tuple(self.neighbouring_area_codes))
        object.__setattr__(self, "cases", _tuple_of_dicts(self.cases))

    def watch(self) -> Watch:
        return Watch(self.area_code, self.neighbouring_area_codes, self.threshold,
                     timedelta(hours=self.window_hours), timedelta(minutes=self.grace_minutes))


@dataclass(frozen=True, kw_only=True)
class OverdoseSpikeSubsided(DomainEvent):
    event_type: ClassVar[str] = "OverdoseSpikeSubsided"
    force_id: str
    alert_id: UUID
    area_code: str
    started_at: datetime
    subsided_at: datetime
    #: Every administration counted while the spike lasted, as `Case.record()`.
    cases: tuple[dict, ...]
    peak_administrations: int

    def __post_init__(self) -> None:
        object.__setattr__(self, "cases", _tuple_of_dicts(self.cases))


@dataclass(frozen=True, kw_only=True)
class WebhookSubscribed(DomainEvent):
    event_type: ClassVar[str] = "WebhookSubscribed"
    force_id: str
    subscription_id: UUID
    url: str
    subscribed_at: datetime


@dataclass(frozen=True, kw_only=True)
class WebhookUnsubscribed(DomainEvent):
    event_type: ClassVar[str] = "WebhookUnsubscribed"
    force_id: str
    subscription_id: UUID
    unsubscribed_at: datetime


EARLY_WARNING_EVENTS = (SpikeThresholdsSet, AdministrationCounted, AdministrationRecounted, OverdoseSpikeDetected,
                        OverdoseSpikeSubsided, WebhookSubscribed, WebhookUnsubscribed)


# --- state ----------------------------------------------------------------------------


@dataclass(frozen=True)
class OpenAlert:
    alert_id: UUID
    watch: Watch  # as it was when the spike was detected: a later threshold does not change it
    started_at: datetime


@dataclass(frozen=True)
class Subscription:
    subscription_id: UUID
    url: str
    subscribed_at: datetime


class EarlyWarning(Aggregate):
    aggregate_type = "EarlyWarning"

    def __init__(self, aggregate_id: UUID) -> None:
        super().__init__(aggregate_id)
        self.policy: SpikePolicy | None = None
        self.cases: dict[UUID, Case] = {}
        self.counted: set[UUID] = set()
        #: The latest occurrence time counted: how far the force's administrations have got.
        self.watermark: datetime | None = None
        self.open: dict[UUID, OpenAlert] = {}
        self.closed: dict[str, list[tuple[datetime, datetime]]] = {}
        self.alerts_raised: dict[str, int] = {}
        self.subscriptions: dict[UUID, Subscription] = {}

    # --- decisions ------------------------------------------------------------------

    def set_thresholds(self, *, force_id: str, policy: SpikePolicy, set_at: datetime) -> None:
        self._own(force_id)
        checked_aware(set_at, "set_at")
        if policy == self.policy:
            return
        self._raise(SpikeThresholdsSet(
            force_id=force_id, window_hours=policy.window_hours, default_threshold=policy.default_threshold,
            area_thresholds=dict(policy.area_thresholds),
            neighbours={area: list(near) for area, near in policy.neighbours.items()},
            grace_minutes=policy.grace_minutes, set_at=set_at))

    def count(self, *, force_id: str, administration_id: UUID, area_code: str, administered_at: datetime,
              incident_id: UUID | None = None) -> None:
        """Count an administration (once: a redelivered one changes nothing), then decide."""
        self._own(force_id)
        checked_area(area_code, "area_code")
        if checked_aware(administered_at, "administered_at") is None:
            raise InvalidValue("administered_at is required", field="administered_at")
        if administration_id in self.counted:
            return
        self._raise(AdministrationCounted(force_id=force_id, administration_id=administration_id,
                                          incident_id=incident_id, area_code=area_code,
                                          administered_at=administered_at))
        self._decide_after(self.cases.get(administration_id))

    def recount(self, *, administration_id: UUID, area_code: str | None = None,
                administered_at: datetime | None = None) -> None:
        """A correction moved an administration: count it where and when it now is, then decide.
        One never counted (or long forgotten) changes nothing."""
        case = self.cases.get(administration_id)
        if case is None:
            return
        if area_code is not None:
            checked_area(area_code, "area_code")
        checked_aware(administered_at, "administered_at")
        moved = Case(administered_at or case.administered_at, administration_id, area_code or case.area_code)
        if moved == case:
            return
        self._raise(AdministrationRecounted(
            force_id=self.force_id, administration_id=administration_id, area_code=moved.area_code,
            administered_at=moved.administered_at, previous_area_code=case.area_code,
            previous_administered_at=case.administered_at))
        self._decide_after(self.cases.get(administration_id))

    def close_due(self, now: datetime) -> None:
        """Close every open alert whose spike, and its grace period, ended by `now` (the job's clock)."""
        checked_aware(now, "now")
        self._close_due(now)

    def subscribe(self, *, force_id: str, subscription_id: UUID, url: str, subscribed_at: datetime) -> None:
        self._own(force_id)
        checked_aware(subscribed_at, "subscribed_at")
        if subscription_id in self.subscriptions:
            return
        if any(s.url == url for s in self.subscriptions.values()):
            raise DomainError("this URL is already subscribed to the force's alerts")
        if len(self.subscriptions) >= MAX_SUBSCRIPTIONS:
            raise DomainError(f"a force has at most {MAX_SUBSCRIPTIONS} webhook subscriptions; revoke one first")
        self._raise(WebhookSubscribed(force_id=force_id, subscription_id=subscription_id, url=url,
                                      subscribed_at=subscribed_at))

    def unsubscribe(self, *, force_id: str, subscription_id: UUID, unsubscribed_at: datetime) -> None:
        if subscription_id not in self.subscriptions or self.force_id != force_id:
            raise NotFound("webhook subscription", subscription_id, force_id)
        self._raise(WebhookUnsubscribed(force_id=force_id, subscription_id=subscription_id,
                                        unsubscribed_at=unsubscribed_at))

    # --- how it decides -------------------------------------------------------------

    def _own(self, force_id: str) -> None:
        if self.force_id is not None and self.force_id != force_id:
            raise DomainError(f"the early warning of force {self.force_id} cannot act for {force_id}")

    def _decide_after(self, case: Case | None) -> None:
        if case is None:  # older than anything still remembered: it can raise nothing
            return
        self._close_due(self.watermark)
        self._detect(case)
        self._close_due(self.watermark)  # a spike found late may be over already

    def _cases_in(self, areas: frozenset[str]) -> list[Case]:
        return [c for c in self.cases.values() if c.area_code in areas]

    def _spike_of(self, alert: OpenAlert) -> Spike | None:
        """The spike an open alert is about now (more administrations may have joined it)."""
        watch = alert.watch
        for spike in find_spikes(self._cases_in(watch.areas), watch.threshold, watch.window):
            if spike.started_at <= alert.started_at < spike.ended_at:
                return spike
        return None  # corrections took administrations out of it: it is over

    def _already_alerted(self, area_code: str, spike: Spike) -> bool:
        for alert in self.open.values():
            if alert.watch.area_code == area_code:
                current = self._spike_of(alert)
                end = current.ended_at if current else alert.started_at
                start = min(alert.started_at, current.started_at) if current else alert.started_at
                if spike.overlaps(start, end) or spike.started_at <= alert.started_at < spike.ended_at:
                    return True
        return any(spike.overlaps(start, end) for start, end in self.closed.get(area_code, ()))

    def _detect(self, case: Case) -> None:
        if self.policy is None:
            return
        for watch in self.policy.watchers(case.area_code):
            for spike in find_spikes(self._cases_in(watch.areas), watch.threshold, watch.window):
                if not spike.counts(case) or self._already_alerted(watch.area_code, spike):
                    continue
                ordinal = self.alerts_raised.get(watch.area_code, 0) + 1
                self._raise(OverdoseSpikeDetected(
                    force_id=self.force_id, alert_id=alert_id_for(self.force_id, watch.area_code, ordinal),
                    area_code=watch.area_code, neighbouring_area_codes=watch.neighbours, threshold=watch.threshold,
                    window_hours=self.policy.window_hours, grace_minutes=self.policy.grace_minutes,
                    window_start=spike.window_start, window_end=spike.started_at, cases=_records(spike.trigger)))

    def _close_due(self, now: datetime | None) -> None:
        if now is None:
            return
        for alert in sorted(self.open.values(), key=lambda a: (a.started_at, str(a.alert_id))):
            spike = self._spike_of(alert)
            if spike is None:
                started = ended = alert.started_at
                cases = [c for c in self._cases_in(alert.watch.areas)
                         if started - alert.watch.window < c.administered_at <= started]
                peak = len(cases)
            else:
                started, ended, cases, peak = spike.started_at, spike.ended_at, spike.cases, spike.peak
            if ended + alert.watch.grace <= now:
                self._raise(OverdoseSpikeSubsided(
                    force_id=self.force_id, alert_id=alert.alert_id, area_code=alert.watch.area_code,
                    started_at=started, subsided_at=ended, cases=_records(sorted(cases)), peak_administrations=peak))

    # --- state ----------------------------------------------------------------------

    def apply(self, event: DomainEvent) -> None:
        self.force_id = event.force_id
        match event:
            case SpikeThresholdsSet():
                self.policy = event.policy()
            case AdministrationCounted():
                self.counted.add(event.administration_id)
                self.cases[event.administration_id] = Case(event.administered_at, event.administration_id,
                                                           event.area_code)
                self._advance(event.administered_at)
            case AdministrationRecounted():
                self.cases[event.administration_id] = Case(event.administered_at, event.administration_id,
                                                           event.area_code)
                self._advance(event.administered_at)
            case OverdoseSpikeDetected():
                self.open[event.alert_id] = OpenAlert(event.alert_id, event.watch(), event.window_end)
                self.alerts_raised[event.area_code] = self.alerts_raised.get(event.area_code, 0) + 1
            case OverdoseSpikeSubsided():
                self.open.pop(event.alert_id, None)
                self.closed.setdefault(event.area_code, []).append((event.started_at, event.subsided_at))
                self._forget()
            case WebhookSubscribed():
                self.subscriptions[event.subscription_id] = Subscription(event.subscription_id, event.url,
                                                                         event.subscribed_at)
            case WebhookUnsubscribed():
                self.subscriptions.pop(event.subscription_id, None)

    def _advance(self, occurred_at: datetime) -> None:
        if self.watermark is None or occurred_at > self.watermark:
            self.watermark = occurred_at
            self._forget()

    def _forget(self) -> None:
        """Forget what can no longer take part in any decision (bounds the state, deterministically)."""
        if self.watermark is None:
            return
        watches = [a.watch for a in self.open.values()]
        longest = max([w.window for w in watches] + [self.policy.window if self.policy else timedelta(hours=24)])
        grace = max([w.grace for w in watches] + [self.policy.grace if self.policy else timedelta(0)])
        horizon = self.watermark - 2 * longest - grace
        for alert in self.open.values():
            horizon = min(horizon, alert.started_at - alert.watch.window - alert.watch.window)
        self.cases = {k: c for k, c in self.cases.items() if c.administered_at > horizon}
        for area, spans in list(self.closed.items()):
            kept = [(s, e) for s, e in spans if e > horizon]
            if kept:
                self.closed[area] = kept
            else:
                del self.closed[area]
