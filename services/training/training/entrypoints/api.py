"""The training HTTP API: commands append events; queries read the projected views."""


from contextlib import asynccontextmanager
from typing import Annotated
from uuid import UUID

from fastapi import Depends, FastAPI, Header, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from naloxone_kernel.auth import Identity, TokenVerifier, authorize_force
from naloxone_kernel.db import create_pool
from naloxone_kernel.projector import create_schema
from naloxone_kernel.http import (
    PlatformMiddleware,
    bearer_identity,
    error_body,
    install_error_handlers,
    install_probes,
    request_fingerprint,
)
from naloxone_kernel.logging import configure_logging, current_correlation_id
from naloxone_kernel.readiness import kafka_check
from naloxone_kernel.reference.forces import get_force
from naloxone_kernel.repository import CommandContext, CommandResult, IdempotencyKeyReused

from ..adapters.repository import officer_repository
from ..application.handlers import EnrolOfficer, RecordTraining, TrainingCommands, WithdrawOfficer
from ..config import TrainingSettings
from ..domain import OfficerNotFound
from ..projections import TrainingQueries, TrainingReadModel
from .schemas import EnrolOfficerBody, TrainingRecordBody, WithdrawalBody

WRITERS = frozenset({"officer", "custody", "trainer", "force_admin"})
READERS = WRITERS | {"auditor"}


def create_app(settings: TrainingSettings | None = None) -> FastAPI:
    settings = settings or TrainingSettings()
    configure_logging("training-api", settings.log_level)
    verifier = TokenVerifier.from_settings(settings)
    state: dict = {}

    @asynccontextmanager
    async def lifespan(_app: FastAPI):
        pool = await create_pool(settings.database_url, min_size=2, max_size=20)
        async with pool.acquire() as conn:  # queries work (empty) before the projector first runs
            await create_schema(conn, TrainingReadModel(), TrainingReadModel.name)
        commands = TrainingCommands(officer_repository(pool, settings.events_topic))
        state.update(pool=pool, commands=commands, queries=TrainingQueries(pool))
        yield
        await pool.close()

    app = FastAPI(title="Naloxone Partnership Platform: training", version="1", lifespan=lifespan)
    install_error_handlers(app)

    async def db_ready() -> None:
        await state["pool"].fetchval("SELECT 1")

    install_probes(app, {"postgres": db_ready, "kafka": kafka_check(settings.kafka_bootstrap)})

    @app.exception_handler(OfficerNotFound)
    async def _not_found(_request, exc: OfficerNotFound):
        return JSONResponse(status_code=404, content=error_body("not_found", f"no officer {exc} in this force"))

    @app.exception_handler(IdempotencyKeyReused)
    async def _key_reused(_request, exc: IdempotencyKeyReused):
        return JSONResponse(status_code=422, content=error_body("validation_failed", str(exc), [
            {"field": "header.Idempotency-Key", "rule": "reused_for_different_request", "message": str(exc)}]))

    identify = bearer_identity(verifier)

    def force_scope(roles: frozenset[str]):
        async def dependency(force_id: str, identity: Annotated[Identity, Depends(identify)]) -> str:
            if get_force(force_id) is None:
                raise RequestValidationError([{
                    "loc": ("path", "force_id"), "type": "unknown_force",
                    "msg": f"'{force_id}' is not a UK police force id (see GET /v1/reference/forces)"}])
            authorize_force(identity, force_id, roles)
            return force_id

        return dependency

    ReadForce = Annotated[str, Depends(force_scope(READERS))]
    WriteForce = Annotated[str, Depends(force_scope(WRITERS))]

    async def command_context(
        request: Request,
        identity: Annotated[Identity, Depends(identify)],
        idempotency_key: Annotated[str, Header(alias="Idempotency-Key", min_length=8, max_length=128,
                                               pattern=r"^[A-Za-z0-9._:-]+$")],
        if_match: Annotated[str | None, Header(alias="If-Match", pattern=r'^"?\d+"?$')] = None,
    ) -> CommandContext:
        body = await request.body()
        return CommandContext(
            actor=identity.as_actor(),
            correlation_id=current_correlation_id(),
            idempotency_key=f"{identity.as_actor()}:{idempotency_key}",
            fingerprint=request_fingerprint(request.method, request.url.path, body),
            expected_version=int(if_match.strip('"')) if if_match else None,
        )

    Ctx = Annotated[CommandContext, Depends(command_context)]

    def respond(result: CommandResult, request: Request) -> JSONResponse:
        headers = {"Location": f"/v1/forces/{request.path_params['force_id']}/officers/{result.body['officer_id']}",
                   "ETag": f'"{result.body.get("version")}"'}
        if result.replayed:
            headers["Idempotent-Replayed"] = "true"
        return JSONResponse(status_code=result.status_code, content=result.body, headers=headers)

    @app.post("/v1/forces/{force_id}/officers", status_code=201, tags=["commands"])
    async def enrol_officer(force_id: WriteForce, body: EnrolOfficerBody, ctx: Ctx, request: Request):
        """Enrol an officer or member of staff in the force's naloxone scheme."""
        result = await state["commands"].enrol(EnrolOfficer(
            force_id=force_id, staff_number=body.staff_number, role=body.role,
            enrolled_on=body.enrolled_on, area_code=body.area_code), ctx)
        return respond(result, request)

    @app.post("/v1/forces/{force_id}/officers/{officer_id}/training-records", status_code=201, tags=["commands"])
    async def record_training(force_id: WriteForce, officer_id: UUID, body: TrainingRecordBody, ctx: Ctx,
                              request: Request):
        """Record a completed naloxone course and how long the certification lasts."""
        result = await state["commands"].record_training(RecordTraining(
            force_id=force_id, officer_id=officer_id, course=body.course, provider=body.provider,
            completed_on=body.completed_on, valid_until=body.valid_until, delivery=body.delivery), ctx)
        return respond(result, request)

    @app.post("/v1/forces/{force_id}/officers/{officer_id}/withdrawal", status_code=201, tags=["commands"])
    async def withdraw_officer(force_id: WriteForce, officer_id: UUID, body: WithdrawalBody, ctx: Ctx,
                               request: Request):
        """Withdraw an officer from the scheme (left the force, opted out, role change)."""
        result = await state["commands"].withdraw(WithdrawOfficer(
            force_id=force_id, officer_id=officer_id, reason=body.reason, withdrawn_on=body.withdrawn_on), ctx)
        return respond(result, request)

    @app.get("/v1/forces/{force_id}/officers", tags=["queries"])
    async def list_officers(
        force_id: ReadForce,
        status: Annotated[str | None, Query(pattern="^(active|withdrawn)$")] = None,
        certification: Annotated[str | None, Query(pattern="^(untrained|certified|expired)$")] = None,
        limit: Annotated[int, Query(ge=1, le=500)] = 100,
        after: Annotated[str | None, Query(max_length=20, description="staff number to page after")] = None,
    ):
        """The force's enrolled officers from the read model, ordered by staff number."""
        items = await state["queries"].officers(force_id, status=status, certification=certification,
                                                limit=limit, after_staff_number=after)
        next_after = items[-1]["staff_number"] if len(items) == limit else None
        return {"items": items, "next_after": next_after}

    @app.get("/v1/forces/{force_id}/officers/{officer_id}", tags=["queries"])
    async def get_officer(force_id: ReadForce, officer_id: UUID):
        officer = await state["queries"].officer(force_id, officer_id)
        if officer is None:
            raise OfficerNotFound(str(officer_id))
        return officer

    @app.get("/v1/forces/{force_id}/training/summary", tags=["queries"])
    async def training_summary(force_id: ReadForce):
        """The force's headline numbers: enrolled, active, certified, expired, untrained."""
        return await state["queries"].summary(force_id)

    app.add_middleware(PlatformMiddleware, max_body_bytes=settings.max_body_bytes)
    return app
