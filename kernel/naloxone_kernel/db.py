"""PostgreSQL connection pools (asyncpg) and database creation for local runs and tests."""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit

import asyncpg


async def _keep_as_is(_conn: asyncpg.Connection) -> None:
    """Pool connections carry no session state (no LISTEN, SET, advisory locks or cursors):
    asyncpg's default reset on release would cost a round trip per query for nothing."""


async def create_pool(url: str, *, min_size: int = 2, max_size: int = 20) -> asyncpg.Pool:
    return await asyncpg.create_pool(url, min_size=min_size, max_size=max_size, command_timeout=60,
                                     reset=_keep_as_is)


def with_database(url: str, database: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, "/" + database, parts.query, parts.fragment))


def database_name(url: str) -> str:
    return urlsplit(url).path.lstrip("/")


async def ensure_database(url: str) -> None:
    """Create the database named in `url` if it does not exist (connects to `postgres`)."""
    name = database_name(url)
    conn = await asyncpg.connect(with_database(url, "postgres"))
    try:
        exists = await conn.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name)
        if not exists:
            await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()


async def drop_database(url: str) -> None:
    name = database_name(url)
    conn = await asyncpg.connect(with_database(url, "postgres"))
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await conn.close()
