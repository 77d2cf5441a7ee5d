"""Registry of the event contracts: topics, headers, content type, event-type lookup.

Hand-written, not generated: ``scripts/gen_proto.sh`` only writes ``*_pb2.py``,
``*_pb2.pyi`` and empty ``__init__.py`` files, so it never touches this module.

Importing this module imports every domain's generated ``events_pb2`` module, so all
event messages are registered in the default descriptor pool and
:func:`message_class` can resolve any of them by name.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Mapping
from functools import lru_cache
from types import MappingProxyType, ModuleType

from google.protobuf import descriptor_pool
from google.protobuf.message import Message
from google.protobuf.message_factory import GetMessageClass

__all__ = [
    "CONTENT_TYPE",
    "DOMAINS",
    "EVENT_TYPES",
    "HEADER_CONTENT_TYPE",
    "HEADER_CORRELATION_ID",
    "HEADER_EVENT_ID",
    "HEADER_EVENT_TYPE",
    "TOPICS",
    "TYPE_URL_PREFIX",
    "dead_letter_topic",
    "domain_of",
    "force_topic",
    "inbound_topic",
    "is_event_type",
    "message_class",
]

#: The event-producing domains, one ``proto/naloxone/<domain>/v1/events.proto`` each.
DOMAINS: tuple[str, ...] = ("training", "inventory", "incidents", "diversion", "partnership", "provision", "alerts")

#: Internal topic of each domain's events, keyed by aggregate id.
TOPICS: Mapping[str, str] = MappingProxyType({d: f"naloxone.{d}.events.v1" for d in DOMAINS})

#: Content type of every record value on every naloxone topic: a serialised
#: ``naloxone.common.v1.EventEnvelope`` (or ``DeadLetter`` on dead-letter topics).
CONTENT_TYPE = "application/x-protobuf"

# Kafka record headers (values UTF-8), so consumers can route, filter and dedupe
# without parsing the value. Names match the kernel's envelope codec.
#: The envelope's ``event_type``.
HEADER_EVENT_TYPE = "event_type"
#: :data:`CONTENT_TYPE`.
HEADER_CONTENT_TYPE = "content-type"
#: The envelope's ``event_id``.
HEADER_EVENT_ID = "event_id"
#: The envelope's ``correlation_id``.
HEADER_CORRELATION_ID = "correlation_id"

#: Prefix ``Any.Pack`` puts before the fully-qualified message name.
TYPE_URL_PREFIX = "type.googleapis.com/"

_FORCE_ID = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


def _check_domain(domain: str) -> str:
    if domain not in TOPICS:
        raise ValueError(f"unknown domain {domain!r}; expected one of {', '.join(DOMAINS)}")
    return domain


def force_topic(force_id: str) -> str:
    """Per-force egress topic that force IT consumes: ``naloxone.force.<force_id>.events.v1``."""
    if not _FORCE_ID.fullmatch(force_id or ""):
        raise ValueError(f"force_id must be a lower-kebab slug, got {force_id!r}")
    return f"naloxone.force.{force_id}.events.v1"


def inbound_topic(domain: str) -> str:
    """Topic on which force systems publish records into a domain: ``naloxone.inbound.<domain>.v1``."""
    return f"naloxone.inbound.{_check_domain(domain)}.v1"


def dead_letter_topic(domain: str) -> str:
    """Where refused inbound records of a domain go, as ``naloxone.common.v1.DeadLetter``."""
    return f"naloxone.inbound.{_check_domain(domain)}.dlq.v1"


def _import_event_modules() -> dict[str, ModuleType]:
    return {d: importlib.import_module(f"naloxone.{d}.v1.events_pb2") for d in DOMAINS}


_EVENT_MODULES = _import_event_modules()
# The envelope and dead letter are not events but are resolved by name too.
importlib.import_module("naloxone.common.v1.envelope_pb2")
importlib.import_module("naloxone.common.v1.dead_letter_pb2")


def _import_other_contracts() -> None:
    """Every other generated module (inbound records, egress key headers, ...), so each message in
    proto/ resolves by name whatever a caller imported first."""
    import pkgutil

    package = importlib.import_module("naloxone")
    for info in pkgutil.walk_packages(package.__path__, "naloxone."):
        if info.name.endswith("_pb2"):
            importlib.import_module(info.name)


_import_other_contracts()

#: Fully-qualified names of every event message, per domain, in declaration order.
#: Every top-level message in a domain's ``events.proto`` is an event.
EVENT_TYPES: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        d: tuple(m.full_name for m in module.DESCRIPTOR.message_types_by_name.values())
        for d, module in _EVENT_MODULES.items()
    }
)

_DOMAIN_OF: dict[str, str] = {name: d for d, names in EVENT_TYPES.items() for name in names}


def _strip_type_url(event_type: str) -> str:
    return event_type.rsplit("/", 1)[-1] if "/" in event_type else event_type


def is_event_type(event_type: str) -> bool:
    """Whether ``event_type`` (a full name or type URL) names a domain event."""
    return _strip_type_url(event_type) in _DOMAIN_OF


def domain_of(event_type: str) -> str:
    """Domain owning an event type, e.g. ``"training"``; ``KeyError`` if not an event."""
    try:
        return _DOMAIN_OF[_strip_type_url(event_type)]
    except KeyError:
        raise KeyError(f"unknown event type {event_type!r}") from None


@lru_cache(maxsize=1024)  # every event decoded asks; unknown names raise and are not kept
def message_class(event_type: str) -> type[Message]:
    """Generated class for a fully-qualified message name.

    Accepts ``"naloxone.training.v1.OfficerEnrolled"`` or the same behind a type URL
    (``"type.googleapis.com/naloxone.training.v1.OfficerEnrolled"``). Resolves any
    message in the default descriptor pool (events, the envelope, well-known
    types); use :func:`is_event_type` to accept only domain events.
    Raises ``KeyError`` if the name is unknown.
    """
    name = _strip_type_url(event_type)
    try:
        descriptor = descriptor_pool.Default().FindMessageTypeByName(name)
    except KeyError:
        raise KeyError(f"unknown message type {event_type!r}") from None
    return GetMessageClass(descriptor)
