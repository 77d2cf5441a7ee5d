"""Request-body building blocks every service's schemas share."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, WithJsonSchema
from pydantic_core import PydanticCustomError

EARLIEST_DAY = date(2000, 1, 1)  # before any UK police naloxone scheme
LATEST_DAY = date(2100, 12, 31)


#: A UK month (YYYY-MM) within the same bounds as PlausibleDate, for month query parameters.
MONTH_PATTERN = r"^(?:20[0-9]{2}|2100)-(?:0[1-9]|1[0-2])$"

#: The 200 response of a view that also answers as CSV (?format=csv or Accept: text/csv).
CSV_ALSO = {200: {"content": {"application/json": {}, "text/csv": {"schema": {"type": "string"}}}}}


class Strict(BaseModel):
    """Unknown fields are refused (422 naming them); strings are trimmed."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


def _plausible(value: date) -> date:
    if not EARLIEST_DAY <= value <= LATEST_DAY:
        raise PydanticCustomError("plausible_date", "date must be between {earliest} and {latest}",
                                  {"earliest": EARLIEST_DAY.isoformat(), "latest": LATEST_DAY.isoformat()})
    return value


#: A calendar day the platform can mean (refuses 0001-01-01 and 9999-12-31). Its bounds are in
#: the OpenAPI document too (a year pattern), so a client, or a fuzzer, knows them before asking.
PlausibleDate = Annotated[date, AfterValidator(_plausible), WithJsonSchema({
    "type": "string", "format": "date", "pattern": r"^(?:20[0-9]{2}|2100)-[0-9]{2}-[0-9]{2}$",
    "description": f"a day from {EARLIEST_DAY.isoformat()} to {LATEST_DAY.isoformat()}"})]


def listed_once(items: list, key, rule: str, what: str) -> list:
    """A bulk request's items, refused (422 naming the list, `rule` and the repeated value)
    when two of them name the same thing: a bulk command decides each thing once."""
    seen: set = set()
    for item in items:
        value = key(item)
        if value in seen:
            raise PydanticCustomError(rule, f"{what} {{value}} is listed twice", {"value": str(value)})
        seen.add(value)
    return items
