"""The Subject aggregate: a person known to a force only by pseudonym, and erasure requests about them.

Its id is derived from (force, pseudonym), so every erasure request about one person in
one force is one stream. Each request is a fact of its own (a second request erases
what was recorded since the first), so none is refused.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import ClassVar
from uuid import NAMESPACE_URL, UUID, uuid5

from naloxone_kernel.domain import Aggregate, DomainEvent

from .values import checked_instant


def subject_id(force_id: str, pseudonym: str) -> UUID:
    return uuid5(NAMESPACE_URL, f"naloxone:subject:{force_id}:{pseudonym}")


@dataclass(frozen=True, kw_only=True)
class SubjectErased(DomainEvent):
    event_type: ClassVar[str] = "SubjectErased"
    force_id: str
    subject_pseudonym: str
    request_id: UUID
    erased_at: datetime
    records_shredded: int


SUBJECT_EVENTS = (SubjectErased,)


class Subject(Aggregate):
    aggregate_type = "Subject"

    def __init__(self, aggregate_id: UUID) -> None:
        super().__init__(aggregate_id)
        self.erasures: list[datetime] = []

    def erase(self, *, force_id: str, pseudonym: str, request_id: UUID, erased_at: datetime,
              records_shredded: int) -> None:
        checked_instant(erased_at, "erased_at")
        self._raise(SubjectErased(force_id=force_id, subject_pseudonym=pseudonym, request_id=request_id,
                                  erased_at=erased_at, records_shredded=records_shredded))

    def apply(self, event: DomainEvent) -> None:
        match event:
            case SubjectErased():
                self.force_id = event.force_id
                self.erasures.append(event.erased_at)
