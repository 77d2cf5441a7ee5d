"""Helpers the integration and end-to-end tests share: real servers, isolated stacks."""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import asyncpg
from aiokafka import AIOKafkaConsumer

from naloxctl.stack import LocalStack, StackConfig, migrate_all, registry_ports
from naloxone.contracts import TOPICS
from naloxone_kernel.registry import SERVICES, service
from naloxone_kernel.auth import DevIssuer
from naloxone_kernel.db import drop_database, ensure_database, with_database
from naloxone_kernel.kafka import delete_topics, ensure_topics, topic_partitions

REPO = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Servers:
    postgres_url: str  # points at the maintenance database; tests create their own databases
    kafka_bootstrap: str


_ISSUED_PORTS: set[int] = set()


def free_port() -> int:
    """A port free now and never handed out before in this test run: the kernel may give the same
    free port twice, and two processes of one stack on one port made one answer for the other."""
    while True:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        if port not in _ISSUED_PORTS:
            _ISSUED_PORTS.add(port)
            return port


def unique(prefix: str) -> str:
    return f"{prefix}{uuid.uuid4().hex[:10]}"


async def wait_for(predicate, timeout: float = 30.0, interval: float = 0.1, message: str = "condition"):
    """Poll an async predicate until it returns a truthy value (no fixed sleeps in tests)."""
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        last = await predicate()
        if last:
            return last
        await asyncio.sleep(interval)
    raise AssertionError(f"timed out after {timeout}s waiting for {message} (last: {last!r})")


class IsolatedStack:
    """A whole platform on its own databases, topic prefix and ports, sharing the servers."""

    def __init__(self, servers: Servers, issuer: DevIssuer, run_dir: Path) -> None:
        self.servers = servers
        self.issuer = issuer
        self.topic_prefix = unique("t") + "."
        self.database_urls = {s.name: with_database(servers.postgres_url, unique(f"{s.name}_t")) for s in SERVICES}
        self.database_urls["gateway"] = with_database(servers.postgres_url, unique("gateway_t"))
        self.config = StackConfig(
            run_dir=run_dir,
            database_urls=self.database_urls,
            ports=registry_ports(allocate=free_port),
            topic_prefix=self.topic_prefix,
            kafka_bootstrap=servers.kafka_bootstrap,
            jwks_path=str(issuer.jwks_path),
            dev_issuer_dir=str(issuer.directory),
        )
        self.stack = LocalStack(self.config)

    def topic(self, domain: str) -> str:
        """The stack's copy of a domain's contract topic (whether or not its service runs yet)."""
        return self.topic_prefix + TOPICS[domain]

    @property
    def topics(self) -> list[str]:
        return [self.topic_prefix + t for t in TOPICS.values()]

    @property
    def training_topic(self) -> str:
        return self.topic("training")

    @property
    def training_db_url(self) -> str:
        return self.database_urls["training"]

    @property
    def gateway(self) -> str:
        return f"http://127.0.0.1:{self.config.gateway_port}"

    def api(self, service_name: str) -> str:
        return f"http://127.0.0.1:{self.config.port(service_name, 'api')}"

    @property
    def training_api(self) -> str:
        return self.api("training")

    async def prepare(self) -> None:
        for url in self.database_urls.values():
            await ensure_database(url)
        await asyncio.to_thread(migrate_all, self.config)
        await ensure_topics(self.servers.kafka_bootstrap, self.topics)

    def start(self, *names: str, env: dict[str, str] | None = None, wait: bool = True) -> None:
        for name in names:
            self.stack.start(name, env)
        for name in names if wait else ():
            self.stack.wait_ready(name)

    def up(self) -> None:
        self.stack.up(quiet=True)

    def down(self) -> None:
        self.stack.down(quiet=True)

    async def destroy(self) -> None:
        self.down()
        for url in self.database_urls.values():
            await drop_database(url)
        await delete_topics(self.servers.kafka_bootstrap, self.topics, prefix=self.topic_prefix)

    def run(self, service_name: str, *args: str) -> subprocess.CompletedProcess:
        """A one-off process of a service (rebuild, job ...) against this stack."""
        env = {**os.environ, **self.config.service_env(service(service_name))}
        return subprocess.run([sys.executable, "-m", "naloxone_kernel", service_name, *args], check=True, env=env,
                              cwd=REPO, capture_output=True, text=True, timeout=300)

    def run_training(self, *args: str) -> subprocess.CompletedProcess:
        return self.run("training", *args)

    def token(self, force: str = "west-midlands", roles: list[str] | None = None, **kw) -> str:
        return self.issuer.mint(subject=f"test-user@{force}", roles=roles or ["trainer"], force_id=force, **kw)

    def auth(self, force: str = "west-midlands", roles: list[str] | None = None) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token(force, roles)}"}

    async def db(self, service_name: str = "training") -> asyncpg.Connection:
        return await asyncpg.connect(self.database_urls[service_name])

    async def scalar(self, sql: str, *args, service_name: str = "training"):
        """One value from a service's database (a fresh connection: the test's own view)."""
        conn = await self.db(service_name)
        try:
            return await conn.fetchval(sql, *args)
        finally:
            await conn.close()


async def topic_messages(bootstrap: str, topic: str | list[str], *, committed_only: bool = False) -> list:
    """Every record on a topic (or topics) right now, read by an independent consumer (no group);
    `committed_only` leaves out records of transactions that were aborted or are still open."""
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False, auto_offset_reset="earliest",
                                isolation_level="read_committed" if committed_only else "read_uncommitted")
    await consumer.start()
    try:
        partitions = await topic_partitions(consumer, [topic] if isinstance(topic, str) else topic)
        if not partitions:
            return []
        consumer.assign(partitions)
        end = await consumer.end_offsets(partitions)
        await consumer.seek_to_beginning(*partitions)
        out = []
        remaining = {tp for tp in partitions if end[tp] > 0}
        while remaining:
            batch = await consumer.getmany(timeout_ms=500)
            for tp, records in batch.items():
                out.extend(r for r in records if r.offset < end[tp])
            for tp in list(remaining):
                if await consumer.position(tp) >= end[tp]:
                    remaining.discard(tp)
        return out
    finally:
        await consumer.stop()


# --- scanning for planted personal data (erasure and "never in the clear" tests) ----------------

def needles(planted: dict[str, str]) -> list[bytes]:
    """Each planted value as bytes, and as the hex that bytea columns read as."""
    values = [v.encode() for v in planted.values()]
    return values + [v.hex().encode() for v in values]


async def scan_databases(stack: IsolatedStack, planted: dict[str, str], services: tuple[str, ...] | None = None
                         ) -> list[str]:
    """Every row of every table of the stack's databases (or those of `services`) holding a planted value."""
    found = []
    for name, url in stack.database_urls.items():
        if services is not None and name not in services:
            continue
        conn = await asyncpg.connect(url)
        try:
            tables = await conn.fetch(
                "SELECT table_schema, table_name FROM information_schema.tables WHERE table_type = 'BASE TABLE' "
                "AND table_schema NOT IN ('pg_catalog', 'information_schema')")
            for t in tables:
                rows = await conn.fetch(f'SELECT t::text AS row FROM "{t["table_schema"]}"."{t["table_name"]}" t')
                for r in rows:
                    text = r["row"].encode()
                    found += [f"{url.rsplit('/', 1)[-1]}.{t['table_schema']}.{t['table_name']}: {n[:30]!r}"
                              for n in needles(planted) if n in text]
        finally:
            await conn.close()
    return found


async def scan_topics(stack: IsolatedStack, planted: dict[str, str], topics: list[str] | None = None) -> list[str]:
    """The raw bytes (key, value, headers) of every record on the stack's topics holding a planted value,
    read by an independent consumer."""
    found = []
    for topic in topics if topics is not None else stack.topics:
        for record in await topic_messages(stack.servers.kafka_bootstrap, topic):
            raw = (record.key or b"") + record.value + b"".join(v for _, v in record.headers or ())
            found += [f"{topic}@{record.offset}: {n[:30]!r}" for n in needles(planted)[:len(planted)] if n in raw]
    return found


def scan_logs(stack: IsolatedStack, planted: dict[str, str]) -> list[str]:
    """Every captured process log of the stack holding a planted value."""
    found = []
    for spec in stack.stack.specs:
        log = stack.stack.log_file(spec.name)
        text = log.read_bytes() if log.exists() else b""
        found += [f"{spec.name}: {n[:30]!r}" for n in needles(planted) if n in text]
    return found
