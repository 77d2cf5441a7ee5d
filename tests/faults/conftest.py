"""Fixtures of the fault suite.

Tests that stop or restart PostgreSQL or Kafka never touch the shared servers other
suites (and other engineers) are using: `private_servers` starts a PostgreSQL and a Kafka
of the suite's own with deploy/local's scripts, on other ports and in another state
directory (NALOX_STATE_DIR and the port variables those scripts read), and the tests
restart only those. They are marked `faults` and run under `make faults`.
"""

from __future__ import annotations

import os
import subprocess

import pytest

from ..support import REPO, IsolatedStack, Servers

#: Where the private servers live and listen (override any of them from the environment).
PRIVATE_ENV = {
    "NALOX_STATE_DIR": os.environ.get("NALOX_FAULTS_STATE_DIR", "/var/tmp/naloxone-faults"),
    "NALOX_PG_PORT": os.environ.get("NALOX_FAULTS_PG_PORT", "54349"),
    "NALOX_KAFKA_PORT": os.environ.get("NALOX_FAULTS_KAFKA_PORT", "19292"),
    "NALOX_KAFKA_CONTROLLER_PORT": os.environ.get("NALOX_FAULTS_KAFKA_CONTROLLER_PORT", "19293"),
    "NALOX_KAFKA_SASL_PORT": os.environ.get("NALOX_FAULTS_KAFKA_SASL_PORT", "19294"),
}


def private(script: str, *args: str, timeout: float = 600) -> str:
    """Run one of deploy/local's scripts against the private servers only."""
    done = subprocess.run(["bash", str(REPO / "deploy/local" / script), *args], env={**os.environ, **PRIVATE_ENV},
                          check=True, capture_output=True, text=True, timeout=timeout)
    return done.stdout.strip()


@pytest.fixture(scope="session")
def private_servers():
    """A PostgreSQL and a Kafka of the fault suite's own, stopped again at the end."""
    private("servers.sh", "up")
    try:
        yield Servers(private("pg.sh", "url").rstrip("/") + "/postgres", private("kafka.sh", "bootstrap"))
    finally:
        private("servers.sh", "down", timeout=180)


@pytest.fixture
async def private_isolated(private_servers, issuer, tmp_path):
    """A fresh platform of its own on the private servers (processes started by the test)."""
    stack = IsolatedStack(private_servers, issuer, tmp_path)
    await stack.prepare()
    yield stack
    await stack.destroy()
