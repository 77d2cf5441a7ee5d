"""Inbound records: what force systems publish becomes the same command the REST API runs.

A force's records management, HR or custody system publishes a
`naloxone.inbound.v1.InboundRecord` to its own inbound topic of a domain,
`naloxone.inbound.<domain>.<force_id>.v1`. The broker's ACLs let only that force's
principal (and the platform) write there, and Kafka does not stamp the producing
principal on a record, so the topic *is* the proof of who sent it: a record whose
`force_id` is not the topic's force is refused as unauthorised.

Each service lists what it accepts in `<package>/entrypoints/inbound.py` as `INBOUND`,
a tuple of `InboundCommand` (a record message and the coroutine that runs the REST
route's own command for it: same body model, same handler, same CommandRunner).
The record's idempotency key becomes the command's idempotency key exactly as the REST
`Idempotency-Key` header does (scoped to force and sender), so a redelivered record
replays the first answer and appends nothing: exactly once, whatever Kafka redelivers.

A record that cannot become a command (unparseable, unknown type, invalid, another
force's, refused by the domain) goes to the force's dead-letter topic
`naloxone.inbound.<domain>.<force_id>.dlq.v1` as `naloxone.common.v1.DeadLetter`, with
the original key and bytes, the reason and the field; the partition moves on. Dead
letters and consumed offsets commit in one Kafka transaction, so a crash neither loses
nor repeats one.
"""

from __future__ import annotations

import asyncio
import hashlib
import importlib
import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Awaitable, Callable, Sequence
from uuid import uuid4

import asyncpg
from aiokafka.errors import KafkaError
from google.protobuf.descriptor import FieldDescriptor
from google.protobuf.message import DecodeError, Message
from naloxone.common.v1 import dead_letter_pb2 as dl
from naloxone.contracts import DOMAINS
from naloxone.inbound.v1.record_pb2 import InboundRecord
from pydantic import BaseModel, ValidationError

from .commands import IdempotencyKeyReused
from .contract_values import to_timestamp
from .domain import DomainError, InvalidValue, NotFound
from .integration_keys import IntegrationKeys
from .logging import correlation_id_var, get_logger
from .personal_data import Unreadable, hpke_open
from .repository import CommandContext
from .transactional import TransactionalLoop

log = get_logger("inbound")

#: Failures of the servers, not of the record: retried, never dead-lettered.
TRANSIENT = (asyncpg.PostgresConnectionError, asyncpg.InterfaceError, OSError, KafkaError, asyncio.TimeoutError)
IDEMPOTENCY_KEY = re.compile(r"^[A-Za-z0-9._:-]{8,128}$")  # the REST Idempotency-Key rule
SOURCE_SYSTEM = re.compile(r"^[a-z0-9][a-z0-9._-]{0,63}$")
FORCE_ID = r"[a-z0-9]+(?:-[a-z0-9]+)*"
INBOUND_PERSONAL_INFO = b"naloxone/inbound-personal/v1:"
#: Inbound and dead-letter topics are a transport, not the replayable log: they keep a week.
INBOUND_RETENTION_MS = 7 * 24 * 3600 * 1000


def _domain(domain: str) -> str:
    if domain not in DOMAINS:
        raise ValueError(f"unknown domain {domain!r}; expected one of {', '.join(DOMAINS)}")
    return domain


def _force(force_id: str) -> str:
    if not re.fullmatch(FORCE_ID, force_id or ""):
        raise ValueError(f"force_id must be a lower-kebab slug, got {force_id!r}")
    return force_id


def force_inbound_topic(domain: str, force_id: str) -> str:
    """Where a force's systems publish records into a domain; only that force may write here."""
    return f"naloxone.inbound.{_domain(domain)}.{_force(force_id)}.v1"


def force_dead_letter_topic(domain: str, force_id: str) -> str:
    """Where the force's refused records of a domain go; only that force (and the platform) may read here."""
    return f"naloxone.inbound.{_domain(domain)}.{_force(force_id)}.dlq.v1"


def inbound_topic_pattern(domain: str, topic_prefix: str = "") -> re.Pattern:
    return re.compile(re.escape(topic_prefix) + rf"naloxone\.inbound\.{re.escape(_domain(domain))}\.({FORCE_ID})\.v1")


async def ensure_force_topics(bootstrap: str, domain: str, forces: Sequence[str], *, topic_prefix: str = "",
                              partitions: int = 1) -> list[str]:
    """Create a force's inbound and dead-letter topics of a domain (a week's retention; one partition:
    one force's records of one domain are few, and stay in the order the force sent them)."""
    from aiokafka.admin import AIOKafkaAdminClient, NewTopic
    from aiokafka.errors import TopicAlreadyExistsError

    wanted = [topic_prefix + t for f in forces for t in (force_inbound_topic(domain, f),
                                                         force_dead_letter_topic(domain, f))]
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        missing = [t for t in wanted if t not in set(await admin.list_topics())]
        if missing:
            try:
                await admin.create_topics([NewTopic(t, num_partitions=partitions, replication_factor=1,
                                                    topic_configs={"retention.ms": str(INBOUND_RETENTION_MS)})
                                           for t in missing])
            except TopicAlreadyExistsError:
                pass
        return missing
    finally:
        await admin.close()


# --- a record's fields, as the REST API's JSON body ------------------------------------------

def _enum_prefix(enum_name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", enum_name).upper() + "_"


def _value(field: FieldDescriptor, value: Any) -> Any:
    if field.type == FieldDescriptor.TYPE_ENUM:
        name = field.enum_type.values_by_number[value].name if value in field.enum_type.values_by_number else None
        return None if name is None else name.removeprefix(_enum_prefix(field.enum_type.name)).lower()
    if field.type == FieldDescriptor.TYPE_MESSAGE:
        full = field.message_type.full_name
        if full == "google.protobuf.Timestamp":
            return value.ToJsonString()
        if full == "naloxone.common.v1.Date":
            return f"{value.year:04d}-{value.month:02d}-{value.day:02d}"
        return fields_of(value)
    return value


def fields_of(message: Message) -> dict:
    """A record as the REST body it stands for: the fields set (proto3 defaults left out, so the
    REST defaults apply), enums by the REST value (ADMINISTRATION_ROUTE_INTRANASAL -> intranasal),
    timestamps as RFC 3339, common Dates as ISO days, nested messages as objects."""
    out = {}
    for field, value in message.ListFields():
        if field.is_repeated:
            out[field.name] = [_value(field, v) for v in value]
        else:
            out[field.name] = _value(field, value)
    return {k: v for k, v in out.items() if v is not None}


def json_body(model: type[BaseModel], fields: dict):
    """Validate as the REST API does (JSON mode), so the same input is refused the same way."""
    return model.model_validate_json(json.dumps(fields))


def _merge(record: dict, personal: dict, path: str = "") -> dict:
    out = dict(record)
    for key, value in personal.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _merge(out[key], value, f"{path}{key}.")
        elif key in out:
            raise InvalidValue("given both in the record and in personal_ciphertext", f"{path}{key}")
        else:
            out[key] = value
    return out


# --- what a service accepts -------------------------------------------------------------------

@dataclass(frozen=True)
class InboundCommand:
    """A record message a service accepts, and the REST route's command it runs:
    `run(force_id, fields, ctx, kit)` validates `fields` with the route's body model and calls
    the route's own code with the kit (`naloxone_kernel.service.ServiceState`)."""

    message: type[Message]
    run: Callable[[str, dict, CommandContext, Any], Awaitable[Any]]

    @property
    def type_name(self) -> str:
        return self.message.DESCRIPTOR.full_name


def load_inbound(package: str) -> tuple[InboundCommand, ...]:
    """`INBOUND` of `<package>.entrypoints.inbound`, or nothing if the service takes no records."""
    try:
        module = importlib.import_module(f"{package}.entrypoints.inbound")
    except ModuleNotFoundError as exc:
        if exc.name == f"{package}.entrypoints.inbound":
            return ()
        raise
    return tuple(module.INBOUND)


class Refused(Exception):
    def __init__(self, reason: int, detail: str, field: str = "", force_id: str = "") -> None:
        super().__init__(detail)
        self.reason, self.detail, self.field, self.force_id = reason, detail, field, force_id


def _validation_refusal(exc: ValidationError, force: str) -> Refused:
    errors = exc.errors(include_input=False, include_url=False)
    fields = [".".join(str(p) for p in e.get("loc", ())) for e in errors]
    detail = "; ".join(f"{f or 'record'}: {e.get('msg', '')} ({e.get('type', 'invalid')})"
                       for f, e in zip(fields, errors))
    return Refused(dl.REJECTION_REASON_INVALID, detail[:500], fields[0] if fields else "", force)


class InboundRunner(TransactionalLoop):
    """A service's inbound topics (every force's) in; its commands and the forces' dead letters out."""

    name = "inbound"

    def __init__(self, service: str, domain: str, commands: Sequence[InboundCommand], kit, bootstrap: str, *,
                 topic_prefix: str = "", keys: IntegrationKeys | None = None, max_records: int = 200) -> None:
        super().__init__(bootstrap, f"{topic_prefix}inbound.{service}", client_id=f"{service}-inbound",
                         max_records=max_records)
        self.service = service
        self.domain = domain
        self.commands = {c.type_name: c for c in commands}
        self.kit = kit
        self.topic_prefix = topic_prefix
        self.keys = keys
        self.pattern = inbound_topic_pattern(domain, topic_prefix)
        self._known_topics: set[str] = set()

    def subscribe(self, consumer) -> None:
        consumer.subscribe(pattern=self.pattern.pattern + "$")

    async def transform(self, batch: dict) -> list:
        """Run each record's command; what comes out is the batch's dead letters."""
        dead = []
        applied = 0
        for records in batch.values():
            for record in records:
                letter = await self._handle(record)
                if letter is None:
                    applied += 1
                else:
                    dead.append(letter)
        await self._ensure_topics({force for force, *_ in dead})
        log.info("inbound batch", applied=applied, dead_lettered=len(dead))
        return [(topic, key, value, [("content-type", b"application/x-protobuf"),
                                     ("event_type", b"naloxone.common.v1.DeadLetter")])
                for _force, topic, key, value in dead]

    def _force_of(self, topic: str) -> str:
        match = self.pattern.fullmatch(topic)
        assert match, topic
        return match.group(1)

    async def _handle(self, record):
        """Run the record's command; returns a dead letter (force, topic, key, value) or None when applied."""
        force = self._force_of(record.topic)
        try:
            try:
                await self._command(force, record)
                return None
            except TRANSIENT:
                raise  # the batch is retried from the committed offsets
            except Refused:
                raise
            except Exception as exc:  # a fault of ours with this record: park it, never block the partition
                log.exception("inbound record failed; dead-lettered for replay", topic=record.topic,
                              partition=record.partition, offset=record.offset)
                raise Refused(dl.REJECTION_REASON_OTHER, f"the platform could not process the record "
                              f"({type(exc).__name__}); it may be replayed from this dead letter", "", force) from None
        except Refused as refused:
            letter = dl.DeadLetter(
                source_topic=record.topic, source_partition=record.partition, source_offset=record.offset,
                source_key=record.key or b"", source_value=record.value or b"", force_id=refused.force_id,
                reason=refused.reason, detail=refused.detail[:500], rejected_at=to_timestamp(datetime.now(UTC)),
                rejected_by=f"{self.service}-inbound", field=refused.field)
            log.warning("inbound record dead-lettered", topic=record.topic, partition=record.partition,
                        offset=record.offset, reason=dl.RejectionReason.Name(refused.reason), field=refused.field)
            topic = self.topic_prefix + force_dead_letter_topic(self.domain, force)
            return force, topic, record.key, letter.SerializeToString()
        finally:
            correlation_id_var.set(None)

    async def _command(self, force: str, record) -> None:
        envelope = InboundRecord()
        try:
            envelope.ParseFromString(record.value or b"")
        except DecodeError:
            raise Refused(dl.REJECTION_REASON_UNPARSEABLE, "the value is not a naloxone.inbound.v1.InboundRecord")
        claimed = envelope.force_id
        if claimed != force:
            raise Refused(dl.REJECTION_REASON_FORBIDDEN,
                          f"a record for force '{claimed}' on the inbound topic of force '{force}': "
                          "a force submits records only for itself", "force_id", claimed)
        if not IDEMPOTENCY_KEY.fullmatch(envelope.idempotency_key):
            raise Refused(dl.REJECTION_REASON_INVALID, "idempotency_key must be 8-128 of A-Z a-z 0-9 . _ : -",
                          "idempotency_key", force)
        if not SOURCE_SYSTEM.fullmatch(envelope.source_system):
            raise Refused(dl.REJECTION_REASON_INVALID, "source_system must be 1-64 of a-z 0-9 . _ - "
                          "(the sending system's name)", "source_system", force)
        command = self.commands.get(envelope.record.TypeName())
        if command is None:
            raise Refused(dl.REJECTION_REASON_UNKNOWN_EVENT_TYPE,
                          f"{self.domain} accepts {sorted(self.commands)}, not '{envelope.record.TypeName()}'",
                          "record", force)
        message = command.message()
        try:
            if not envelope.record.Unpack(message):
                raise DecodeError("type mismatch")
        except DecodeError:
            raise Refused(dl.REJECTION_REASON_UNPARSEABLE, f"record is not a valid {command.type_name}",
                          "record", force) from None
        try:
            fields = self._with_personal(fields_of(message), envelope)
        except InvalidValue as exc:
            raise Refused(dl.REJECTION_REASON_INVALID, str(exc), exc.field, force) from None
        actor = f"force-system:{force}:{envelope.source_system}"
        correlation_id = envelope.correlation_id[:64] or uuid4().hex
        correlation_id_var.set(correlation_id)
        ctx = CommandContext(
            actor=actor, correlation_id=correlation_id,
            # the REST scope (force, caller, key), so a record is applied once per key and sender
            idempotency_key=json.dumps([force, actor, envelope.idempotency_key]),
            fingerprint=hashlib.sha256(command.type_name.encode() + b"\n" + json.dumps(
                fields, sort_keys=True, separators=(",", ":")).encode()).hexdigest())
        try:
            await command.run(force, fields, ctx, self.kit)
        except ValidationError as exc:
            raise _validation_refusal(exc, force) from None
        except InvalidValue as exc:
            raise Refused(dl.REJECTION_REASON_INVALID, str(exc), exc.field, force) from None
        except IdempotencyKeyReused as exc:
            raise Refused(dl.REJECTION_REASON_INVALID, str(exc), "idempotency_key", force) from None
        except (DomainError, NotFound) as exc:
            raise Refused(dl.REJECTION_REASON_OTHER, f"refused: {exc}", "", force) from None
        log.info("inbound record applied", record_type=command.type_name, correlation_id=correlation_id)

    def _with_personal(self, fields: dict, envelope: InboundRecord) -> dict:
        if not envelope.personal_ciphertext:
            return fields
        private_key = self.keys.inbound_private_key() if self.keys else None
        if private_key is None:
            raise InvalidValue("the platform has no inbound key to open personal_ciphertext", "personal_ciphertext")
        try:
            personal = json.loads(hpke_open(private_key, envelope.personal_ciphertext,
                                            INBOUND_PERSONAL_INFO + envelope.idempotency_key.encode()))
        except (Unreadable, ValueError):
            raise InvalidValue("personal_ciphertext does not open with the platform's inbound key, or is not "
                               "a JSON object", "personal_ciphertext") from None
        if not isinstance(personal, dict):
            raise InvalidValue("personal_ciphertext must seal a JSON object", "personal_ciphertext")
        return _merge(fields, personal)

    async def _ensure_topics(self, forces: set[str]) -> None:
        """A force's dead-letter topic normally exists beside its inbound topic; make sure."""
        missing = forces - self._known_topics
        if missing:
            await ensure_force_topics(self.bootstrap, self.domain, sorted(missing), topic_prefix=self.topic_prefix)
            self._known_topics.update(missing)


class InboundProcess:
    """The inbound process of a registered service (`python -m naloxone_kernel SERVICE inbound`):
    the API's own state (pool, command runner, queries) without the HTTP server."""

    def __init__(self, entry, parts, settings, commands: Sequence[InboundCommand]) -> None:
        from naloxone.contracts import TOPICS

        from .integration_keys import keys_dir

        self.entry, self.parts, self.settings, self.commands = entry, parts, settings, commands
        self.domain = next(d for d, topic in TOPICS.items() if topic == entry.topic)
        self.keys = IntegrationKeys(keys_dir(settings.environment))
        self.runner: InboundRunner | None = None
        self._stopping = False

    @property
    def ready(self) -> bool:
        return self.runner is not None and self.runner.ready

    def stop(self) -> None:
        self._stopping = True
        if self.runner is not None:
            self.runner.stop()

    async def run(self) -> None:
        from .commands import CommandRunner
        from .db import create_pool
        from .eventstore import EventStore
        from .projector import create_schema
        from .service import ServiceState, mapper_for

        pool = await create_pool(self.settings.database_url, min_size=1, max_size=4)
        try:
            async with pool.acquire() as conn:  # the routes' queries read the service's views
                for read_model in self.parts.read_models:
                    await create_schema(conn, read_model, read_model.name)
            kit = ServiceState(self.entry, self.settings, pool,
                               CommandRunner(EventStore(pool), mapper_for(self.parts, self.settings)),
                               self.parts.queries(pool) if self.parts.queries else None)
            self.runner = InboundRunner(self.entry.name, self.domain, self.commands, kit,
                                        self.settings.kafka_bootstrap, topic_prefix=self.settings.topic_prefix,
                                        keys=self.keys)
            if not self._stopping:
                await self.runner.run()
        finally:
            await pool.close()


def inbound_worker(entry, parts, settings) -> InboundProcess:
    commands = load_inbound(entry.package)
    if not commands:
        raise SystemExit(f"{entry.name} takes no inbound records (no {entry.package}/entrypoints/inbound.py)")
    return InboundProcess(entry, parts, settings, commands)
