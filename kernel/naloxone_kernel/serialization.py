"""Domain events to JSON and back, for the service's own event store.

The store keeps the service's domain vocabulary (JSON); the protobuf contract is a
separate translation made at the edge, so the two can evolve independently.
"""

from __future__ import annotations

import dataclasses
import enum
import json
import types
import typing
from datetime import date, datetime
from functools import cache
from uuid import UUID

from .domain import DomainEvent


def _encode(value):
    if isinstance(value, (UUID,)):
        return str(value)
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, enum.Enum):
        return value.value
    return value


@cache
def _hints(cls) -> dict[str, typing.Any]:
    return typing.get_type_hints(cls)


def _decode(tp, value):
    if value is None:
        return None
    origin = typing.get_origin(tp)
    if origin in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(tp) if a is not type(None)]
        return _decode(args[0], value)
    if tp is UUID:
        return UUID(value)
    if tp is datetime:
        return datetime.fromisoformat(value)
    if tp is date:
        return date.fromisoformat(value)
    if isinstance(tp, type) and issubclass(tp, enum.Enum):
        return tp(value)
    return value


def event_to_json(event: DomainEvent) -> str:
    return json.dumps(
        {f.name: _encode(getattr(event, f.name)) for f in dataclasses.fields(event)},
        separators=(",", ":"),
        sort_keys=True,
    )


class EventRegistry:
    """Maps stored event type names back to domain event classes."""

    def __init__(self, *classes: type[DomainEvent]) -> None:
        self._by_type = {cls.event_type: cls for cls in classes}

    def decode(self, event_type: str, payload: str | dict) -> DomainEvent:
        cls = self._by_type[event_type]
        data = json.loads(payload) if isinstance(payload, str) else payload
        hints = _hints(cls)
        return cls(**{name: _decode(hints[name], value) for name, value in data.items() if name in hints})
