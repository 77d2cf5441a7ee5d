"""Plain values to and from the protobuf contract, the same way in every service.

Enums map by name: a domain value `custody_suite` is the contract's
`<PREFIX>_CUSTODY_SUITE`; absent values are proto3 defaults (0, empty, unset).
"""

from __future__ import annotations

import enum
from datetime import UTC, date, datetime

from google.protobuf.timestamp_pb2 import Timestamp
from naloxone.common.v1.types_pb2 import Date


def to_date(value: date | None) -> Date | None:
    return None if value is None else Date(year=value.year, month=value.month, day=value.day)


def from_date(value: Date) -> date | None:
    return date(value.year, value.month, value.day) if value.year else None


def to_timestamp(value: datetime | None) -> Timestamp | None:
    if value is None:
        return None
    out = Timestamp()
    out.FromDatetime(value.astimezone(UTC).replace(tzinfo=None))
    return out


def from_timestamp(value: Timestamp) -> datetime:
    return value.ToDatetime(tzinfo=UTC)


def to_text(value) -> str:
    """An optional value as the contract's string (empty when absent)."""
    return "" if value is None else str(value)


def to_enum(proto_enum, prefix: str, value: enum.Enum | None) -> int:
    return 0 if value is None else proto_enum.Value(f"{prefix}_{value.value.upper()}")


def from_enum(proto_enum, prefix: str, value: int) -> str | None:
    return None if value == 0 else proto_enum.Name(value).removeprefix(prefix + "_").lower()
