"""The officer repository: the kernel's event store wired to the training domain and contract."""

import asyncpg

from naloxone_kernel.eventstore import EventStore
from naloxone_kernel.repository import Repository
from naloxone_kernel.serialization import EventRegistry

from ..domain import OFFICER_EVENTS, Officer
from .contracts import to_proto


def officer_repository(pool: asyncpg.Pool, events_topic: str) -> Repository[Officer]:
    return Repository(EventStore(pool), Officer, EventRegistry(*OFFICER_EVENTS), to_proto, events_topic)
