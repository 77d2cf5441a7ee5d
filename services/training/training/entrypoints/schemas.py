"""Request bodies: strict, bounded, and unknown fields refused."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator
from pydantic_core import PydanticCustomError

from ..domain import OfficerRole, TrainingDelivery, WithdrawalReason

CODE = r"^[A-Za-z0-9][A-Za-z0-9._/-]*$"


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class EnrolOfficerBody(Strict):
    staff_number: str = Field(min_length=1, max_length=20, pattern=CODE,
                              description="The force's own staff or collar number")
    role: OfficerRole
    enrolled_on: date
    area_code: str | None = Field(default=None, min_length=1, max_length=16, pattern=CODE)


class TrainingRecordBody(Strict):
    course: str = Field(min_length=1, max_length=64, pattern=CODE)
    provider: str = Field(min_length=1, max_length=64, pattern=CODE)
    completed_on: date
    valid_until: date
    delivery: TrainingDelivery | None = None

    @field_validator("valid_until")
    @classmethod
    def _after_completion(cls, value: date, info: ValidationInfo) -> date:
        completed = info.data.get("completed_on")
        if completed is not None and value <= completed:
            raise PydanticCustomError("after_completed_on", "valid_until must be after completed_on")
        return value


class WithdrawalBody(Strict):
    reason: WithdrawalReason
    withdrawn_on: date
