"""Request bodies: strict, bounded, and unknown fields refused."""

from __future__ import annotations

from datetime import date
from operator import attrgetter

from pydantic import Field, ValidationInfo, field_validator
from pydantic_core import PydanticCustomError

from naloxone_kernel.schemas import PlausibleDate, Strict, listed_once

from ..domain import OfficerRole, TrainingDelivery, WithdrawalReason

CODE = r"^[A-Za-z0-9][A-Za-z0-9._/-]*$"


class EnrolOfficerBody(Strict):
    staff_number: str = Field(min_length=1, max_length=20, pattern=CODE,
                              description="The force's own staff or collar number")
    role: OfficerRole
    enrolled_on: PlausibleDate
    area_code: str | None = Field(default=None, min_length=1, max_length=16, pattern=CODE)


class TrainingRecordBody(Strict):
    course: str = Field(min_length=1, max_length=64, pattern=CODE)
    provider: str = Field(min_length=1, max_length=64, pattern=CODE)
    completed_on: PlausibleDate
    valid_until: PlausibleDate | None = Field(
        default=None, description="last valid day; omit to use the force's certification policy")
    delivery: TrainingDelivery | None = None

    @field_validator("valid_until")
    @classmethod
    def _after_completion(cls, value: date | None, info: ValidationInfo) -> date | None:
        completed = info.data.get("completed_on")
        if value is not None and completed is not None and value <= completed:
            raise PydanticCustomError("after_completed_on", "valid_until must be after completed_on")
        return value


class OfficerRecordBody(EnrolOfficerBody):
    training_records: list[TrainingRecordBody] = Field(
        default_factory=list, max_length=20, description="courses the officer completed, oldest first")


class BulkEnrolmentBody(Strict):
    officers: list[OfficerRecordBody] = Field(min_length=1, max_length=500)

    @field_validator("officers")
    @classmethod
    def _one_entry_per_officer(cls, value: list[OfficerRecordBody]) -> list[OfficerRecordBody]:
        return listed_once(value, attrgetter("staff_number"), "unique_staff_numbers", "staff number")


class WithdrawalBody(Strict):
    reason: WithdrawalReason
    withdrawn_on: PlausibleDate


class CertificationPolicyBody(Strict):
    certification_months: int = Field(ge=1, le=60, description="months a certification lasts after training")
    effective_on: PlausibleDate
