"""Alembic, shared: the kernel's event-store revisions plus a service's own tables.

Every service database gets the kernel's revisions (events, outbox, idempotency keys);
a service that has tables of its own keeps their revisions in `<package>/migrations/`
as a branch (`branch_labels = ("<service>",)`, `depends_on = "0002"`), and
`upgrade` brings every branch to its head.
"""

from __future__ import annotations

import asyncio
import importlib.util
import os
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import pool
from sqlalchemy.ext.asyncio import create_async_engine

from ..db import ensure_database

KERNEL_MIGRATIONS = Path(__file__).resolve().parent


def sqlalchemy_url(url: str) -> str:
    return url.replace("postgresql://", "postgresql+asyncpg://", 1)


def run_env(context) -> None:
    """Body of env.py: online migrations through an async engine."""
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


def service_versions(package: str) -> Path | None:
    """`<package>/migrations/`, where a service keeps revisions for tables of its own."""
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(next(iter(spec.submodule_search_locations))) / "migrations"
    return path if path.is_dir() else None


def alembic_config(database_url: str, package: str | None = None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(KERNEL_MIGRATIONS))
    locations = [str(KERNEL_MIGRATIONS / "versions")]
    own = service_versions(package) if package else None
    if own is not None:
        locations.append(str(own))
    cfg.set_main_option("version_path_separator", "os")
    cfg.set_main_option("version_locations", os.pathsep.join(locations))
    cfg.set_main_option("sqlalchemy.url", sqlalchemy_url(database_url))
    return cfg


def upgrade(database_url: str, package: str | None = None) -> None:
    asyncio.run(ensure_database(database_url))
    command.upgrade(alembic_config(database_url, package), "heads")
