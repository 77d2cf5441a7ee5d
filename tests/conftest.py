"""Fixtures that find real servers, in the order DESIGN.md fixes:

1. servers named by environment variables (DATABASE_URL, KAFKA_BOOTSTRAP);
2. testcontainers, when a Docker engine answers;
3. otherwise the local servers from deploy/local, started or reused.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess

import pytest

from naloxone_kernel.auth import DevIssuer
from naloxone_kernel.db import drop_database, ensure_database, with_database
from naloxone_kernel.settings import default_database_url, default_kafka_bootstrap

from .support import REPO, IsolatedStack, Servers, unique


def _docker_answers() -> bool:
    if not shutil.which("docker"):
        return False
    try:
        return subprocess.run(["docker", "info"], capture_output=True, timeout=15).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


@pytest.fixture(scope="session")
def servers():
    db, kafka = os.environ.get("DATABASE_URL"), os.environ.get("KAFKA_BOOTSTRAP")
    if db and kafka:
        yield Servers(with_database(db, "postgres"), kafka)
        return
    if _docker_answers():
        # Not exercised on the project's own machines (no Docker engine there); Confluent
        # Platform 7.9 carries Apache Kafka 3.9, the version deploy/local runs.
        from testcontainers.community.kafka import KafkaContainer
        from testcontainers.community.postgres import PostgresContainer

        with PostgresContainer("postgres:16", driver=None) as pg, \
                KafkaContainer("confluentinc/cp-kafka:7.9.0").with_kraft() as kafka_container:
            yield Servers(with_database(pg.get_connection_url(), "postgres"),
                          kafka_container.get_bootstrap_server())
        return
    subprocess.run(["bash", str(REPO / "deploy/local/servers.sh"), "up"], check=True)
    yield Servers(default_database_url("postgres"), default_kafka_bootstrap())


@pytest.fixture(scope="session")
def issuer(tmp_path_factory) -> DevIssuer:
    dev = DevIssuer(tmp_path_factory.mktemp("issuer"))
    dev.ensure_keys()
    return dev


@pytest.fixture(scope="session")
async def platform(servers, issuer, tmp_path_factory):
    """The whole platform (training API, relay, projector, gateway) as real processes."""
    stack = IsolatedStack(servers, issuer, tmp_path_factory.mktemp("platform"))
    try:  # a stack that failed to come up still stops its processes and drops its databases
        await stack.prepare()
        stack.up()
        yield stack
    finally:
        await stack.destroy()


@pytest.fixture
async def isolated(servers, issuer, tmp_path):
    """A fresh platform of its own, for tests that kill processes."""
    stack = IsolatedStack(servers, issuer, tmp_path)
    await stack.prepare()
    yield stack
    await stack.destroy()


@pytest.fixture(scope="module")
def scratch_database(servers):
    """An empty database of the module's own on the real PostgreSQL, dropped afterwards: for tests
    that drive the kernel's projector against a read model's schema directly."""
    url = with_database(servers.postgres_url, unique("scratch_"))
    asyncio.run(ensure_database(url))
    yield url
    asyncio.run(drop_database(url))
