"""Training's commands and the decisions they run; the kit's runner makes them idempotent.

Each command is a plain dataclass; `decide(cmd)` returns the decision the kernel's
CommandRunner executes in one unit of work. No HTTP here: outcomes, not status codes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from uuid import UUID

from naloxone_kernel.commands import Decision, Session
from naloxone_kernel.domain import naming_item

from ..domain import (
    Officer,
    OfficerRole,
    TrainingDelivery,
    TrainingPolicy,
    WithdrawalReason,
    officer_id_for,
    policy_id_for,
)


@dataclass(frozen=True)
class EnrolOfficer:
    force_id: str
    staff_number: str
    role: OfficerRole
    enrolled_on: date
    area_code: str | None = None


@dataclass(frozen=True)
class RecordTraining:
    force_id: str
    officer_id: UUID
    course: str
    provider: str
    completed_on: date
    valid_until: date | None = None  # None: the force's certification policy decides
    delivery: TrainingDelivery | None = None


@dataclass(frozen=True)
class WithdrawOfficer:
    force_id: str
    officer_id: UUID
    reason: WithdrawalReason
    withdrawn_on: date


@dataclass(frozen=True)
class ExpireCertification:
    force_id: str
    officer_id: UUID
    today: date


@dataclass(frozen=True)
class SetCertificationPolicy:
    force_id: str
    certification_months: int
    effective_on: date


def _officer_body(officer: Officer) -> dict:
    return {"officer_id": str(officer.id)}


def enrol(cmd: EnrolOfficer) -> Decision:
    async def decide(session: Session) -> dict:
        officer = await session.get(Officer, officer_id_for(cmd.force_id, cmd.staff_number))
        officer.enrol(force_id=cmd.force_id, staff_number=cmd.staff_number, role=cmd.role,
                      enrolled_on=cmd.enrolled_on, area_code=cmd.area_code)
        return _officer_body(officer)

    return decide


async def _train(session: Session, officer: Officer, cmd: RecordTraining) -> date:
    """The course on the officer's record; without its own end, the force's policy decides it."""
    valid_until = cmd.valid_until
    if valid_until is None:
        policy = await session.get(TrainingPolicy, policy_id_for(cmd.force_id))
        valid_until = policy.valid_until(cmd.completed_on)
    officer.record_training(course=cmd.course, provider=cmd.provider, completed_on=cmd.completed_on,
                            valid_until=valid_until, delivery=cmd.delivery)
    return valid_until


def record_training(cmd: RecordTraining) -> Decision:
    async def decide(session: Session) -> dict:
        officer = await session.existing(Officer, cmd.officer_id, cmd.force_id, "officer")
        valid_until = await _train(session, officer, cmd)
        return _officer_body(officer) | {"valid_until": valid_until.isoformat()}

    return decide


@dataclass(frozen=True)
class EnrolOfficers:
    """Many officers at once, each with the courses they completed (RecordTraining naming the
    officer the enrolment makes): a force joining the scheme brings its register, a training
    unit its course roster. All or nothing."""
    force_id: str
    officers: tuple[tuple[EnrolOfficer, tuple[RecordTraining, ...]], ...]


def enrol_many(cmd: EnrolOfficers) -> Decision:
    """Each officer enrolled and trained as `enrol` and `record_training` would, in one unit of
    work; a refusal names the officer's place in the list, and nothing is appended."""

    async def decide(session: Session) -> dict:
        ids = [officer_id_for(cmd.force_id, e.staff_number) for e, _ in cmd.officers]
        officers = await session.get_many(Officer, ids)
        for index, ((e, courses), officer) in enumerate(zip(cmd.officers, officers)):
            with naming_item("officers", index, e.staff_number):
                officer.enrol(force_id=cmd.force_id, staff_number=e.staff_number, role=e.role,
                              enrolled_on=e.enrolled_on, area_code=e.area_code)
                for course in courses:
                    await _train(session, officer, course)
        return {"officer_ids": [str(i) for i in ids]}

    return decide


def withdraw(cmd: WithdrawOfficer) -> Decision:
    async def decide(session: Session) -> dict:
        officer = await session.existing(Officer, cmd.officer_id, cmd.force_id, "officer")
        officer.withdraw(reason=cmd.reason, withdrawn_on=cmd.withdrawn_on)
        return _officer_body(officer)

    return decide


def expire_certification(cmd: ExpireCertification) -> Decision:
    """Used by the scheduled expiry job; nothing to do is an `unchanged` outcome."""

    async def decide(session: Session) -> dict:
        officer = await session.existing(Officer, cmd.officer_id, cmd.force_id, "officer")
        officer.expire_certification(today=cmd.today)
        return _officer_body(officer)

    return decide


def set_certification_policy(cmd: SetCertificationPolicy) -> Decision:
    async def decide(session: Session) -> dict:
        policy = await session.get(TrainingPolicy, policy_id_for(cmd.force_id))
        policy.set_certification_months(force_id=cmd.force_id, months=cmd.certification_months,
                                        effective_on=cmd.effective_on)
        return {"force_id": cmd.force_id, "certification_months": policy.certification_months}

    return decide
