"""The training HTTP API: commands append events; queries read the projected views."""

from datetime import date
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends, Query
from naloxone_kernel.domain import NotFound
from naloxone_kernel.http import page
from naloxone_kernel.service import Command, Kit, ServiceParts, force_scope, respond

from ..adapters.contracts import to_proto
from ..application import handlers as h
from ..application.jobs import JOBS
from ..domain import TRAINING_EVENTS, officer_id_for
from ..projections import TrainingQueries, TrainingReadModel
from .schemas import (
    BulkEnrolmentBody,
    CertificationPolicyBody,
    EnrolOfficerBody,
    TrainingRecordBody,
    WithdrawalBody,
)

WRITERS = frozenset({"officer", "custody", "trainer", "force_admin"})
READERS = WRITERS | {"auditor"}
ADMINS = frozenset({"force_admin"})

ReadForce = Annotated[str, Depends(force_scope(READERS))]
WriteForce = Annotated[str, Depends(force_scope(WRITERS))]
AdminForce = Annotated[str, Depends(force_scope(ADMINS))]

router = APIRouter()


def officer_location(force_id: str, body: dict) -> str:
    return f"/v1/forces/{force_id}/officers/{body['officer_id']}"


@router.post("/v1/forces/{force_id}/officers", status_code=201, tags=["commands"])
async def enrol_officer(force_id: WriteForce, body: EnrolOfficerBody, ctx: Command, kit: Kit):
    """Enrol an officer or member of staff in the force's naloxone scheme."""
    result = await kit.runner.run(ctx, h.enrol(h.EnrolOfficer(
        force_id=force_id, staff_number=body.staff_number, role=body.role, enrolled_on=body.enrolled_on,
        area_code=body.area_code)))
    return respond(result, location=officer_location(force_id, result.body))


@router.post("/v1/forces/{force_id}/officers/bulk", status_code=201, tags=["commands"])
async def enrol_officers(force_id: WriteForce, body: BulkEnrolmentBody, ctx: Command, kit: Kit):
    """Enrol up to 500 officers at once, each with the courses they completed (a force joining
    the scheme brings its register; a training unit, a course's roster). All or nothing: an
    officer already enrolled, or a course the rules refuse, refuses the whole list and names
    the officer's place in it. Answers the officers' ids in the order given."""
    result = await kit.runner.run(ctx, h.enrol_many(h.EnrolOfficers(force_id=force_id, officers=tuple(
        (h.EnrolOfficer(force_id=force_id, staff_number=o.staff_number, role=o.role, enrolled_on=o.enrolled_on,
                        area_code=o.area_code),
         tuple(h.RecordTraining(force_id=force_id, officer_id=officer_id_for(force_id, o.staff_number),
                                course=t.course, provider=t.provider, completed_on=t.completed_on,
                                valid_until=t.valid_until, delivery=t.delivery) for t in o.training_records))
        for o in body.officers))))
    return respond(result, changed=201)


@router.post("/v1/forces/{force_id}/officers/{officer_id}/training-records", status_code=201, tags=["commands"])
async def record_training(force_id: WriteForce, officer_id: UUID, body: TrainingRecordBody, ctx: Command, kit: Kit):
    """Record a completed naloxone course. Without `valid_until`, the force's certification
    policy decides how long it lasts (12 months unless the force set otherwise); a
    refresher extends the certification."""
    result = await kit.runner.run(ctx, h.record_training(h.RecordTraining(
        force_id=force_id, officer_id=officer_id, course=body.course, provider=body.provider,
        completed_on=body.completed_on, valid_until=body.valid_until, delivery=body.delivery)))
    return respond(result, location=officer_location(force_id, result.body), changed=201)


@router.post("/v1/forces/{force_id}/officers/{officer_id}/withdrawal", status_code=201, tags=["commands"])
async def withdraw_officer(force_id: WriteForce, officer_id: UUID, body: WithdrawalBody, ctx: Command, kit: Kit):
    """Withdraw an officer from the scheme (left the force, opted out, role change)."""
    result = await kit.runner.run(ctx, h.withdraw(h.WithdrawOfficer(
        force_id=force_id, officer_id=officer_id, reason=body.reason, withdrawn_on=body.withdrawn_on)))
    return respond(result, location=officer_location(force_id, result.body), changed=201)


@router.put("/v1/forces/{force_id}/training/policy", tags=["commands"])
async def set_policy(force_id: AdminForce, body: CertificationPolicyBody, ctx: Command, kit: Kit):
    """Set how many months a certification lasts after training (force admins only)."""
    result = await kit.runner.run(ctx, h.set_certification_policy(h.SetCertificationPolicy(
        force_id=force_id, certification_months=body.certification_months, effective_on=body.effective_on)))
    return respond(result, created=200)


@router.get("/v1/forces/{force_id}/training/policy", tags=["queries"])
async def get_policy(force_id: ReadForce, kit: Kit):
    return await kit.queries.policy(force_id)


@router.get("/v1/forces/{force_id}/officers", tags=["queries"])
async def list_officers(
    force_id: ReadForce,
    kit: Kit,
    status: Annotated[str | None, Query(pattern="^(active|withdrawn)$")] = None,
    certification: Annotated[str | None, Query(pattern="^(untrained|certified|expired)$")] = None,
    carrying: Annotated[bool | None, Query(description="only officers holding (or not) a kit")] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    after: Annotated[str | None, Query(max_length=20, pattern=r"^[A-Za-z0-9._/-]+$",
                                       description="staff number to page after")] = None,
):
    """The force's enrolled officers (carriers by status), ordered by staff number."""
    items = await kit.queries.officers(force_id, status=status, certification=certification, carrying=carrying,
                                       limit=limit, after_staff_number=after)
    return page(items, limit, "staff_number")


@router.get("/v1/forces/{force_id}/officers/{officer_id}", tags=["queries"])
async def get_officer(force_id: ReadForce, officer_id: UUID, kit: Kit):
    officer = await kit.queries.officer(force_id, officer_id)
    if officer is None:
        raise NotFound("officer", officer_id, force_id)
    return officer


@router.get("/v1/forces/{force_id}/training/lapsing", tags=["queries"])
async def lapsing(
    force_id: ReadForce,
    kit: Kit,
    within_days: Annotated[int, Query(ge=0, le=366)] = 30,
    on: Annotated[date | None, Query(description="the day to count from (default today)")] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
):
    """Active officers whose certification lapses within `within_days` days: who needs a refresher."""
    return {"items": await kit.queries.lapsing(force_id, on or date.today(), within_days, limit)}


@router.get("/v1/forces/{force_id}/training/summary", tags=["queries"])
async def training_summary(force_id: ReadForce, kit: Kit):
    """Uptake: enrolled, active, trained, currently certified, expired, untrained, carrying a kit."""
    return await kit.queries.summary(force_id)


service = ServiceParts(
    router=router,
    events=TRAINING_EVENTS,
    to_proto=to_proto,
    read_models=(TrainingReadModel(),),
    queries=TrainingQueries,
    jobs=JOBS,
    description="Officers and staff in each force's naloxone scheme: enrolment, training, certification.",
)
