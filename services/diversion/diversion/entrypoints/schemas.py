"""Diversion request bodies: strict, bounded, unknown fields refused.

The force's own identifier for the person, how to contact them and the note are secrets
here (pydantic SecretStr): never echoed in an error, a repr or a log line.
"""

from __future__ import annotations

from uuid import UUID

from pydantic import AwareDatetime, Field, SecretStr, field_validator, model_validator
from pydantic_core import PydanticCustomError

from naloxone_kernel.auth import SLUG_PATTERN
from naloxone_kernel.personal_data import PSEUDONYM_PATTERN, LocalIdentifier
from naloxone_kernel.schemas import PlausibleDate, Strict

from ..domain import Closure, DeclineReason, Intervention, Scheme, Source
from ..domain.values import AREA_PATTERN

ORG = SLUG_PATTERN.pattern
SCHEME_CODE = r"^[A-Z0-9][A-Z0-9_-]{0,31}$"
MAX_CONTACT, MAX_NOTE = 200, 500


class ReferralSubjectBody(Strict):
    """The person: the force's own identifier (pseudonymised at once, never stored) or a pseudonym
    the force already holds (e.g. from an administration)."""

    local_identifier: LocalIdentifier | None = Field(default=None, description="custody record number or local "
                                                                               "person id; never a name")
    pseudonym: str | None = Field(default=None, pattern=PSEUDONYM_PATTERN)

    @model_validator(mode="after")
    def _one_of_them(self) -> "ReferralSubjectBody":
        if (self.local_identifier is None) == (self.pseudonym is None):
            raise PydanticCustomError("subject", "give the person's local_identifier or their pseudonym (one)")
        return self


class ReferralBody(Strict):
    subject: ReferralSubjectBody
    source: Source = Field(description="custody (arrest referral), street, post_overdose (after an "
                                       "administration), neighbourhood_policing, take_home_supply, other")
    scheme: Scheme
    consent: bool = Field(description="the person consents to the referral and to their details going to the "
                                      "partner organisation; a referral is made only with consent")
    partner_org: str | None = Field(default=None, pattern=ORG, description="the partner expected; the referral "
                                    "goes to the one the force contracts for the scheme on the day")
    referred_at: AwareDatetime | None = Field(default=None, description="when the referral was made (default now)")
    area_code: str | None = Field(default=None, pattern=AREA_PATTERN, description="postcode district (e.g. B1) or ONS "
                                                                       "area code; never a full postcode")
    incident_id: UUID | None = None
    referring_officer_id: UUID | None = None
    contact: SecretStr | None = Field(default=None, max_length=MAX_CONTACT,
                                      description="how the partner can reach the person; sealed, never published")
    note: SecretStr | None = Field(default=None, max_length=MAX_NOTE, description="sealed; never published")

    @field_validator("consent")
    @classmethod
    def _with_consent(cls, value: bool) -> bool:
        if not value:
            raise PydanticCustomError("consent", "a referral is made only with the person's consent (consent: true)")
        return value


class AcceptanceBody(Strict):
    accepted_on: PlausibleDate
    consent: bool | None = Field(default=None, description="the person's consent, recorded now: needed to accept an "
                                                          "offer the platform opened after an overdose")


class DeclineBody(Strict):
    declined_on: PlausibleDate
    reason: DeclineReason


class EngagementBody(Strict):
    engaged_on: PlausibleDate = Field(description="the first appointment or session attended")
    intervention: Intervention


class ClosureBody(Strict):
    closed_on: PlausibleDate
    closure: Closure


class ContractBody(Strict):
    partner_org: str = Field(pattern=ORG, description="e.g. cranstoun, turning-point, change-grow-live")
    starts_on: PlausibleDate
    scheme_code: str | None = Field(default=None, pattern=SCHEME_CODE, description="the force's code for the "
                                                                                    "scheme, e.g. CHECKPOINT")


class ContractEndingBody(Strict):
    ends_on: PlausibleDate
