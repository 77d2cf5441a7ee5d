"""The Commissioning aggregate: which partner organisation a force contracts for a scheme, and when.

One stream per (force, scheme), its id derived from them, so the process manager and an
officer's referral find the partner by force and scheme alone. One partner holds a scheme
at a time: commissioning another from a day ends the one before on the day before. The
history is kept, so an offer is routed to the partner contracted on the day of the fact
that opened it, whenever (and however often) that fact is processed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import ClassVar
from uuid import NAMESPACE_URL, UUID, uuid5

from naloxone_kernel.domain import Aggregate, DomainError, DomainEvent, InvalidValue

from .values import Scheme, checked_org, checked_scheme_code


def commissioning_id(force_id: str, scheme: Scheme) -> UUID:
    return uuid5(NAMESPACE_URL, f"naloxone:commissioning:{force_id}:{scheme.value}")


@dataclass(frozen=True, kw_only=True)
class PartnerCommissioned(DomainEvent):
    event_type: ClassVar[str] = "PartnerCommissioned"
    force_id: str
    scheme: Scheme
    partner_org: str
    starts_on: date
    scheme_code: str | None = None


@dataclass(frozen=True, kw_only=True)
class PartnerCommissionEnded(DomainEvent):
    event_type: ClassVar[str] = "PartnerCommissionEnded"
    force_id: str
    scheme: Scheme
    partner_org: str
    ends_on: date


COMMISSIONING_EVENTS = (PartnerCommissioned, PartnerCommissionEnded)


@dataclass
class Period:
    partner_org: str
    scheme_code: str | None
    starts_on: date
    ends_on: date | None = None

    def covers(self, day: date) -> bool:
        return self.starts_on <= day and (self.ends_on is None or day <= self.ends_on)

    def as_json(self) -> dict:
        return {"partner_org": self.partner_org, "scheme_code": self.scheme_code,
                "starts_on": self.starts_on.isoformat(), "ends_on": self.ends_on.isoformat() if self.ends_on else None}


class Commissioning(Aggregate):
    aggregate_type = "Commissioning"

    def __init__(self, aggregate_id: UUID) -> None:
        super().__init__(aggregate_id)
        self.scheme: Scheme | None = None
        self.periods: list[Period] = []

    @property
    def latest(self) -> Period | None:
        return self.periods[-1] if self.periods else None

    def partner_on(self, day: date) -> Period | None:
        """The partner contracted for the scheme on that day, if any."""
        return next((p for p in reversed(self.periods) if p.covers(day)), None)

    def commission(self, *, force_id: str, scheme: Scheme, partner_org: str, starts_on: date,
                   scheme_code: str | None = None) -> None:
        """Contract `partner_org` for the scheme from `starts_on` (the partner before ends the day before).

        Saying again what already holds changes nothing (a PUT repeated); history is never
        rewritten: a new contract starts after the latest one started.
        """
        checked_org(partner_org)
        checked_scheme_code(scheme_code)
        latest = self.latest
        if latest is not None and latest.ends_on is None and (latest.partner_org, latest.scheme_code) == (
                partner_org, scheme_code) and starts_on >= latest.starts_on:
            return
        if latest is not None and starts_on <= latest.starts_on:
            raise DomainError(f"{latest.partner_org} holds scheme {scheme.value} from {latest.starts_on.isoformat()}; "
                              "a new contract starts after that day (the history is not rewritten)")
        if latest is not None and latest.ends_on is not None and starts_on <= latest.ends_on:
            raise DomainError(f"{latest.partner_org} holds scheme {scheme.value} until "
                              f"{latest.ends_on.isoformat()}; a new contract starts after that day")
        if latest is not None and latest.ends_on is None:
            self._raise(PartnerCommissionEnded(force_id=force_id, scheme=scheme, partner_org=latest.partner_org,
                                               ends_on=starts_on - timedelta(days=1)))
        self._raise(PartnerCommissioned(force_id=force_id, scheme=scheme, partner_org=partner_org,
                                        starts_on=starts_on, scheme_code=scheme_code))

    def end(self, *, ends_on: date) -> None:
        latest = self.latest
        if latest is None or latest.ends_on is not None:
            raise DomainError(f"no partner holds scheme {self.scheme.value if self.scheme else ''} "
                              "open-endedly; there is no contract to end".replace("  ", " "))
        if ends_on < latest.starts_on:
            raise InvalidValue(f"ends_on {ends_on.isoformat()} is before the contract started "
                               f"({latest.starts_on.isoformat()})", field="ends_on")
        self._raise(PartnerCommissionEnded(force_id=self.force_id, scheme=self.scheme,
                                           partner_org=latest.partner_org, ends_on=ends_on))

    def apply(self, event: DomainEvent) -> None:
        match event:
            case PartnerCommissioned():
                self.force_id, self.scheme = event.force_id, event.scheme
                self.periods.append(Period(event.partner_org, event.scheme_code, event.starts_on))
            case PartnerCommissionEnded():
                self.latest.ends_on = event.ends_on
