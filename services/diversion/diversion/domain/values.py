"""Diversion's vocabularies and shape checks (pure).

Enum values are the lower-case suffixes of the contract's enum values (e.g.
Scheme.DEFERRED_PROSECUTION <-> REFERRAL_SCHEME_DEFERRED_PROSECUTION), so translation at
the edge is mechanical.
"""

from __future__ import annotations

import enum
import re
from datetime import date, datetime

from naloxone_kernel.auth import SLUG_PATTERN
from naloxone_kernel.domain import InvalidValue, checked_aware, uk_day
from naloxone_kernel.personal_data import PSEUDONYM_PATTERN, ShredReason  # noqa: F401 (the kernel's words)

#: The kernel's shape checks, under the names this domain uses.
checked_instant, day_in_uk = checked_aware, uk_day

_PSEUDONYM = re.compile(PSEUDONYM_PATTERN)
_SCHEME_CODE = re.compile(r"^[A-Z0-9][A-Z0-9_-]{0,31}$")
#: A postcode district (B1, CA10) or an ONS area code (E01009356): coarse, never a full postcode.
AREA_PATTERN = r"^([A-Z]{1,2}[0-9][A-Z0-9]?|[EWSN][0-9]{8})$"
_AREA = re.compile(AREA_PATTERN)


class Source(enum.StrEnum):
    """Where the contact that led to the referral happened (the contract's ReferralSource)."""

    CUSTODY = "custody"  # custody arrest referral
    STREET = "street"  # a street encounter: stop and search, possession found
    POST_OVERDOSE = "post_overdose"  # on the street after an administration of naloxone
    NEIGHBOURHOOD_POLICING = "neighbourhood_policing"
    TAKE_HOME_SUPPLY = "take_home_supply"
    OTHER = "other"


class Scheme(enum.StrEnum):
    """The kind of scheme referred to (the contract's ReferralScheme)."""

    ARREST_REFERRAL = "arrest_referral"
    DEFERRED_PROSECUTION = "deferred_prosecution"  # Checkpoint-style
    DIVERSION = "diversion"  # any other out-of-court disposal with an intervention
    DRUG_EDUCATION = "drug_education"
    TREATMENT = "treatment"
    HARM_REDUCTION = "harm_reduction"
    OTHER = "other"


class Consent(enum.StrEnum):
    GIVEN = "given"
    #: Not yet asked (an offer the platform opened after an overdose); given on acceptance.
    PENDING = "pending"


class Status(enum.StrEnum):
    OFFERED = "offered"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    ENGAGED = "engaged"
    CLOSED = "closed"


class DeclineReason(enum.StrEnum):
    PERSON_DECLINED = "person_declined"
    NOT_ELIGIBLE = "not_eligible"
    NO_CONTACT = "no_contact"
    NO_CAPACITY = "no_capacity"
    OTHER = "other"


class Intervention(enum.StrEnum):
    STRUCTURED_TREATMENT = "structured_treatment"
    HARM_REDUCTION = "harm_reduction"
    EDUCATION = "education"
    RECOVERY_SUPPORT = "recovery_support"
    OTHER = "other"


class Closure(enum.StrEnum):
    """How a referral ended (the contract's ReferralClosure)."""

    COMPLETED = "completed"
    DISENGAGED = "disengaged"
    TRANSFERRED = "transferred"
    DIED = "died"
    OTHER = "other"


#: The scheme an offer opened by the platform is for, by what opened it: after an overdose
#: or a take-home supply the person is offered treatment (the force's contracted treatment
#: partner decides the intervention).
OFFER_SCHEME = {Source.POST_OVERDOSE: Scheme.TREATMENT, Source.TAKE_HOME_SUPPLY: Scheme.TREATMENT}


def checked_org(value: str, what: str = "partner_org") -> str:
    """A partner organisation's id: a slug such as `cranstoun` or `change-grow-live`."""
    if not isinstance(value, str) or not SLUG_PATTERN.fullmatch(value):
        raise InvalidValue(f"{what} must be an organisation id: lower-case letters, digits and - "
                           "(e.g. cranstoun, turning-point)", field=what)
    return value


def checked_pseudonym(value: str) -> str:
    if not isinstance(value, str) or not _PSEUDONYM.fullmatch(value):
        raise InvalidValue("subject_pseudonym must be 16-128 characters of A-Z, a-z, 0-9, _ and - "
                           "(a keyed pseudonym, never a name or the force's own identifier)",
                           field="subject_pseudonym")
    return value


def checked_scheme_code(value: str | None) -> str | None:
    if value is not None and not _SCHEME_CODE.fullmatch(value):
        raise InvalidValue("scheme_code must be 1-32 upper-case letters, digits, _ and - (e.g. CHECKPOINT)",
                           field="scheme_code")
    return value


def checked_area(value: str | None) -> str | None:
    if value is not None and not _AREA.fullmatch(value):
        raise InvalidValue("area_code must be a postcode district (e.g. B1) or an ONS area code (e.g. E01009356), "
                           "never a full postcode or an address",
                           field="area_code")
    return value


def checked_day(day: date, *, field: str, not_before: date, after_what: str, today: date) -> date:
    """A dated transition: on or after the one before it, and not in the future."""
    if day < not_before:
        raise InvalidValue(f"{field} {day.isoformat()} is before {after_what} ({not_before.isoformat()})",
                           field=field)
    if day > today:
        raise InvalidValue(f"{field} {day.isoformat()} is in the future (today is {today.isoformat()})", field=field)
    return day


def day_of(instant: datetime) -> date:
    return day_in_uk(checked_instant(instant, "referred_at"))
