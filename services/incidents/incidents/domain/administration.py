"""The Administration aggregate: naloxone given to one person at one incident, and what followed.

A fact from the street is never refused for business reasons: an administration by an
officer whose training lapsed, with a kit not in their name, or with times out of
order is recorded, and flagged for governance. Only malformed values are refused
(InvalidValue, 422). Later outcomes (from the ambulance service, a hospital, the
coroner) and corrections are new events, each with its source or reason; nothing is
ever updated in place. "Life saved" is derived by the one rule in `values.life_saved`
each time the outcome or the doses change.

The domain never sees personal data in the clear: the application seals the person's
details, the exact location and any note with the record's data key before deciding,
and the aggregate keeps only the sealed text.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import datetime, timedelta
from typing import Any, ClassVar
from uuid import UUID

from naloxone_kernel.domain import Aggregate, DomainError, DomainEvent, InvalidValue

from .values import (
    MAX_DOSES,
    Administrator,
    CorrectionReason,
    Flag,
    KitSource,
    KitStanding,
    OfficerStanding,
    Outcome,
    OutcomeSource,
    Route,
    ShredReason,
    Substance,
    checked_area,
    checked_instant,
    day_in_uk,
    life_saved,
)

#: How far in the future a reported time may be (clock skew between a phone and the platform).
CLOCK_SKEW = timedelta(minutes=5)

#: Facts a correction may change. Who gave it, the kit and the incident are not corrected (a
#: wrong one is a different administration); an outcome is corrected by recording an outcome
#: with source `correction`.
CORRECTABLE = (
    "doses", "route", "suspected_substances", "administered_at", "call_at", "arrived_at", "ambulance_arrived_at",
    "response_recorded", "responded_after_dose", "ambulance_called", "ambulance_attended", "area_code",
    "subject_pseudonym", "location_sealed", "subject_details_sealed", "note_sealed",
)

#: Facts every administration has: a correction may change them, never remove them.
REQUIRED = frozenset({"doses", "route", "suspected_substances", "administered_at", "area_code"})


def _substances(value) -> tuple[Substance, ...]:
    return tuple(Substance(v) for v in (value or ()))


def _flags(value) -> tuple[Flag, ...]:
    return tuple(sorted(Flag(v) for v in (value or ())))


@dataclass(frozen=True, kw_only=True)
class NaloxoneAdministered(DomainEvent):
    event_type: ClassVar[str] = "NaloxoneAdministered"
    administration_id: UUID
    incident_id: UUID
    force_id: str
    administered_by: Administrator
    officer_id: UUID | None = None
    staff_number: str | None = None
    given_before_police: bool = False
    given_before_police_by: Administrator | None = None
    kit_source: KitSource = KitSource.UNKNOWN
    kit_id: UUID | None = None
    call_at: datetime | None = None
    arrived_at: datetime | None = None
    administered_at: datetime
    ambulance_arrived_at: datetime | None = None
    doses: int
    route: Route
    suspected_substances: tuple[Substance, ...] = (Substance.UNKNOWN,)
    response_recorded: bool = False
    responded_after_dose: int = 0
    ambulance_called: bool = False
    ambulance_attended: bool = False
    area_code: str
    subject_pseudonym: str | None = None
    location_sealed: str | None = None
    subject_details_sealed: str | None = None
    note_sealed: str | None = None  # kept in the event store only: free text never goes on Kafka
    outcome: Outcome = Outcome.UNKNOWN
    outcome_final: bool = False
    conveyed_to_hospital: bool = False
    life_saved: bool = False
    flags: tuple[Flag, ...] = ()

    def __post_init__(self) -> None:  # JSON gives lists of strings back
        object.__setattr__(self, "suspected_substances", _substances(self.suspected_substances))
        object.__setattr__(self, "flags", _flags(self.flags))


@dataclass(frozen=True, kw_only=True)
class IncidentOutcomeRecorded(DomainEvent):
    event_type: ClassVar[str] = "IncidentOutcomeRecorded"
    administration_id: UUID
    incident_id: UUID
    force_id: str
    outcome: Outcome
    source: OutcomeSource
    final: bool
    known_at: datetime
    conveyed_to_hospital: bool = False
    referral_offered: bool = False
    life_saved: bool = False
    subject_pseudonym: str | None = None
    area_code: str | None = None


@dataclass(frozen=True, kw_only=True)
class AdministrationCorrected(DomainEvent):
    """The fields in `corrected_fields` take the values here (None included); the rest are unchanged."""

    event_type: ClassVar[str] = "AdministrationCorrected"
    administration_id: UUID
    incident_id: UUID
    force_id: str
    reason: CorrectionReason
    corrected_at: datetime
    corrected_fields: tuple[str, ...]
    doses: int | None = None
    route: Route | None = None
    suspected_substances: tuple[Substance, ...] | None = None
    administered_at: datetime | None = None
    call_at: datetime | None = None
    arrived_at: datetime | None = None
    ambulance_arrived_at: datetime | None = None
    response_recorded: bool | None = None
    responded_after_dose: int | None = None
    ambulance_called: bool | None = None
    ambulance_attended: bool | None = None
    area_code: str | None = None
    subject_pseudonym: str | None = None
    location_sealed: str | None = None
    subject_details_sealed: str | None = None
    note_sealed: str | None = None
    life_saved: bool = False
    flags: tuple[Flag, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "corrected_fields", tuple(self.corrected_fields))
        if self.suspected_substances is not None:
            object.__setattr__(self, "suspected_substances", _substances(self.suspected_substances))
        object.__setattr__(self, "flags", _flags(self.flags))


@dataclass(frozen=True, kw_only=True)
class PersonalDataShredded(DomainEvent):
    event_type: ClassVar[str] = "PersonalDataShredded"
    administration_id: UUID
    force_id: str
    reason: ShredReason
    shredded_at: datetime


ADMINISTRATION_EVENTS = (NaloxoneAdministered, IncidentOutcomeRecorded, AdministrationCorrected,
                         PersonalDataShredded)
_RECORDED_FIELDS = {f.name for f in fields(NaloxoneAdministered)}


def times_out_of_order(v: dict[str, Any]) -> bool:
    """Call before arrival and ambulance; police arrival before their first dose unless given before police."""
    pairs = [("call_at", "arrived_at"), ("call_at", "ambulance_arrived_at")]
    if not v["given_before_police"]:
        pairs += [("call_at", "administered_at"), ("arrived_at", "administered_at")]
    return any(v[a] is not None and v[b] is not None and v[a] > v[b] for a, b in pairs)


def check_facts(v: dict[str, Any], now: datetime) -> None:
    """Shape rules every version of an administration must keep (422 naming the field if not)."""
    if not 1 <= v["doses"] <= MAX_DOSES:
        raise InvalidValue(f"doses must be 1-{MAX_DOSES} (an administration gives at least one)", field="doses")
    if v["response_recorded"]:
        if not 0 <= v["responded_after_dose"] <= v["doses"]:
            raise InvalidValue("responded_after_dose must be 0 (no response) up to the doses given",
                               field="responded_after_dose")
    elif v["responded_after_dose"]:
        raise InvalidValue("responded_after_dose needs response_recorded", field="responded_after_dose")
    substances = v["suspected_substances"]
    if not substances or len(set(substances)) != len(substances):
        raise InvalidValue("suspected_substances lists each substance once (unknown if not known)",
                           field="suspected_substances")
    checked_area(v["area_code"])
    for name in ("call_at", "arrived_at", "administered_at", "ambulance_arrived_at"):
        checked_instant(v[name], name)
        if v[name] is not None and v[name] > now + CLOCK_SKEW:
            raise InvalidValue(f"{name} is in the future", field=name)
    if v["ambulance_arrived_at"] is not None and not v["ambulance_called"]:
        raise InvalidValue("ambulance_arrived_at needs ambulance_called", field="ambulance_arrived_at")


class Administration(Aggregate):
    aggregate_type = "Administration"

    def __init__(self, aggregate_id: UUID) -> None:
        super().__init__(aggregate_id)
        self.incident_id: UUID | None = None
        self.values: dict[str, Any] = {}
        self.outcome: Outcome | None = None
        self.outcome_source: OutcomeSource | None = None
        self.outcome_final = False
        self.conveyed_to_hospital = False
        self.referral_offered = False
        self.person_flags: frozenset[Flag] = frozenset()  # officer and kit flags, fixed at recording
        self.flags: tuple[Flag, ...] = ()
        self.life_saved = False
        self.corrections = 0
        self.shredded: ShredReason | None = None

    @property
    def recorded(self) -> bool:
        return self.incident_id is not None

    # --- decisions ----------------------------------------------------------------

    def record(self, *, force_id: str, incident_id: UUID, now: datetime, officer: OfficerStanding | None = None,
               kit: KitStanding | None = None, **facts: Any) -> None:
        """Record the administration with its governance flags; refused only when malformed."""
        if self.recorded:
            raise DomainError(f"administration {self.id} is already recorded")
        unknown = set(facts) - _RECORDED_FIELDS
        if unknown:
            raise TypeError(f"not facts of an administration: {sorted(unknown)}")
        event = NaloxoneAdministered(administration_id=self.id, incident_id=incident_id, force_id=force_id, **facts)
        v = {name: getattr(event, name) for name in _RECORDED_FIELDS}
        check_facts(v, now)
        by_officer = event.administered_by is Administrator.OFFICER
        if by_officer != (event.staff_number is not None):
            raise InvalidValue("staff_number names the officer when, and only when, an officer administered",
                               field="staff_number")
        if (event.kit_source is KitSource.FORCE_KIT) != (event.kit_id is not None):
            raise InvalidValue("kit_id names the force kit when, and only when, kit_source is force_kit",
                               field="kit_id")
        if event.given_before_police != (event.given_before_police_by is not None):
            raise InvalidValue("given_before_police_by says who gave naloxone before police arrived, "
                               "when and only when given_before_police", field="given_before_police_by")
        day = day_in_uk(event.administered_at)
        person_flags = set(officer.flags(day) if by_officer and officer is not None else ())
        if kit is not None:
            officer_id = officer.officer_id if officer is not None else event.officer_id
            person_flags |= kit.flags(force_id=force_id, on=day, officer_id=officer_id, by_officer=by_officer)
        officer_id = officer.officer_id if by_officer and officer is not None else event.officer_id
        self._raise(NaloxoneAdministered(**{
            **{name: getattr(event, name) for name in _RECORDED_FIELDS},
            "officer_id": officer_id,
            "outcome_final": event.outcome_final or event.outcome is Outcome.DIED,
            "life_saved": life_saved(event.doses, event.outcome),
            "flags": self._all_flags(person_flags, v),
        }))

    def record_outcome(self, *, outcome: Outcome, source: OutcomeSource, final: bool, known_at: datetime,
                       conveyed_to_hospital: bool = False, referral_offered: bool = False) -> None:
        """A later outcome: always recorded (a fact), unless it repeats the current one exactly."""
        self._must_exist()
        checked_instant(known_at, "known_at")
        final = final or outcome is Outcome.DIED
        if (outcome, source, final, conveyed_to_hospital, referral_offered) == (
                self.outcome, self.outcome_source, self.outcome_final, self.conveyed_to_hospital,
                self.referral_offered):
            return
        self._raise(IncidentOutcomeRecorded(
            administration_id=self.id, incident_id=self.incident_id, force_id=self.force_id, outcome=outcome,
            source=source, final=final, known_at=known_at, conveyed_to_hospital=conveyed_to_hospital,
            referral_offered=referral_offered, life_saved=life_saved(self.values["doses"], outcome),
            subject_pseudonym=self.values["subject_pseudonym"], area_code=self.values["area_code"]))

    def correct(self, *, reason: CorrectionReason, corrected_at: datetime, now: datetime, **changes: Any) -> None:
        """Correct recorded facts: a new event naming its reason; nothing to change appends nothing."""
        self._must_exist()
        unknown = set(changes) - set(CORRECTABLE)
        if unknown:
            raise InvalidValue(f"these facts cannot be corrected: {sorted(unknown)}", field="body")
        if "suspected_substances" in changes and changes["suspected_substances"] is not None:
            changes["suspected_substances"] = _substances(changes["suspected_substances"])
        changed = {k: v for k, v in changes.items() if self.values.get(k) != v}
        if not changed:
            return
        if self.shredded and any(k.endswith("_sealed") for k in changed):
            raise DomainError(f"the personal data of administration {self.id} was shredded ({self.shredded}); "
                              "it cannot be corrected")
        removed = sorted(k for k in REQUIRED & set(changed) if changed[k] is None)
        if removed:
            raise InvalidValue(f"{', '.join(removed)} cannot be removed, only corrected", field=removed[0])
        after = {**self.values, **changed}
        check_facts(after, now)
        checked_instant(corrected_at, "corrected_at")
        self._raise(AdministrationCorrected(
            administration_id=self.id, incident_id=self.incident_id, force_id=self.force_id, reason=reason,
            corrected_at=corrected_at, corrected_fields=tuple(sorted(changed)), **changed,
            life_saved=life_saved(after["doses"], self.outcome), flags=self._all_flags(self.person_flags, after)))

    def shred(self, *, reason: ShredReason, shredded_at: datetime) -> None:
        """Its data key was destroyed (retention): say so once."""
        self._must_exist()
        if self.shredded is None:
            self._raise(PersonalDataShredded(administration_id=self.id, force_id=self.force_id, reason=reason,
                                             shredded_at=shredded_at))

    # --- state --------------------------------------------------------------------

    @staticmethod
    def _all_flags(person_flags, values: dict[str, Any]) -> tuple[Flag, ...]:
        flags = set(person_flags)
        if times_out_of_order(values):
            flags.add(Flag.TIMES_INCONSISTENT)
        return tuple(sorted(flags))

    def _must_exist(self) -> None:
        if not self.recorded:
            raise DomainError(f"administration {self.id} is not recorded")

    def apply(self, event: DomainEvent) -> None:
        match event:
            case NaloxoneAdministered():
                self.force_id = event.force_id
                self.incident_id = event.incident_id
                self.values = {name: getattr(event, name) for name in _RECORDED_FIELDS}
                self.outcome, self.outcome_source = event.outcome, OutcomeSource.AT_SCENE
                self.outcome_final = event.outcome_final
                self.conveyed_to_hospital = event.conveyed_to_hospital
                self.flags = event.flags
                self.person_flags = frozenset(event.flags) - {Flag.TIMES_INCONSISTENT}
                self.life_saved = event.life_saved
            case IncidentOutcomeRecorded():
                self.outcome, self.outcome_source, self.outcome_final = event.outcome, event.source, event.final
                self.conveyed_to_hospital = event.conveyed_to_hospital
                self.referral_offered = event.referral_offered
                self.life_saved = event.life_saved
            case AdministrationCorrected():
                for name in event.corrected_fields:
                    self.values[name] = getattr(event, name)
                self.flags = event.flags
                self.life_saved = event.life_saved
                self.corrections += 1
            case PersonalDataShredded():
                self.shredded = event.reason

    @property
    def provisional(self) -> bool:
        return not self.outcome_final
