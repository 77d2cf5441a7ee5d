"""Consume, produce and commit in one Kafka transaction per batch (egress and inbound).

Each batch's output records and the consumed offsets commit together
(`send_offsets_to_transaction`), so a crash leaves an aborted transaction that
read_committed consumers never see, and the loop resumes from the committed offsets. A
failed batch is aborted and retried from those offsets, with a growing pause. The
transactional id is fixed per process kind and service: a second instance fences the
first (aiokafka has no KIP-447 group-metadata fencing, so run one instance).
"""

from __future__ import annotations

import asyncio
import time
from typing import Sequence

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition

from .failpoints import failpoint
from .kafka import getmany_until, manual_commit_consumer
from .logging import get_logger
from .metrics import CONSUMER_LAG

log = get_logger("transactional")

#: One output record: (topic, key, value, headers).
Output = tuple[str, bytes | None, bytes, list]


class TransactionalLoop:
    """Subclasses say what a batch becomes (`transform`); this runs the loop around it."""

    name = "transactional"
    #: How long a batch waits for more records once some have come (None: the consumers' default,
    #: kafka.LINGER_MS). Each batch is one Kafka transaction.
    linger_ms: int | None = None

    def __init__(self, bootstrap: str, group_id: str, *, client_id: str, max_records: int = 500) -> None:
        self.bootstrap = bootstrap
        self.group_id = group_id
        self.client_id = client_id
        self.max_records = max_records
        self.ready = False
        self._stopping = asyncio.Event()

    def stop(self) -> None:
        self._stopping.set()

    def subscribe(self, consumer: AIOKafkaConsumer) -> None:
        raise NotImplementedError

    async def transform(self, batch: dict[TopicPartition, list]) -> Sequence[Output]:
        raise NotImplementedError

    async def closing(self) -> None:
        """Release what `transform` opened."""

    async def run(self) -> None:
        consumer = manual_commit_consumer(self.bootstrap, self.group_id, max_poll_records=self.max_records,
                                          metadata_max_age_ms=30000)  # new matching topics are found within 30 s
        producer = AIOKafkaProducer(bootstrap_servers=self.bootstrap, transactional_id=self.group_id,
                                    enable_idempotence=True, acks="all", linger_ms=2, client_id=self.client_id)
        await producer.start()
        await consumer.start()
        self.subscribe(consumer)
        self.ready = True
        log.info("consuming", loop=self.name, group=self.group_id)
        try:
            failures = 0
            last_lag = 0.0
            while not self._stopping.is_set():
                batch = await getmany_until(consumer, self._stopping, timeout_ms=2000, max_records=self.max_records,
                                            linger_ms=self.linger_ms)
                if batch:
                    try:
                        await self._commit(producer, batch, await self.transform(batch))
                        failures = 0
                    except Exception as exc:  # aborted: back to the committed offsets, after a pause
                        failures += 1
                        log.error("batch failed; retrying from committed offsets", loop=self.name,
                                  error=f"{type(exc).__name__}: {exc}", attempt=failures)
                        await asyncio.sleep(min(5.0, 0.1 * 2 ** failures))
                        await self._rewind(consumer)
                if time.monotonic() - last_lag > 5.0:
                    await self._report_lag(consumer)
                    last_lag = time.monotonic()
        finally:
            self.ready = False
            await consumer.stop()
            await producer.stop()
            await self.closing()

    async def _commit(self, producer: AIOKafkaProducer, batch: dict[TopicPartition, list],
                      outgoing: Sequence[Output]) -> None:
        async with producer.transaction():
            for topic, key, value, headers in outgoing:
                await producer.send(topic, value=value, key=key, headers=headers)
            failpoint(f"{self.name}.mid_transaction")
            await producer.send_offsets_to_transaction(
                {tp: records[-1].offset + 1 for tp, records in batch.items()}, self.group_id)

    async def _rewind(self, consumer: AIOKafkaConsumer) -> None:
        from_the_beginning = []
        for tp in consumer.assignment():
            committed = await consumer.committed(tp)
            if committed is None:
                from_the_beginning.append(tp)
            else:
                consumer.seek(tp, committed)
        if from_the_beginning:  # one reset for all (each waits for the fetcher to act on it)
            await consumer.seek_to_beginning(*from_the_beginning)

    async def _report_lag(self, consumer: AIOKafkaConsumer) -> None:
        for tp in consumer.assignment():
            high = consumer.highwater(tp)
            if high is not None:
                CONSUMER_LAG.labels(self.group_id, tp.topic, str(tp.partition)).set(
                    max(0, high - await consumer.position(tp)))
