"""Alerts request bodies: strict, bounded, unknown fields refused."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, HttpUrl, StringConstraints, field_validator
from pydantic_core import PydanticCustomError

from naloxone_kernel.schemas import Strict

from ..domain.policy import (
    AREA_CODE,
    DEFAULT_GRACE_MINUTES,
    DEFAULT_WINDOW_HOURS,
    MAX_AREAS,
    MAX_GRACE_MINUTES,
    MAX_NEIGHBOURS,
    MAX_THRESHOLD,
    MAX_WINDOW_HOURS,
)

AreaCode = Annotated[str, StringConstraints(pattern=AREA_CODE.pattern)]
Threshold = Annotated[int, Field(ge=1, le=MAX_THRESHOLD)]


class ThresholdsBody(Strict):
    """The force's spike thresholds, replacing the previous ones (the neighbour map is symmetric)."""

    window_hours: int = Field(default=DEFAULT_WINDOW_HOURS, ge=1, le=MAX_WINDOW_HOURS,
                              description="the sliding window, in hours (ODMAP uses 24)")
    default_threshold: Threshold | None = Field(
        default=None, description="threshold of every area without its own; null: only the areas listed are watched")
    areas: dict[AreaCode, Threshold] = Field(
        default_factory=dict, max_length=MAX_AREAS,
        description="area code (as administrations record it, e.g. B1) -> administrations in the window, counting "
                    "its neighbours, at which it is in a spike")
    neighbours: dict[AreaCode, Annotated[list[AreaCode], Field(max_length=MAX_NEIGHBOURS)]] = Field(
        default_factory=dict, max_length=MAX_AREAS,
        description="area code -> its neighbouring areas, whose administrations count towards its spikes")
    grace_minutes: int = Field(default=DEFAULT_GRACE_MINUTES, ge=0, le=MAX_GRACE_MINUTES,
                               description="how long a spike stays open for administrations recorded late")


class WebhookBody(Strict):
    url: HttpUrl = Field(description="where alerts are POSTed, signed (see the service description); https "
                                     "unless this deployment allows http")

    @field_validator("url")
    @classmethod
    def _no_credentials(cls, value: HttpUrl) -> HttpUrl:
        if value.username or value.password:
            raise PydanticCustomError("url_credentials", "the URL must not carry credentials; deliveries are "
                                                         "authenticated by their signature")
        if value.fragment:
            raise PydanticCustomError("url_fragment", "the URL must not carry a fragment")
        return value
