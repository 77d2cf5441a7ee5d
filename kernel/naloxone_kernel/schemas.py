"""Request-body building blocks every service's schemas share."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict
from pydantic_core import PydanticCustomError

EARLIEST_DAY = date(2000, 1, 1)  # before any UK police naloxone scheme
LATEST_DAY = date(2100, 12, 31)


class Strict(BaseModel):
    """Unknown fields are refused (422 naming them); strings are trimmed."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


def _plausible(value: date) -> date:
    if not EARLIEST_DAY <= value <= LATEST_DAY:
        raise PydanticCustomError("plausible_date", "date must be between {earliest} and {latest}",
                                  {"earliest": EARLIEST_DAY.isoformat(), "latest": LATEST_DAY.isoformat()})
    return value


#: A calendar day the platform can mean (refuses 0001-01-01 and 9999-12-31).
PlausibleDate = Annotated[date, AfterValidator(_plausible)]
