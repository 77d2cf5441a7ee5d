"""Inventory request bodies: strict, bounded, unknown fields refused, codes never prose.

A take-home supply's person is given either as the force's own identifier for them
(`subject.local_identifier`, made the platform pseudonym at the edge and never stored) or
as a platform pseudonym made earlier (`subject_pseudonym`). The local identifier and the
note are secrets in these models (pydantic SecretStr): never echoed in an error, a repr
or a log line.
"""

from __future__ import annotations

from datetime import datetime
from operator import attrgetter
from uuid import UUID

from pydantic import AwareDatetime, Field, SecretStr, field_validator, model_validator
from pydantic_core import PydanticCustomError

from naloxone_kernel.personal_data import PSEUDONYM_PATTERN, SubjectBody
from naloxone_kernel.schemas import PlausibleDate, Strict, listed_once

from ..domain import (
    KitReturnReason,
    LocationType,
    RepeatSupplyReason,
    SupplyRecipient,
    SupplySetting,
    WriteOffReason,
)

CODE = r"^[A-Za-z0-9][A-Za-z0-9_.:/-]{0,63}$"
PRODUCT = r"^[a-z0-9]+(?:[-.][a-z0-9]+)*$"
MAX_NOTE = 500


class LocationBody(Strict):
    location_id: str = Field(pattern=CODE, description="force code of the station, custody suite, hub or vehicle")
    location_type: LocationType


class ReceiveBatchBody(Strict):
    product_code: str = Field(pattern=PRODUCT, max_length=64, description="from the product reference data")
    manufacturer_lot: str = Field(pattern=CODE)
    quantity: int = Field(ge=1, le=1000)
    expires_on: PlausibleDate
    received_on: PlausibleDate
    location: LocationBody
    supplier: str | None = Field(default=None, pattern=CODE)


class IssueBody(Strict):
    officer_id: UUID
    issued_on: PlausibleDate


class KitIssueBody(IssueBody):
    kit_id: UUID


class BulkIssueBody(Strict):
    issues: list[KitIssueBody] = Field(min_length=1, max_length=500)

    @field_validator("issues")
    @classmethod
    def _one_entry_per_kit(cls, value: list[KitIssueBody]) -> list[KitIssueBody]:
        return listed_once(value, attrgetter("kit_id"), "unique_kits", "kit")


class ReturnBody(Strict):
    location: LocationBody
    returned_on: PlausibleDate
    reason: KitReturnReason
    reissuable: bool


class TransferBody(Strict):
    to: LocationBody
    transferred_on: PlausibleDate


class LossBody(Strict):
    reason: WriteOffReason = Field(default=WriteOffReason.LOST,
                                   description="lost, or why it was destroyed (damaged, over_temperature, ...)")
    written_off_on: PlausibleDate


class UseBody(Strict):
    officer_id: UUID = Field(description="who used it")
    incident_id: UUID
    used_at: AwareDatetime
    doses_used: int = Field(ge=0, le=20)


class RecallBody(Strict):
    batch_id: UUID
    recall_reference: str = Field(pattern=CODE, description="e.g. the regulator's drug alert number")
    recalled_on: PlausibleDate


class TakeHomeSupplyBody(Strict):
    setting: SupplySetting
    recipient: SupplyRecipient
    supplied_at: AwareDatetime
    supplier_org_id: str = Field(pattern=CODE, description="the force id, or the partner organisation's id")
    repeat_supply: bool
    repeat_reason: RepeatSupplyReason | None = None
    advice_given: bool = False
    product_code: str | None = Field(default=None, pattern=PRODUCT, max_length=64)
    kit_id: UUID | None = Field(default=None, description="the force kit handed out, when from force stock")
    quantity: int = Field(default=1, ge=1, le=10)
    subject: SubjectBody | None = Field(
        default=None, description="the person at risk: `local_identifier` is the force's own identifier for them "
                                  "(custody record number, local person id), made the platform pseudonym at once and "
                                  "never stored; age band and sex are sealed with the supply's own data key")
    subject_pseudonym: str | None = Field(
        default=None, pattern=PSEUDONYM_PATTERN,
        description="for callers who never see the local identifier (e.g. a partner): the platform pseudonym of the "
                    "person as an earlier response gave it; never a name. Not with subject.local_identifier")
    area_code: str | None = Field(default=None, pattern=CODE)
    officer_id: UUID | None = None
    referral_consent: bool = Field(default=False, description="the person at risk consented to be referred to "
                                                              "treatment (diversion opens an offer)")
    note: SecretStr | None = Field(default=None, max_length=MAX_NOTE,
                                   description="bounded note, sealed; kept in inventory's event store only, never "
                                               "published on Kafka")

    @model_validator(mode="after")
    def _reason_only_for_repeats(self) -> "TakeHomeSupplyBody":
        if self.repeat_supply and self.repeat_reason is None:
            raise PydanticCustomError("required_for_repeat", "repeat_reason: a repeat supply must say why")
        if not self.repeat_supply and self.repeat_reason is not None:
            raise PydanticCustomError("only_for_repeat", "repeat_reason: a first supply has no repeat_reason")
        if self.kit_id is None and self.product_code is None:
            raise PydanticCustomError("product_or_kit", "product_code or kit_id: name the product or the force kit")
        if self.subject_pseudonym is not None and self.subject is not None and self.subject.local_identifier:
            raise PydanticCustomError("one_subject", "subject.local_identifier or subject_pseudonym: name the person "
                                                     "once, by the force's identifier or by the platform pseudonym")
        return self

    @field_validator("supplied_at")
    @classmethod
    def _plausible_instant(cls, value: datetime) -> datetime:
        if not 2000 <= value.year <= 2100:
            raise PydanticCustomError("plausible_date", "supplied_at must be between 2000 and 2100")
        return value
