"""What a spike is, as a pure function of the administrations counted (no state, no clock).

The count at an instant t is the number of administrations that happened in the window
(t - window, t]: an administration counts from the moment it happened until one window
later. A spike is a stretch of time during which that count is at or above the
threshold; it starts at the administration that brought the count up to the threshold
and ends when enough of them have left the window for the count to fall below it.
Two spikes are separate only if the count fell below the threshold in between.

Because the spikes are a function of the set of administrations and their occurrence
times alone, the order in which administrations are consumed (redelivery, partitions
read in another order, a replay) cannot change what they are.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from datetime import datetime, timedelta
from itertools import groupby
from typing import Iterable
from uuid import UUID


@dataclass(frozen=True, order=True)
class Case:
    """One administration counted towards spikes: when it happened, which one, where (coarse)."""

    administered_at: datetime
    administration_id: UUID
    area_code: str

    def record(self) -> dict:
        """The plain form events carry."""
        return {"administration_id": str(self.administration_id), "area_code": self.area_code,
                "administered_at": self.administered_at.isoformat()}

    @classmethod
    def of(cls, record: dict) -> "Case":
        return cls(datetime.fromisoformat(record["administered_at"]), UUID(record["administration_id"]),
                   record["area_code"])


@dataclass(frozen=True)
class Spike:
    """One stretch of time at or above the threshold, with the administrations it counted."""

    started_at: datetime  # the administration that brought the count up to the threshold
    ended_at: datetime  # the count fell below the threshold (given the administrations known)
    window: timedelta
    #: The administrations in the window that reached the threshold: (started_at - window, started_at].
    trigger: tuple[Case, ...]
    #: Every administration counted while the spike lasted: (started_at - window, ended_at).
    cases: tuple[Case, ...]
    #: The most administrations in one window during the spike.
    peak: int

    @property
    def window_start(self) -> datetime:
        return self.started_at - self.window

    def counts(self, case: Case) -> bool:
        """Whether the administration was counted at some moment of the spike."""
        return self.window_start < case.administered_at < self.ended_at

    def overlaps(self, start: datetime, end: datetime) -> bool:
        """Whether the spike's time [started_at, ended_at) meets [start, end)."""
        return self.started_at < end and start < self.ended_at


def find_spikes(cases: Iterable[Case], threshold: int, window: timedelta) -> list[Spike]:
    """Every spike in the cases, oldest first (a sweep over the instants the count changes)."""
    if threshold < 1 or window <= timedelta(0):
        raise ValueError("a threshold is at least 1 and a window is longer than nothing")
    ordered = sorted(set(cases))
    times = [c.administered_at for c in ordered]
    # The count changes when an administration happens (+1) and one window later (-1); at
    # one instant both apply before the count is read, as the half-open window says.
    changes = sorted([(t, 1) for t in times] + [(t + window, -1) for t in times], key=lambda change: change[0])
    spikes: list[Spike] = []
    count = peak = 0
    started: datetime | None = None
    for instant, group in groupby(changes, key=lambda change: change[0]):
        count += sum(step for _, step in group)
        if started is None and count >= threshold:
            started, peak = instant, count
        elif started is not None and count >= threshold:
            peak = max(peak, count)
        elif started is not None:
            window_start = started - window
            first = bisect_right(times, window_start)
            spikes.append(Spike(
                started_at=started, ended_at=instant, window=window,
                trigger=tuple(ordered[first:bisect_right(times, started)]),
                cases=tuple(ordered[first:bisect_left(times, instant)]), peak=peak))
            started, peak = None, 0
    return spikes
