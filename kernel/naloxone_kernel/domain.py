"""Pure building blocks for event-sourced aggregates: no I/O, no frameworks.

An aggregate decides by raising events; its state changes only by applying them, so
replaying a stream rebuilds exactly the state that made the decisions.
"""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from typing import ClassVar, Iterable, Iterator, Self
from uuid import UUID
from zoneinfo import ZoneInfo

#: The platform's calendar: a "day" (expiry, certification, a month of figures) is a UK day.
UK = ZoneInfo("Europe/London")


class DomainError(Exception):
    """A command that the aggregate's rules refuse (maps to 409 at the API)."""


class InvalidValue(ValueError):
    """A value the domain cannot accept whatever the state (maps to 422 at the API).

    The API's schemas refuse most bad input first; this is the domain's own guard.
    """

    def __init__(self, message: str, field: str = "body") -> None:
        super().__init__(message)
        self.field = field


def checked_aware(value: datetime | None, what: str) -> datetime | None:
    """An instant must say its zone (422 naming the field if not); None passes."""
    if value is not None and value.utcoffset() is None:
        raise InvalidValue(f"{what} must carry a time zone", field=what)
    return value


def uk_day(instant: datetime) -> date:
    """The calendar day in the UK of an instant."""
    return instant.astimezone(UK).date()


class NotFound(LookupError):
    """The thing named does not exist in this force (maps to 404 at the API)."""

    def __init__(self, what: str, identifier: object, force_id: str | None = None) -> None:
        where = f" in force {force_id}" if force_id else ""
        super().__init__(f"no {what} {identifier}{where}")
        self.what = what


@contextmanager
def naming_item(field: str, index: int, label: object = None) -> Iterator[None]:
    """Inside a bulk command, a refusal of one item names its place in the list (`issues[3]`,
    with `label` if given), so the caller knows which item refused the whole list."""
    place = f"{field}[{index}]" + (f" ({label})" if label is not None else "")
    try:
        yield
    except (DomainError, InvalidValue, NotFound) as exc:
        exc.args = (f"{place}: {exc}",)
        if isinstance(exc, InvalidValue):
            exc.field = f"{field}[{index}].{exc.field}"
        raise


@dataclass(frozen=True, kw_only=True)
class DomainEvent:
    """Base of every domain event: frozen plain values, named by `event_type`."""

    event_type: ClassVar[str] = ""


class Aggregate:
    """A consistency boundary: a stream of events keyed by id, versioned from 1."""

    aggregate_type: ClassVar[str] = ""

    def __init__(self, aggregate_id: UUID) -> None:
        self.id = aggregate_id
        self.version = 0
        self.pending: list[DomainEvent] = []
        # Every stream belongs to one force; `apply` sets it from the first event.
        self.force_id: str | None = None

    @classmethod
    def replay(cls, aggregate_id: UUID, events: Iterable[DomainEvent]) -> Self:
        aggregate = cls(aggregate_id)
        for event in events:
            aggregate.apply(event)
            aggregate.version += 1
        return aggregate

    def _raise(self, event: DomainEvent) -> None:
        self.apply(event)
        self.pending.append(event)

    def apply(self, event: DomainEvent) -> None:  # pragma: no cover - abstract
        raise NotImplementedError
