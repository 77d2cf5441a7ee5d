"""Alembic glue shared by services: async engine on asyncpg, one database per service."""

from __future__ import annotations

import asyncio
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import pool
from sqlalchemy.ext.asyncio import create_async_engine

from .db import ensure_database


def sqlalchemy_url(url: str) -> str:
    return url.replace("postgresql://", "postgresql+asyncpg://", 1)


def run_env(context) -> None:
    """Body of a service's alembic/env.py: online migrations through an async engine."""
    url = context.config.get_main_option("sqlalchemy.url")

    def do_run(connection) -> None:
        context.configure(connection=connection, target_metadata=None, transaction_per_migration=True)
        with context.begin_transaction():
            context.run_migrations()

    async def run() -> None:
        engine = create_async_engine(url, poolclass=pool.NullPool)
        async with engine.connect() as connection:
            await connection.run_sync(do_run)
            await connection.commit()
        await engine.dispose()

    if context.is_offline_mode():
        context.configure(url=url, literal_binds=True)
        with context.begin_transaction():
            context.run_migrations()
    else:
        asyncio.run(run())


def execute_script(op, script: str) -> None:
    """Run a multi-statement DDL script one statement at a time (asyncpg prepares each)."""
    for statement in filter(None, (s.strip() for s in script.split(";"))):
        op.execute(statement)


def upgrade(service_dir: Path, database_url: str, revision: str = "head") -> None:
    asyncio.run(ensure_database(database_url))
    cfg = Config(str(service_dir / "alembic.ini"))
    cfg.set_main_option("sqlalchemy.url", sqlalchemy_url(database_url))
    command.upgrade(cfg, revision)
