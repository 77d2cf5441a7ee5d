"""Per-force egress: a service's events republished to the topic of the force they concern.

Every event on a service's topic whose envelope names a force is written, unchanged
(the same envelope bytes, key and headers), to `naloxone.force.<force_id>.events.v1`,
keyed by aggregate id, so one aggregate's events keep their order there too. Events of
no force are not republished. A force's consumer therefore sees its own events only,
and the broker's ACLs let it read nothing else (docs/integration.md).

Exactly once per consumed record: each batch's republished records and the consumed
offsets commit in one Kafka transaction (consume-transform-produce); a crashed or
killed egress leaves an aborted transaction that read_committed consumers never see,
and resumes from the committed offsets. Upstream the relay is at-least-once (a crash
between publish and mark re-publishes the same event), and such a duplicate is
republished with its event id, so force consumers dedupe by event_id.
One egress instance per service: the transactional id is fixed, so a second instance
fences the first (aiokafka has no KIP-447 group-metadata fencing).

Personal fields stay ciphertext. For the sealed fields of an event (bytes fields in
the kernel's sealed format), the egress runs inside the owning service, with its key
store: it seals each record's data key for the force's X25519 public key (HPKE) and
puts them in the Kafka header `data_keys` (naloxone.egress.v1.ForceDataKeys). Only
keys of that force's records are shared; an erased record's key no longer exists, so
nothing opens it.
"""

from __future__ import annotations

import asyncpg
from google.protobuf.descriptor import FieldDescriptor
from google.protobuf.message import Message

from naloxone.contracts import force_topic
from naloxone.egress.v1.keys_pb2 import ForceDataKey, ForceDataKeys

from . import envelope as envelope_codec
from .integration_keys import IntegrationKeys
from .kafka import ensure_topics
from .logging import get_logger
from .personal_data import FORMAT_V1, HPKE_ALGORITHM, KeyStore, KeyWrapper, Unreadable, sealed_key_id, \
    share_with_force
from .transactional import Output, TransactionalLoop

log = get_logger("egress")

HEADER_DATA_KEYS = "data_keys"


def sealed_key_ids(message: Message) -> list:
    """Key ids of every sealed value in a message (bytes fields, nested and repeated too)."""
    found = []
    for field, value in message.ListFields():
        if field.type == FieldDescriptor.TYPE_BYTES:
            for blob in (value if field.is_repeated else [value]):
                if blob[:1] == FORMAT_V1:
                    try:
                        found.append(sealed_key_id(blob))
                    except Unreadable:
                        pass
        elif field.type == FieldDescriptor.TYPE_MESSAGE:
            for item in (value if field.is_repeated else [value]):
                found.extend(sealed_key_ids(item))
    return list(dict.fromkeys(found))


class EgressRunner(TransactionalLoop):
    """One service's topic in, the per-force topics out, in Kafka transactions."""

    name = "egress"
    #: Nearly every event goes out, each batch in a Kafka transaction (several broker requests and a
    #: marker per partition): a force's feed can wait 200 ms to carry more per transaction.
    linger_ms = 200

    def __init__(self, service: str, source_topic: str, bootstrap: str, *, topic_prefix: str = "",
                 database_url: str | None = None, wrapper: KeyWrapper | None = None,
                 keys: IntegrationKeys | None = None, max_records: int = 500) -> None:
        super().__init__(bootstrap, f"{topic_prefix}egress.{service}", client_id=f"{service}-egress",
                         max_records=max_records)
        self.service = service
        self.source_topic = source_topic
        self.topic_prefix = topic_prefix
        self.database_url = database_url
        self.wrapper = wrapper
        self.keys = keys
        self._known_topics: set[str] = set()
        self._pool: asyncpg.Pool | None = None

    def force_topic(self, force_id: str) -> str:
        return f"{self.topic_prefix}{force_topic(force_id)}"

    def subscribe(self, consumer) -> None:
        consumer.subscribe([self.source_topic])

    async def closing(self) -> None:
        if self._pool is not None:
            await self._pool.close()

    async def transform(self, batch: dict) -> list[Output]:
        outgoing = []
        for records in batch.values():
            for record in records:
                out = await self._transform(record)
                if out is not None:
                    outgoing.append(out)
        await self._ensure_topics({topic for topic, *_ in outgoing})
        if outgoing:
            log.info("republishing", records=len(outgoing), forces=len({t for t, *_ in outgoing}))
        return outgoing

    async def _transform(self, record):
        try:
            env, payload = envelope_codec.decode(record.value)
        except Exception as exc:  # not an envelope: nothing a force could read; never blocks the partition
            log.warning("not an event envelope; not republished", topic=record.topic, partition=record.partition,
                        offset=record.offset, error=type(exc).__name__)
            return None
        if not env.force_id:
            return None
        headers = list(record.headers or ())
        shared = await self._data_keys(env.force_id, sealed_key_ids(payload))
        if shared:
            headers.append((HEADER_DATA_KEYS, shared))
        return self.force_topic(env.force_id), record.key, record.value, headers

    async def _data_keys(self, force_id: str, key_ids: list) -> bytes | None:
        if not key_ids or self.wrapper is None or self.keys is None or self.database_url is None:
            return None
        public_key = self.keys.force_public_key(force_id)
        if public_key is None:
            return None
        if self._pool is None:
            self._pool = await asyncpg.create_pool(self.database_url, min_size=1, max_size=2)
        try:
            shared = await share_with_force(KeyStore(self._pool, self.wrapper), force_id, key_ids, public_key)
        except asyncpg.UndefinedTableError:  # a service that holds no personal data: no keys to share
            log.warning("bytes that look sealed, but the service has no key store; sharing no keys")
            self.wrapper = None
            return None
        if not shared:
            return None
        return ForceDataKeys(keys=[ForceDataKey(
            key_id=str(s.key_id), force_key_id=s.force_key_id, algorithm=HPKE_ALGORITHM, wrapped_key=s.wrapped_key,
            record_type=s.record_type, record_id=str(s.record_id)) for s in shared]).SerializeToString()

    async def _ensure_topics(self, topics: set[str]) -> None:
        missing = sorted(topics - self._known_topics)
        if missing:
            await ensure_topics(self.bootstrap, missing)
            self._known_topics.update(missing)


def egress_worker(entry, settings) -> EgressRunner:
    """The egress process of a registered service (`python -m naloxone_kernel SERVICE egress`)."""
    from .integration_keys import keys_dir
    from .personal_data import PersonalDataSettings

    holds_personal_data = isinstance(settings, PersonalDataSettings)
    return EgressRunner(entry.name, settings.events_topic, settings.kafka_bootstrap,
                        topic_prefix=settings.topic_prefix, database_url=settings.database_url,
                        wrapper=KeyWrapper.from_settings(settings) if holds_personal_data else None,
                        keys=IntegrationKeys(keys_dir(settings.environment)))
