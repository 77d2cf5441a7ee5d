"""A force's spike thresholds: which areas are watched, at what count, over what window.

A force admin sets them (ODMAP's jurisdictions set their own): a threshold per area, a
default for every other area (or none: only the areas listed are watched), which areas
neighbour which, the window, and a grace period for administrations recorded late.
The neighbour map is symmetric: naming B as a neighbour of A makes A one of B's.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Mapping

from naloxone_kernel.domain import InvalidValue

#: A coarse area as incidents records it: a postcode district (e.g. B1) or an LSOA code.
AREA_CODE = re.compile(r"^[A-Z0-9][A-Z0-9 ]{0,11}$")
DEFAULT_WINDOW_HOURS = 24
DEFAULT_GRACE_MINUTES = 60
MAX_WINDOW_HOURS = 7 * 24
MAX_GRACE_MINUTES = 24 * 60
MAX_THRESHOLD = 1000
MAX_AREAS = 2000
MAX_NEIGHBOURS = 50


def checked_area(value: str, field_name: str) -> str:
    if not isinstance(value, str) or not AREA_CODE.match(value):
        raise InvalidValue(f"{field_name} must be a coarse area code (capitals and digits, e.g. B1 or "
                           f"E01009999), not {str(value)[:16]!r}", field=field_name)
    return value


def _checked_threshold(value: int, field_name: str) -> int:
    if not isinstance(value, int) or not 1 <= value <= MAX_THRESHOLD:
        raise InvalidValue(f"{field_name} must be a whole number from 1 to {MAX_THRESHOLD}", field=field_name)
    return value


@dataclass(frozen=True)
class Watch:
    """How one area is watched: its threshold over its own and its neighbours' administrations."""

    area_code: str
    neighbours: tuple[str, ...]
    threshold: int
    window: timedelta
    grace: timedelta

    @property
    def areas(self) -> frozenset[str]:
        return frozenset((self.area_code, *self.neighbours))


@dataclass(frozen=True)
class SpikePolicy:
    window_hours: int = DEFAULT_WINDOW_HOURS
    default_threshold: int | None = None
    area_thresholds: Mapping[str, int] = field(default_factory=dict)
    #: Symmetric: every area listed with all its neighbours, each list sorted.
    neighbours: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    grace_minutes: int = DEFAULT_GRACE_MINUTES

    @classmethod
    def of(cls, *, window_hours: int = DEFAULT_WINDOW_HOURS, default_threshold: int | None = None,
           area_thresholds: Mapping[str, int] | None = None, neighbours: Mapping[str, list[str] | tuple[str, ...]]
           | None = None, grace_minutes: int = DEFAULT_GRACE_MINUTES) -> "SpikePolicy":
        """A checked policy (InvalidValue, 422, naming the field otherwise), the neighbour map made symmetric."""
        if not isinstance(window_hours, int) or not 1 <= window_hours <= MAX_WINDOW_HOURS:
            raise InvalidValue(f"window_hours must be from 1 to {MAX_WINDOW_HOURS}", field="window_hours")
        if not isinstance(grace_minutes, int) or not 0 <= grace_minutes <= MAX_GRACE_MINUTES:
            raise InvalidValue(f"grace_minutes must be from 0 to {MAX_GRACE_MINUTES}", field="grace_minutes")
        if default_threshold is not None:
            _checked_threshold(default_threshold, "default_threshold")
        areas = dict(area_thresholds or {})
        if len(areas) > MAX_AREAS:
            raise InvalidValue(f"at most {MAX_AREAS} areas may have thresholds of their own", field="areas")
        for area, threshold in areas.items():
            checked_area(area, f"areas.{area}")
            _checked_threshold(threshold, f"areas.{area}")
        symmetric: dict[str, set[str]] = {}
        for area, near in (neighbours or {}).items():
            checked_area(area, f"neighbours.{area}")
            if len(near) > MAX_NEIGHBOURS:
                raise InvalidValue(f"an area has at most {MAX_NEIGHBOURS} neighbours", field=f"neighbours.{area}")
            for other in near:
                checked_area(other, f"neighbours.{area}")
                if other == area:
                    raise InvalidValue(f"area {area} cannot neighbour itself", field=f"neighbours.{area}")
                symmetric.setdefault(area, set()).add(other)
                symmetric.setdefault(other, set()).add(area)
        if len(symmetric) > MAX_AREAS:
            raise InvalidValue(f"the neighbour map names at most {MAX_AREAS} areas", field="neighbours")
        return cls(window_hours=window_hours, default_threshold=default_threshold,
                   area_thresholds=dict(sorted(areas.items())),
                   neighbours={a: tuple(sorted(n)) for a, n in sorted(symmetric.items())},
                   grace_minutes=grace_minutes)

    @property
    def window(self) -> timedelta:
        return timedelta(hours=self.window_hours)

    @property
    def grace(self) -> timedelta:
        return timedelta(minutes=self.grace_minutes)

    def threshold(self, area_code: str) -> int | None:
        return self.area_thresholds.get(area_code, self.default_threshold)

    def watch(self, area_code: str) -> Watch | None:
        threshold = self.threshold(area_code)
        if threshold is None:
            return None
        return Watch(area_code, self.neighbours.get(area_code, ()), threshold, self.window, self.grace)

    def watchers(self, area_code: str) -> list[Watch]:
        """Every watched area an administration in `area_code` counts towards (its own, its neighbours')."""
        candidates = sorted({area_code, *self.neighbours.get(area_code, ())})
        return [w for w in map(self.watch, candidates) if w is not None]
