"""From every domain's events to a ledger of contributions to counts (pure: no I/O).

Each thing the views count (an officer, a kit, an administration, a referral, a spike
alert, a force's provision status) is an entity with a small state folded from its
events. An entity contributes to counts: an enrolled, trained, certified officer adds 1
to `officers_enrolled`, `officers_trained` and to `officers_certified` in the bucket of
the day the certification lapses. When an event changes the state, the difference
between the old and the new contributions goes into the ledger on the UK day the event
was recorded. So:

- any figure now is the sum of its ledger rows;
- any figure as it stood at the end of a day is the sum of the rows up to that day
  (a late record or a correction recorded afterwards does not change it);
- a count by month (administrations in March) is a bucket, and a figure relative to a
  day (certifications lapsing within 30 days) is a range of buckets.

Events are applied once (the projector dedupes by event id) and an entity ignores an
event older than its state (aggregate versions), so replaying the topics rebuilds the
same ledger.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import lru_cache
from operator import attrgetter
from typing import Callable, Iterable

from naloxone.alerts.v1 import events_pb2 as alerts_pb
from naloxone.contracts import TOPICS, domain_of
from naloxone.diversion.v1 import events_pb2 as diversion_pb
from naloxone.incidents.v1 import events_pb2 as incidents_pb
from naloxone.inventory.v1 import events_pb2 as inventory_pb
from naloxone.provision.v1 import events_pb2 as provision_pb
from naloxone.training.v1 import events_pb2 as training_pb
from naloxone_kernel.contract_values import from_enum
from naloxone_kernel.domain import UK

#: (force_id, metric, bucket) -> value
Contributions = dict[tuple[str, str], int]
#: (force_id, metric, bucket, recorded UK day) -> delta
LedgerDelta = Counter
Key = tuple[str, str]  # (kind, entity id)


@dataclass(slots=True)
class Entity:
    force_id: str
    version: int
    state: dict
    #: what the state contributes (kind.counts(state)), kept so the next event's difference
    #: does not work it out again; None until first needed (an entity loaded from the table)
    counts: dict | None = None


@lru_cache(maxsize=65536)
def _uk_hour(hour: int) -> date:
    """The UK day of an hour since the epoch (UK offsets change only on the hour)."""
    return datetime.fromtimestamp(hour * 3600, UTC).astimezone(UK).date()


@lru_cache(maxsize=65536)
def _uk_month(hour: int) -> str:
    return _uk_hour(hour).strftime("%Y-%m")


def _month(ts) -> str:
    seconds = ts.seconds
    return _uk_month(seconds // 3600) if seconds or ts.nanos else ""


def _day_text(value) -> str | None:
    """A contract Date as ISO text (None when unset)."""
    return _iso_day(value.year, value.month, value.day) if value.year else None


@lru_cache(maxsize=65536)
def _iso_day(year: int, month: int, day: int) -> str:
    return date(year, month, day).isoformat()


#: enum names by value: every fold asks, and the wrapper's Name() is Python-level
_enum_name = lru_cache(maxsize=1024)(from_enum)


# --- officers (training) ---------------------------------------------------------------

def _officer(state: dict | None, p) -> dict | None:
    if type(p) is training_pb.OfficerEnrolled:
        base = state or {"trained": False, "certified": False, "valid_until": None}
        return {**base, "active": True}
    if state is None:
        return None
    state = dict(state)
    if type(p) is training_pb.TrainingCompleted:
        valid_until = _day_text(p.valid_until)
        state["trained"] = True
        if valid_until and (state["valid_until"] is None or valid_until >= state["valid_until"]):
            state.update(certified=True, valid_until=valid_until)
    elif type(p) is training_pb.CertificationExpired:
        if state["valid_until"] == _day_text(p.valid_until):
            state["certified"] = False
    elif type(p) is training_pb.OfficerWithdrawn:
        state["active"] = False
    else:
        return None
    return state


def _officer_counts(s: dict) -> dict[tuple[str, str], int]:
    if not s["active"]:
        return {}
    out = {("officers_enrolled", ""): 1}
    if s["trained"]:
        out[("officers_trained", "")] = 1
    if s["certified"]:
        out[("officers_certified", s["valid_until"] or "")] = 1
    return out


# --- kits and their holders (inventory) --------------------------------------------------

_GONE = {inventory_pb.KitUsed: "used", inventory_pb.KitSuppliedTakeHome: "supplied"}


def _kit(state: dict | None, p) -> dict | None:
    if type(p) is inventory_pb.KitStocked:
        return {"loc": "stock", "holder": None, "expires_on": _day_text(p.expires_on), "expired": False,
                "recalled": False, "reissuable": True}
    if state is None:
        return None
    state = dict(state)
    if type(p) is inventory_pb.KitTransferred:
        state.update(loc="stock", holder=None)
    elif type(p) is inventory_pb.KitIssued:
        state.update(loc="officer", holder=p.officer_id or None, reissuable=True)
        state["expires_on"] = _day_text(p.expires_on) or state["expires_on"]
    elif type(p) is inventory_pb.KitReturned:
        state.update(loc="stock", holder=None, reissuable=p.reissuable)
    elif type(p) in _GONE:
        state.update(loc=_GONE[type(p)], holder=None)
    elif type(p) is inventory_pb.KitWrittenOff:
        lost = _enum_name(inventory_pb.KitWriteOffReason, "KIT_WRITE_OFF_REASON", p.reason) == "lost"
        state.update(loc="lost" if lost else "destroyed", holder=None)
    elif type(p) is inventory_pb.KitExpired:
        state["expired"] = True
    elif type(p) is inventory_pb.KitRecalled:
        state["recalled"] = True
    else:
        return None
    return state


def _kit_counts(s: dict) -> dict[tuple[str, str], int]:
    held = s["loc"] in ("stock", "officer")
    out = {}
    if held and not (s["expired"] or s["recalled"] or not s["reissuable"]):
        out[("kits_in_stock" if s["loc"] == "stock" else "kits_issued", s["expires_on"] or "")] = 1
    elif held:
        out[("kits_unfit_held", "")] = 1
    else:
        out[(f"kits_{s['loc']}", "")] = 1
    if s["recalled"]:
        out[("kits_recalled", "")] = 1
    return out


def _holder_counts(s: dict) -> dict[tuple[str, str], int]:
    return {("officers_carrying", ""): 1} if s["kits"] > 0 else {}


# --- administrations (incidents) ------------------------------------------------------------

def _outcome(value: int) -> str:
    name = _enum_name(incidents_pb.IncidentOutcome, "INCIDENT_OUTCOME", value)
    return {"survived": "alive_at_handover", None: "not_recorded"}.get(name, name)


def _administration(state: dict | None, p) -> dict | None:
    if type(p) is incidents_pb.NaloxoneAdministered:
        return {"month": _month(p.administered_at), "doses": p.doses, "outcome": _outcome(p.outcome),
                "life_saved": p.life_saved}
    if state is None:
        return None
    state = dict(state)
    if type(p) is incidents_pb.IncidentOutcomeRecorded:
        state.update(outcome=_outcome(p.outcome), life_saved=p.life_saved)
    elif type(p) is incidents_pb.AdministrationCorrected:
        if "doses" in p.corrected_fields:
            state["doses"] = p.doses
        if "administered_at" in p.corrected_fields:
            state["month"] = _month(p.administered_at)
        state["life_saved"] = p.life_saved
    else:
        return None
    return state


def _administration_counts(s: dict) -> dict[tuple[str, str], int]:
    m = s["month"]
    out = {("administrations", m): 1, ("doses", m): s["doses"], (f"outcome_{s['outcome']}", m): 1}
    if s["life_saved"]:
        out[("lives_saved", m)] = 1
    return out


# --- referrals (diversion) ------------------------------------------------------------------

def _referral(state: dict | None, p) -> dict | None:
    if type(p) is diversion_pb.DiversionReferralMade:
        return {"month": _month(p.referred_at), "stage": "waiting", "engaged": False, "completed": False}
    if state is None:
        return None
    state = dict(state)
    if type(p) is diversion_pb.ReferralAccepted:
        state["stage"] = "accepted"
    elif type(p) is diversion_pb.ReferralDeclined:
        state["stage"] = "declined"
    elif type(p) is diversion_pb.TreatmentEngaged:
        state.update(engaged=True, stage="accepted" if state["stage"] == "waiting" else state["stage"])
    elif type(p) is diversion_pb.ReferralClosed:
        closure = _enum_name(diversion_pb.ReferralClosure, "REFERRAL_CLOSURE", p.closure)
        state["completed"] = state["completed"] or closure == "completed"
    else:
        return None
    return state


def _referral_counts(s: dict) -> dict[tuple[str, str], int]:
    m = s["month"]
    out = {("referrals_made", m): 1, (f"referrals_{s['stage']}", m): 1}
    if s["engaged"]:
        out[("referrals_engaged", m)] = 1
    if s["completed"]:
        out[("referrals_completed", m)] = 1
    return out


# --- overdose spike alerts ----------------------------------------------------------------------

def _instant(ts) -> str | None:
    return ts.ToDatetime(tzinfo=UTC).isoformat() if ts.seconds or ts.nanos else None


def _alert(state: dict | None, p) -> dict | None:
    """Spike alerts from the alerts domain (raised and closed), and the incidents domain's
    earlier OverdoseSpikeDetected (raised only)."""
    if type(p) is alerts_pb.OverdoseSpikeDetected:
        return {"open": True, "month": _month(p.window_end), "area_code": p.area_code,
                "neighbouring_area_codes": list(p.neighbouring_area_codes), "window_start": _instant(p.window_start),
                "window_end": _instant(p.window_end), "administrations": p.administrations,
                "threshold": p.threshold, "subsided_at": None}
    if type(p) is incidents_pb.OverdoseSpikeDetected:
        return {"open": True, "month": _month(p.detected_at), "area_code": p.area_code,
                "neighbouring_area_codes": [], "window_start": _instant(p.window_start),
                "window_end": _instant(p.window_end), "administrations": p.administrations,
                "threshold": None, "subsided_at": None}
    if type(p) is alerts_pb.OverdoseSpikeSubsided:
        base = state or {"month": _month(p.started_at), "area_code": p.area_code, "neighbouring_area_codes": [],
                         "window_start": _instant(p.started_at), "window_end": None, "threshold": None}
        return {**base, "open": False, "administrations": p.administrations, "subsided_at": _instant(p.subsided_at)}
    return None


def _alert_counts(s: dict) -> dict[tuple[str, str], int]:
    out = {("spike_alerts", s["month"]): 1}
    if s["open"]:
        out[("spike_alerts_open", "")] = 1
    return out


# --- provision status (this service's own domain) -------------------------------------------------

def _provision(state: dict | None, p) -> dict | None:
    if type(p) is provision_pb.ProvisionStatusSet:
        return {"status": _enum_name(provision_pb.ProvisionStatus, "PROVISION_STATUS", p.status),
                "effective_on": _day_text(p.effective_on)}
    return None


def _provision_counts(s: dict) -> dict[tuple[str, str], int]:
    return {(f"provision_{s['status']}", ""): 1} if s["status"] else {}


# --- take-home supplies: one event each, no state ------------------------------------------------

def supply_counts(p: inventory_pb.TakeHomeKitSupplied) -> dict[tuple[str, str], int]:
    m = _month(p.supplied_at)
    setting = _enum_name(inventory_pb.SupplySetting, "SUPPLY_SETTING", p.setting) or "not_recorded"
    return {("take_home_supplies", m): 1, ("take_home_kits", m): max(p.quantity, 1),
            ("take_home_repeat" if p.repeat_supply else "take_home_first", m): 1,
            (f"take_home_at_{setting}", m): 1}


@dataclass(frozen=True)
class Kind:
    name: str
    entity_id: Callable[[object], str]
    fold: Callable[[dict | None, object], dict | None]
    counts: Callable[[dict], dict[tuple[str, str], int]]


KINDS = {
    "officer": Kind("officer", attrgetter("officer_id"), _officer, _officer_counts),
    "kit": Kind("kit", attrgetter("kit_id"), _kit, _kit_counts),
    "administration": Kind("administration", attrgetter("administration_id"), _administration, _administration_counts),
    "referral": Kind("referral", attrgetter("referral_id"), _referral, _referral_counts),
    "alert": Kind("alert", attrgetter("alert_id"), _alert, _alert_counts),
    "provision": Kind("provision", attrgetter("force_id"), _provision, _provision_counts),
}
_KIT = KINDS["kit"]
HOLDER = Kind("holder", lambda p: "", lambda s, p: None, _holder_counts)

#: Event message class -> the kind of entity it changes.
EVENT_KINDS: dict[type, Kind] = {
    **{cls: KINDS["officer"] for cls in (training_pb.OfficerEnrolled, training_pb.TrainingCompleted,
                                         training_pb.CertificationExpired, training_pb.OfficerWithdrawn)},
    **{cls: KINDS["kit"] for cls in (inventory_pb.KitStocked, inventory_pb.KitTransferred, inventory_pb.KitIssued,
                                     inventory_pb.KitReturned, inventory_pb.KitUsed, inventory_pb.KitExpired,
                                     inventory_pb.KitRecalled, inventory_pb.KitWrittenOff,
                                     inventory_pb.KitSuppliedTakeHome)},
    **{cls: KINDS["administration"] for cls in (incidents_pb.NaloxoneAdministered,
                                                incidents_pb.IncidentOutcomeRecorded,
                                                incidents_pb.AdministrationCorrected)},
    **{cls: KINDS["referral"] for cls in (diversion_pb.DiversionReferralMade, diversion_pb.ReferralAccepted,
                                          diversion_pb.ReferralDeclined, diversion_pb.TreatmentEngaged,
                                          diversion_pb.ReferralClosed)},
    incidents_pb.OverdoseSpikeDetected: KINDS["alert"],
    alerts_pb.OverdoseSpikeDetected: KINDS["alert"],
    alerts_pb.OverdoseSpikeSubsided: KINDS["alert"],
    provision_pb.ProvisionStatusSet: KINDS["provision"],
}


def independent_topic_groups(topics: Iterable[str]) -> list[list[str]]:
    """The topics in groups that no entity spans: every event of one kind of entity comes from
    one group (a holder changes only with its kits), and every count comes from one kind, so
    each group can be replayed on its own and its rows written beside the other groups'."""
    topics = list(topics)
    group_of = {t: t for t in topics}

    def root(topic: str) -> str:
        while group_of[topic] != topic:
            topic = group_of[topic]
        return topic

    by_kind: dict[str, set[str]] = {}
    for cls, kind in EVENT_KINDS.items():
        by_kind.setdefault(kind.name, set()).add(TOPICS[domain_of(cls.DESCRIPTOR.full_name)])
    for kind_topics in by_kind.values():
        present = sorted(t for t in kind_topics if t in group_of)
        for other in present[1:]:
            group_of[root(other)] = root(present[0])
    groups: dict[str, list[str]] = {}
    for topic in topics:
        groups.setdefault(root(topic), []).append(topic)
    return list(groups.values())


def entity_key(payload) -> Key | None:
    kind = EVENT_KINDS.get(type(payload))
    return (kind.name, kind.entity_id(payload)) if kind else None


def holders_named(payloads: Iterable) -> set[Key]:
    """Holder entities a batch may touch that its kit states do not name (new holders)."""
    return {("holder", p.officer_id) for p in payloads if type(p) is inventory_pb.KitIssued and p.officer_id}


def _diff(into: dict, old: dict, new: dict) -> None:
    """Add new - old into one (force, day)'s deltas (keys (metric, bucket))."""
    get = into.get
    for key, value in new.items():
        delta = value - old.get(key, 0)
        if delta:
            into[key] = get(key, 0) + delta
    for key, value in old.items():
        if key not in new and value:
            into[key] = get(key, 0) - value


def fold(entities: dict[Key, Entity], events: Iterable[tuple[object, object]]) -> tuple[Counter, set[Key]]:
    """Apply (envelope, payload) pairs to the loaded entities in place.

    Returns the ledger deltas and the keys of the entities changed. `entities` must hold
    every entity the events name and every holder named by a kit's old or new state
    (missing ones are created).
    """
    # deltas by (force, day) first: a rebuild folds every event, and building the four-part
    # key for each count was a fifth of the fold
    by_force_day: dict[tuple[str, date], dict] = {}
    touched: set[Key] = set()
    kind_of = EVENT_KINDS.get
    hour = day = None
    for env, p in events:
        # the UK day changes only on the hour, and consecutive events are mostly recorded in the same
        # hour: the day is worked out again only when the hour changes (5% of a replay's fold)
        recorded_hour = env.recorded_at.seconds // 3600
        if recorded_hour != hour:
            hour, day = recorded_hour, _uk_hour(recorded_hour)
        kind = kind_of(type(p))
        if kind is None:
            if type(p) is inventory_pb.TakeHomeKitSupplied:
                _diff(_deltas(by_force_day, p.force_id, day), {}, supply_counts(p))
            continue
        key = (kind.name, kind.entity_id(p))
        entity = entities.get(key)
        if entity is not None and entity.version >= env.aggregate_version:
            continue  # already applied, or older than what the entity holds
        new_state = kind.fold(entity.state if entity else None, p)
        if new_state is None:
            continue
        if entity is None:
            force_id = p.force_id or env.force_id
            old_counts = {}
        else:
            force_id = entity.force_id
            old_counts = entity.counts if entity.counts is not None else kind.counts(entity.state)
        new_counts = kind.counts(new_state)
        _diff(_deltas(by_force_day, force_id, day), old_counts, new_counts)
        if kind is _KIT:
            before = entity.state["holder"] if entity else None
            after = new_state["holder"]
            if before != after:
                for officer_id, step in ((before, -1), (after, 1)):
                    if officer_id:
                        _move_holder(entities, by_force_day, touched, force_id, officer_id, step, day)
        if entity is None:
            entities[key] = Entity(force_id, env.aggregate_version, new_state, new_counts)
        else:
            entity.version, entity.state, entity.counts = env.aggregate_version, new_state, new_counts
        touched.add(key)
    ledger: Counter = Counter()
    for (force_id, day), deltas in by_force_day.items():
        for (metric, bucket), delta in deltas.items():
            ledger[(force_id, metric, bucket, day)] = delta
    return ledger, touched


def _deltas(by_force_day: dict, force_id: str, day: date) -> dict:
    deltas = by_force_day.get((force_id, day))
    if deltas is None:
        deltas = by_force_day[(force_id, day)] = {}
    return deltas


def _move_holder(entities, by_force_day, touched, force_id: str, officer_id: str, step: int, day: date) -> None:
    key = ("holder", officer_id)
    holder = entities.get(key) or Entity(force_id, 0, {"kits": 0})
    new_state = {"kits": max(0, holder.state["kits"] + step)}
    _diff(_deltas(by_force_day, holder.force_id, day), _holder_counts(holder.state), _holder_counts(new_state))
    entities[key] = Entity(holder.force_id, 0, new_state)
    touched.add(key)
