"""Value objects and vocabularies of the inventory domain.

Enum values are the lower-case suffixes of the protobuf contract's enum values (e.g.
LocationType.CUSTODY_SUITE <-> STORE_TYPE_CUSTODY_SUITE), so translation at the edge
is mechanical. Shape checks live here so every aggregate validates input the same way.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from uuid import UUID
from zoneinfo import ZoneInfo

from .errors import InvalidValue

UK = ZoneInfo("Europe/London")


class ContractProduct(enum.StrEnum):
    """The product as the public contract names it (NaloxoneProduct); OTHER for unlisted products."""

    NASAL_SPRAY_1_8MG = "nasal_spray_1_8mg"
    INJECTION_2MG = "injection_2mg"
    OTHER = "other"


class LocationType(enum.StrEnum):
    """Kinds of place that hold stock (the contract's StoreType)."""

    POLICE_STATION = "police_station"
    CUSTODY_SUITE = "custody_suite"
    PARTNER_HUB = "partner_hub"
    VEHICLE = "vehicle"
    OTHER = "other"


class KitStatus(enum.StrEnum):
    """Where a kit is. IN_STOCK and ISSUED are live; the rest are terminal."""

    IN_STOCK = "in_stock"
    ISSUED = "issued"
    USED = "used"
    LOST = "lost"
    DESTROYED = "destroyed"
    SUPPLIED = "supplied"  # handed out as a take-home kit: it left the force

    @property
    def live(self) -> bool:
        return self in (KitStatus.IN_STOCK, KitStatus.ISSUED)


class KitReturnReason(enum.StrEnum):
    OFFICER_WITHDRAWN = "officer_withdrawn"
    NEAR_EXPIRY = "near_expiry"
    DAMAGED = "damaged"
    RECALLED = "recalled"
    OPENED_UNUSED = "opened_unused"
    OTHER = "other"


#: Returns that can never go back into stock for reissue.
NEVER_REISSUABLE = frozenset({KitReturnReason.DAMAGED, KitReturnReason.OPENED_UNUSED})


class WriteOffReason(enum.StrEnum):
    """Why a kit left service unused; LOST leaves it lost, every other reason destroyed."""

    LOST = "lost"
    DAMAGED = "damaged"
    OVER_TEMPERATURE = "over_temperature"
    EXPIRED = "expired"
    RECALLED = "recalled"
    OTHER = "other"


class SupplySetting(enum.StrEnum):
    CUSTODY_RELEASE = "custody_release"
    STREET = "street"
    PARTNER_SERVICE = "partner_service"
    PRISON_RELEASE = "prison_release"
    OTHER = "other"


class SupplyRecipient(enum.StrEnum):
    PERSON_AT_RISK = "person_at_risk"
    FAMILY_OR_FRIEND = "family_or_friend"
    SERVICE_WORKER = "service_worker"
    OTHER = "other"


class RepeatSupplyReason(enum.StrEnum):
    """Why a person was supplied again, as Scotland's National Naloxone Programme counts it."""

    PREVIOUS_KIT_USED = "previous_kit_used"
    LOST = "lost"
    EXPIRED = "expired"
    CONFISCATED = "confiscated"
    OTHER = "other"


_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:/-]{0,63}$")
_PRODUCT_CODE = re.compile(r"^[a-z0-9]+(?:[-.][a-z0-9]+)*$")
_PSEUDONYM = re.compile(r"^[A-Za-z0-9_-]{16,128}$")


def checked_code(value: str, what: str) -> str:
    """A short identifier code (lot number, store code, recall reference, area code): never prose."""
    if not isinstance(value, str) or not _CODE.fullmatch(value):
        raise InvalidValue(f"{what} must be a code of 1-64 letters, digits and _.:/- (got {value!r})", field=what)
    return value


def checked_pseudonym(value: str) -> str:
    """A subject pseudonym made by the caller (keyed HMAC): opaque, 16-128 of [A-Za-z0-9_-]."""
    if not isinstance(value, str) or not _PSEUDONYM.fullmatch(value):
        raise InvalidValue("subject_pseudonym must be 16-128 characters of A-Z, a-z, 0-9, _ and - "
                           "(a keyed pseudonym, never a name or the force's own identifier)",
                           field="subject_pseudonym")
    return value


def checked_aware(value: datetime, what: str) -> datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise InvalidValue(f"{what} must carry a time zone", field=what)
    return value


def uk_day(value: datetime) -> date:
    """The calendar day in the UK of an instant (what "in date" is judged against)."""
    return value.astimezone(UK).date()


@dataclass(frozen=True)
class Product:
    """A naloxone product from the reference data: adding one is data, not code."""

    code: str
    name: str
    form: str
    route: str
    doses_per_kit: int
    contract_product: ContractProduct

    def __post_init__(self) -> None:
        if not _PRODUCT_CODE.fullmatch(self.code):
            raise InvalidValue(f"product code must be lower-case letters, digits, '-' and '.' (got {self.code!r})",
                               field="code")
        if not 1 <= self.doses_per_kit <= 20:
            raise InvalidValue(f"product {self.code}: doses_per_kit must be 1-20 (got {self.doses_per_kit})",
                               field="doses_per_kit")


@dataclass(frozen=True)
class Location:
    """A place that holds stock: a force-defined code of a police building, partner hub or vehicle."""

    location_id: str
    location_type: LocationType

    def __post_init__(self) -> None:
        checked_code(self.location_id, "location_id")
        object.__setattr__(self, "location_type", LocationType(self.location_type))

    def __str__(self) -> str:
        return f"{self.location_type.value.replace('_', ' ')} {self.location_id}"


@dataclass(frozen=True)
class OfficerStanding:
    """What inventory knows of an officer, from its own read model of training's events.

    Inventory never asks training: the issue decision is made on this value, so a kit
    goes only to an officer inventory has seen enrolled, not withdrawn, and certified
    on the day of issue.
    """

    officer_id: UUID
    known: bool
    withdrawn: bool = False
    valid_until: date | None = None
    certification: str = "untrained"  # untrained / certified / expired, as training reports it
    force_id: str | None = None

    @classmethod
    def unknown(cls, officer_id: UUID) -> OfficerStanding:
        return cls(officer_id=officer_id, known=False)

    def refusal(self, *, on: date, force_id: str) -> str | None:
        """Why a kit may not be issued to this officer on that day, or None if it may."""
        who = f"officer {self.officer_id}"
        if not self.known:
            return f"{who} is not known to inventory (not enrolled in the naloxone scheme)"
        if self.force_id is not None and self.force_id != force_id:
            return f"{who} belongs to force {self.force_id}, not {force_id}"
        if self.withdrawn:
            return f"{who} was withdrawn from the naloxone scheme"
        if self.valid_until is None:
            return f"{who} has no naloxone certification"
        if self.valid_until < on:
            expired_on = self.valid_until + timedelta(days=1)
            return (f"{who}'s certification expired on {expired_on.isoformat()} "
                    f"(valid until {self.valid_until.isoformat()})")
        return None
