"""Kafka clients configured the one way the platform uses them, and topic creation."""

from __future__ import annotations

import asyncio
import os
import socket

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import TopicAlreadyExistsError


def idempotent_producer(bootstrap: str, client_id: str) -> AIOKafkaProducer:
    """acks=all with idempotence: retries never duplicate or reorder within a partition."""
    return AIOKafkaProducer(
        bootstrap_servers=bootstrap,
        client_id=client_id,
        enable_idempotence=True,
        acks="all",
        linger_ms=2,
        max_batch_size=512 * 1024,
        request_timeout_ms=30000,
    )


def group_instance_id() -> str:
    """This process's static group membership (KIP-345): its host, or NALOX_INSTANCE_ID when one
    host runs two members of one group. A member restarted after a crash takes its partitions
    back at once, instead of waiting out the dead member's session (10 s) and a rebalance."""
    return os.environ.get("NALOX_INSTANCE_ID") or socket.gethostname()


def manual_commit_consumer(bootstrap: str, group_id: str | None, **overrides) -> AIOKafkaConsumer:
    settings = dict(
        bootstrap_servers=bootstrap,
        group_id=group_id,
        group_instance_id=group_instance_id() if group_id else None,
        enable_auto_commit=False,
        auto_offset_reset="earliest",
        isolation_level="read_committed",
        max_poll_records=1000,
        # The broker answers a fetch as soon as one record is there (fetch_min_bytes=1);
        # the wait only bounds how often an idle consumer asks again.
        fetch_max_wait_ms=2000,
    )
    return AIOKafkaConsumer(**{**settings, **overrides})


#: How long a consumer loop waits, once records have come, for more to join them (NALOX_CONSUMER_LINGER_MS).
#: Every event fans out to several consumers, and each batch costs a database transaction, and
#: a Kafka transaction or offset commit; at modest rates a batch would otherwise be one event.
LINGER_MS = int(os.environ.get("NALOX_CONSUMER_LINGER_MS", "25"))


async def getmany_until(consumer: AIOKafkaConsumer, stopping: asyncio.Event, *, timeout_ms: int,
                        max_records: int, linger_ms: int | None = None) -> dict:
    """The next batch, or {} as soon as `stopping` is set: a stopping consumer loop exits at once
    instead of sitting out an idle poll (SIGTERM used to take seconds per process).

    A batch smaller than `max_records` waits `linger_ms` (LINGER_MS by default) for the records
    the fetcher brings meanwhile, and takes them too: fewer, fuller batches for a little latency."""
    if stopping.is_set():
        return {}
    fetch = asyncio.ensure_future(consumer.getmany(timeout_ms=timeout_ms, max_records=max_records))
    stop = asyncio.ensure_future(stopping.wait())
    try:
        await asyncio.wait({fetch, stop}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        stop.cancel()
    if not fetch.done():
        fetch.cancel()
        await asyncio.gather(fetch, return_exceptions=True)
        return {}
    batch = fetch.result()
    linger = LINGER_MS if linger_ms is None else linger_ms
    taken = sum(len(records) for records in batch.values())
    if batch and linger > 0 and taken < max_records and not stopping.is_set():
        await asyncio.sleep(linger / 1000)
        more = await consumer.getmany(timeout_ms=0, max_records=max_records - taken)
        for tp, records in more.items():
            batch[tp] = batch[tp] + records if tp in batch else records
    return batch


async def topic_partitions(consumer: AIOKafkaConsumer, topics: list[str]) -> list[TopicPartition]:
    """Every partition of the topics, for a consumer that assigns rather than subscribes.

    Metadata is asked for these topics only (as `assign` would): a refresh of every topic took
    20-45 ms on a broker holding ~650, against ~2 ms for a rebuild's seven. A topic that does
    not exist has no partitions (brokers here never create topics on a metadata request)."""
    client = consumer._client  # noqa: SLF001 - aiokafka has no public refresh
    client.set_topics(topics)  # the topics the client asks about; it asks at once only if they are new
    await client.force_metadata_update()  # one refresh either way (the pending one, if set_topics began it)
    return [TopicPartition(t, p) for t in topics for p in sorted(consumer.partitions_for_topic(t) or [])]


async def ensure_topics(bootstrap: str, topics: list[str], *, partitions: int = 3) -> list[str]:
    """Create missing topics; event topics keep everything (retention -1): they are the replay log."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        missing = [t for t in topics if t not in existing]
        if missing:
            try:
                await admin.create_topics(
                    [
                        NewTopic(t, num_partitions=partitions, replication_factor=1,
                                 topic_configs={"retention.ms": "-1", "min.insync.replicas": "1"})
                        for t in missing
                    ]
                )
            except TopicAlreadyExistsError:
                pass
        return missing
    finally:
        await admin.close()


async def delete_topics(bootstrap: str, topics: list[str], *, prefix: str | None = None) -> None:
    """Remove throwaway topics (tests, benchmarks), and with `prefix` every topic it starts
    (those a stack's processes made, e.g. per-force egress); never used on the contract topics."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        doomed = [t for t in existing if t in topics or (prefix and t.startswith(prefix))]
        if doomed:
            await admin.delete_topics(doomed)
    finally:
        await admin.close()


async def kafka_ready(bootstrap: str) -> bool:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=3000)
    try:
        await admin.start()
        await admin.list_topics()
        return True
    except Exception:
        return False
    finally:
        try:
            await admin.close()
        except Exception:
            pass
