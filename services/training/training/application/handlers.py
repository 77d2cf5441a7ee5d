"""Command handlers: load the officer, let the domain decide, save with the response.

The response is computed before the append so it can be stored with the events in
one statement: a retry with the same Idempotency-Key gets exactly this answer back.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from uuid import UUID

from naloxone_kernel.repository import CommandContext, CommandResult, Repository, run_idempotently

from ..domain import (
    Officer,
    OfficerNotFound,
    OfficerRole,
    TrainingDelivery,
    WithdrawalReason,
    officer_id_for,
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
    valid_until: date
    delivery: TrainingDelivery | None = None


@dataclass(frozen=True)
class WithdrawOfficer:
    force_id: str
    officer_id: UUID
    reason: WithdrawalReason
    withdrawn_on: date


class TrainingCommands:
    def __init__(self, officers: Repository[Officer]) -> None:
        self.officers = officers

    async def _load_in_force(self, force_id: str, officer_id: UUID) -> Officer:
        officer = await self.officers.get(officer_id)
        if officer.force_id != force_id:  # unknown here, or another force's officer: both are 404
            raise OfficerNotFound(str(officer_id))
        return officer

    async def _commit(self, officer: Officer, force_id: str, ctx: CommandContext, status: int) -> CommandResult:
        body = {
            "officer_id": str(officer.id),
            "version": officer.version + len(officer.pending),
            "events": [e.event_type for e in officer.pending],
        }
        await self.officers.save(officer, force_id, ctx, (status, body))
        return CommandResult(status, body)

    async def enrol(self, cmd: EnrolOfficer, ctx: CommandContext) -> CommandResult:
        async def execute() -> CommandResult:
            officer = await self.officers.get(officer_id_for(cmd.force_id, cmd.staff_number))
            officer.enrol(force_id=cmd.force_id, staff_number=cmd.staff_number, role=cmd.role,
                          enrolled_on=cmd.enrolled_on, area_code=cmd.area_code)
            return await self._commit(officer, cmd.force_id, ctx, 201)

        return await run_idempotently(self.officers.store, ctx, execute)

    async def record_training(self, cmd: RecordTraining, ctx: CommandContext) -> CommandResult:
        async def execute() -> CommandResult:
            officer = await self._load_in_force(cmd.force_id, cmd.officer_id)
            officer.record_training(course=cmd.course, provider=cmd.provider, completed_on=cmd.completed_on,
                                    valid_until=cmd.valid_until, delivery=cmd.delivery)
            return await self._commit(officer, cmd.force_id, ctx, 201)

        return await run_idempotently(self.officers.store, ctx, execute)

    async def withdraw(self, cmd: WithdrawOfficer, ctx: CommandContext) -> CommandResult:
        async def execute() -> CommandResult:
            officer = await self._load_in_force(cmd.force_id, cmd.officer_id)
            officer.withdraw(reason=cmd.reason, withdrawn_on=cmd.withdrawn_on)
            return await self._commit(officer, cmd.force_id, ctx, 201)

        return await run_idempotently(self.officers.store, ctx, execute)

    async def expire_certification(self, force_id: str, officer_id: UUID, today: date, ctx: CommandContext) -> bool:
        """Used by the scheduled expiry process; the idempotency key makes a rerun a no-op."""

        async def execute() -> CommandResult:
            officer = await self._load_in_force(force_id, officer_id)
            if not officer.expire_certification(today=today):
                return CommandResult(200, {"officer_id": str(officer_id), "expired": False})
            return await self._commit(officer, force_id, ctx, 201)

        result = await run_idempotently(self.officers.store, ctx, execute)
        return result.status_code == 201 and not result.replayed
