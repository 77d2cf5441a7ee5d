"""Vocabularies, the one "life saved" rule and what incidents knows of officers and kits.

Enum values are the lower-case suffixes of the contract's enum values (e.g.
Outcome.ALIVE_AT_HANDOVER <-> INCIDENT_OUTCOME_ALIVE_AT_HANDOVER), so translation at the
edge is mechanical.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass
from datetime import date
from uuid import UUID

from naloxone_kernel.domain import InvalidValue, checked_aware, uk_day
from naloxone_kernel.personal_data import AgeBand, Sex, ShredReason  # noqa: F401 (the platform's words for a person)

#: The kernel's shape checks, under the names this domain uses.
checked_instant, day_in_uk = checked_aware, uk_day


class Administrator(enum.StrEnum):
    OFFICER = "officer"
    CUSTODY_STAFF = "custody_staff"
    PARTNER_WORKER = "partner_worker"
    MEMBER_OF_PUBLIC = "member_of_public"
    OTHER = "other"


class Route(enum.StrEnum):
    """How naloxone was given (the contract's AdministrationRoute)."""

    INTRANASAL = "intranasal"
    INTRAMUSCULAR = "intramuscular"


class Substance(enum.StrEnum):
    UNKNOWN = "unknown"
    HEROIN = "heroin"
    METHADONE = "methadone"
    PRESCRIPTION_OPIOID = "prescription_opioid"
    SYNTHETIC_OPIOID = "synthetic_opioid"
    POLYSUBSTANCE = "polysubstance"
    NON_OPIOID = "non_opioid"


class Outcome(enum.StrEnum):
    ALIVE_AT_HANDOVER = "alive_at_handover"
    ALIVE_REFUSED_HOSPITAL = "alive_refused_hospital"
    DIED = "died"
    UNKNOWN = "unknown"


class OutcomeSource(enum.StrEnum):
    AT_SCENE = "at_scene"
    AMBULANCE_SERVICE = "ambulance_service"
    HOSPITAL = "hospital"
    CORONER = "coroner"
    FOLLOW_UP = "follow_up"
    CORRECTION = "correction"


class KitSource(enum.StrEnum):
    FORCE_KIT = "force_kit"
    TAKE_HOME_KIT = "take_home_kit"
    OTHER_KIT = "other_kit"
    UNKNOWN = "unknown"


class CorrectionReason(enum.StrEnum):
    DATA_ENTRY_ERROR = "data_entry_error"
    LATER_INFORMATION = "later_information"
    SUBJECT_IDENTIFIED = "subject_identified"
    OTHER = "other"


class Flag(enum.StrEnum):
    """Governance follow-up: recorded on the administration, never a reason to refuse it."""

    OFFICER_NOT_ENROLLED = "officer_not_enrolled"
    TRAINING_LAPSED = "training_lapsed"
    OFFICER_WITHDRAWN = "officer_withdrawn"
    KIT_UNKNOWN = "kit_unknown"
    KIT_NOT_HELD_BY_OFFICER = "kit_not_held_by_officer"
    KIT_EXPIRED = "kit_expired"
    KIT_RECALLED = "kit_recalled"
    KIT_NOT_IN_SERVICE = "kit_not_in_service"
    TIMES_INCONSISTENT = "times_inconsistent"


#: The outcomes that make an administration a life saved.
ALIVE = frozenset({Outcome.ALIVE_AT_HANDOVER, Outcome.ALIVE_REFUSED_HOSPITAL})

LIFE_SAVED_RULE = ("A life saved is an administration of naloxone (at least one dose) after which the person "
                   "was alive at handover, or alive and refused hospital, by the latest outcome recorded.")


def life_saved(doses: int, outcome: Outcome | None) -> bool:
    """The one rule (LIFE_SAVED_RULE): never typed in, derived here and only here."""
    return doses > 0 and outcome in ALIVE


MAX_DOSES = 20
_AREA = re.compile(r"^[A-Z0-9][A-Z0-9 ]{0,11}$")


def checked_area(value: str) -> str:
    """A coarse area: a postcode district (e.g. "B1", "LE11") or an LSOA/MSOA code (e.g. "E01033620")."""
    if not isinstance(value, str) or not _AREA.fullmatch(value):
        raise InvalidValue("area_code is a postcode district or LSOA code: 1-12 upper-case letters, digits, "
                           "spaces (never a full postcode or an address)", field="area_code")
    if re.fullmatch(r"[A-Z]{1,2}[0-9][A-Z0-9]? ?[0-9][A-Z]{2}", value):
        raise InvalidValue("area_code must be coarse: a postcode district, not a full postcode", field="area_code")
    return value


@dataclass(frozen=True)
class OfficerStanding:
    """What incidents knows of an officer named by staff number, from training's public events."""

    staff_number: str
    officer_id: UUID | None = None  # None: no such officer enrolled in the force, as far as incidents knows
    certified: tuple[tuple[date, date], ...] = ()  # (completed_on, valid_until) of each training
    withdrawn_on: date | None = None

    def flags(self, on: date) -> set[Flag]:
        if self.officer_id is None:
            return {Flag.OFFICER_NOT_ENROLLED}
        out = set()
        if not any(start <= on <= until for start, until in self.certified):
            out.add(Flag.TRAINING_LAPSED)
        if self.withdrawn_on is not None and self.withdrawn_on <= on:
            out.add(Flag.OFFICER_WITHDRAWN)
        return out


@dataclass(frozen=True)
class KitStanding:
    """What incidents knows of a force kit, from inventory's public events."""

    kit_id: UUID
    force_id: str | None = None  # None: never seen
    status: str | None = None  # in_stock / issued / used / lost / destroyed / supplied
    holder_officer_id: UUID | None = None
    expires_on: date | None = None
    recalled: bool = False

    def flags(self, *, force_id: str, on: date, officer_id: UUID | None, by_officer: bool) -> set[Flag]:
        if self.force_id != force_id:
            return {Flag.KIT_UNKNOWN}
        out = set()
        if self.status not in ("in_stock", "issued"):
            out.add(Flag.KIT_NOT_IN_SERVICE)
        if by_officer and (self.status != "issued" or officer_id is None or self.holder_officer_id != officer_id):
            out.add(Flag.KIT_NOT_HELD_BY_OFFICER)
        if self.expires_on is not None and self.expires_on < on:
            out.add(Flag.KIT_EXPIRED)
        if self.recalled:
            out.add(Flag.KIT_RECALLED)
        return out
