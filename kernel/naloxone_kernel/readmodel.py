"""Read-model SQL every projection shares: fetch touched rows, upsert them in one statement,
and turn rows into JSON for the API.

Projections fold a whole batch in memory and write each touched row once; these are
the two statements that makes per table, whatever the batch size.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Sequence
from uuid import UUID

import asyncpg

#: A table's columns as (name, PostgreSQL type); the first is the primary key.
Columns = Sequence[tuple[str, str]]


async def fetch_rows(conn: asyncpg.Connection, schema: str, table: str, key: str, ids: list) -> dict[str, dict]:
    """The rows whose uuid key is in `ids`, by the key as text."""
    if not ids:
        return {}
    records = await conn.fetch(f"SELECT * FROM {schema}.{table} WHERE {key} = ANY($1::uuid[])", ids)
    return {str(r[key]): dict(r) for r in records}


async def upsert_rows(conn: asyncpg.Connection, schema: str, table: str, columns: Columns, rows: list[dict]) -> None:
    """One statement for all rows: INSERT ... SELECT FROM unnest(arrays) ON CONFLICT DO UPDATE."""
    if not rows:
        return
    names = [name for name, _ in columns]
    await conn.execute(
        f"""INSERT INTO {schema}.{table} ({", ".join(names)})
            SELECT * FROM unnest({", ".join(f"${n}::{t}[]" for n, (_, t) in enumerate(columns, 1))})
            ON CONFLICT ({names[0]}) DO UPDATE SET {", ".join(f"{c} = EXCLUDED.{c}" for c in names[1:])}""",
        *([row[name] for row in rows] for name in names),
    )


def blank_row(columns: Columns) -> dict:
    return {name: None for name, _ in columns}


def row_json(record) -> dict:
    """A read-model row as JSON: days and instants in ISO 8601, ids as strings."""
    out = {}
    for key, value in dict(record).items():
        if isinstance(value, (date, datetime)):
            value = value.isoformat()
        elif isinstance(value, UUID):
            value = str(value)
        out[key] = value
    return out
