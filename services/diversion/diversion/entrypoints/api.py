"""The diversion HTTP API: referrals under /v1/forces/{force_id}/referrals and a partner's worklist
under /v1/partners/{org}/referrals.

Force users make referrals; the partner organisation a referral is routed to (or the force)
records its acceptance or decline, the engagement in treatment and the closure. A partner's
worker reaches a force only where the organisation has an active agreement with it (the
kit's force scope) and changes only referrals routed to their own organisation. Literal
routes (funnel, export.csv, contracts) are declared before `{referral_id}`, so an id never
captures them.
"""

import csv
import io
from datetime import UTC, date, datetime
from typing import Annotated
from uuid import UUID, uuid4

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response
from naloxone_kernel.auth import Forbidden, Identity
from naloxone_kernel.domain import NotFound, uk_day
from naloxone_kernel.http import page
from naloxone_kernel.partners import forces_for_org
from naloxone_kernel.personal_data import PersonalData, as_bytes, retention_job, run_with_keys, shown_status
from naloxone_kernel.service import Caller, Command, Kit, ServiceParts, force_scope, partner_scope, respond

from ..adapters.contracts import to_proto
from ..application import handlers as h
from ..application.reactions import REACTIONS
from ..domain import DIVERSION_EVENTS, Consent, Referral, Scheme, Status
from ..projections import DiversionQueries, DiversionReadModel, public
from ..settings import DiversionSettings
from .schemas import (
    AcceptanceBody,
    ClosureBody,
    ContractBody,
    ContractEndingBody,
    DeclineBody,
    EngagementBody,
    ReferralBody,
)

MAKERS = frozenset({"officer", "custody", "force_admin"})
#: Who records what came of a referral: the partner it is routed to, or the force.
STEPPERS = MAKERS | {"partner"}
READERS = STEPPERS | {"auditor"}
#: Aggregates (analytics): not for submit-only roles (officer, custody, partner), as the gateway rules.
FUNNEL_READERS = frozenset({"force_admin", "trainer", "auditor", "national_lead"})
#: Per-person records for NDTMS returns: the force, its auditor, and the partner (its own referrals).
EXPORTERS = frozenset({"force_admin", "auditor", "partner"})
CONTRACT_MANAGERS = frozenset({"force_admin"})

MakeForce = Annotated[str, Depends(force_scope(MAKERS))]
StepForce = Annotated[str, Depends(force_scope(STEPPERS))]
ReadForce = Annotated[str, Depends(force_scope(READERS))]
FunnelForce = Annotated[str, Depends(force_scope(FUNNEL_READERS))]
ExportForce = Annotated[str, Depends(force_scope(EXPORTERS))]
ContractForce = Annotated[str, Depends(force_scope(CONTRACT_MANAGERS))]
PartnerOrg = Annotated[str, Depends(partner_scope())]
Limit = Annotated[int, Query(ge=1, le=500)]
Day = Annotated[date | None, Query()]

router = APIRouter()
BASE = "/v1/forces/{force_id}/referrals"


def personal(kit) -> PersonalData:
    return PersonalData.of(kit.settings)


def acting_org(identity: Identity) -> str | None:
    """The organisation a partner's worker acts for; None for a force's own users."""
    return identity.org if identity.kind == "partner" else None


def _location(force_id: str, referral_id) -> str:
    return f"/v1/forces/{force_id}/referrals/{referral_id}"


def _today() -> date:
    return uk_day(datetime.now(UTC))


# --- commands ------------------------------------------------------------------------------

@router.post(BASE, status_code=201, tags=["commands"])
async def make_referral(force_id: MakeForce, body: ReferralBody, ctx: Command, kit: Kit):
    """Refer a person, with their consent, into a scheme. The referral goes to the partner the force
    contracts for the scheme on the day (409 if none). The person is only a pseudonym (from
    `subject.local_identifier`); how to contact them and the note are sealed with the referral's own key."""
    pd = personal(kit)
    subject = body.subject
    pseudonym = subject.pseudonym or pd.pseudonym(force_id, subject.local_identifier.get_secret_value())
    now = datetime.now(UTC)
    cmd = h.MakeReferral(
        force_id=force_id, referral_id=uuid4(), subject_pseudonym=pseudonym, source=body.source, scheme=body.scheme,
        consent=Consent.GIVEN, referred_at=body.referred_at or now, now=now, partner_org=body.partner_org,
        referring_officer_id=body.referring_officer_id, incident_id=body.incident_id, area_code=body.area_code,
        personal={"contact": {"text": body.contact.get_secret_value()} if body.contact is not None else None,
                  "note": {"text": body.note.get_secret_value()} if body.note is not None else None})
    result = await run_with_keys(kit.pool, kit.runner.mapper, pd, ctx, lambda keys: h.make_referral(cmd, keys))
    return respond(result, location=_location(force_id, result.body["referral_id"]))


async def _step(force_id: str, referral_id: UUID, ctx, kit, decision):
    result = await kit.runner.run(ctx, decision)
    return respond(result, location=_location(force_id, referral_id))


@router.post(BASE + "/{referral_id}/acceptance", tags=["commands"])
async def accept(force_id: StepForce, referral_id: UUID, body: AcceptanceBody, ctx: Command, kit: Kit,
                 identity: Caller):
    """The person took up the referral and the partner accepted them (with their consent: an offer opened
    after an overdose needs `consent: true` here)."""
    return await _step(force_id, referral_id, ctx, kit, h.accept(h.Accept(
        force_id, referral_id, body.accepted_on, _today(), acting_org(identity), consent_given=body.consent)))


@router.post(BASE + "/{referral_id}/decline", tags=["commands"])
async def decline(force_id: StepForce, referral_id: UUID, body: DeclineBody, ctx: Command, kit: Kit,
                  identity: Caller):
    """The referral was not taken up, with the reason."""
    return await _step(force_id, referral_id, ctx, kit, h.decline(h.Decline(
        force_id, referral_id, body.declined_on, _today(), acting_org(identity), reason=body.reason)))


@router.post(BASE + "/{referral_id}/engagement", tags=["commands"])
async def engage(force_id: StepForce, referral_id: UUID, body: EngagementBody, ctx: Command, kit: Kit,
                 identity: Caller):
    """Treatment engaged: the first appointment or session attended (an accepted referral only)."""
    return await _step(force_id, referral_id, ctx, kit, h.engage(h.Engage(
        force_id, referral_id, body.engaged_on, _today(), acting_org(identity), intervention=body.intervention)))


@router.post(BASE + "/{referral_id}/closure", tags=["commands"])
async def close(force_id: StepForce, referral_id: UUID, body: ClosureBody, ctx: Command, kit: Kit,
                identity: Caller):
    """The referral ended: completed (only after engaging), disengaged, transferred, died or other."""
    return await _step(force_id, referral_id, ctx, kit, h.close(h.Close(
        force_id, referral_id, body.closed_on, _today(), acting_org(identity), closure=body.closure)))


@router.put(BASE + "/contracts/{scheme}", tags=["contracts"])
async def commission(force_id: ContractForce, scheme: Scheme, body: ContractBody, ctx: Command, kit: Kit):
    """Contract a partner organisation for a scheme from a day (force admins); the partner contracted
    before ends the day before. Referrals and offers go to the partner contracted on their day."""
    result = await kit.runner.run(ctx, h.commission(h.Commission(
        force_id=force_id, scheme=scheme, partner_org=body.partner_org, starts_on=body.starts_on,
        scheme_code=body.scheme_code)))
    return respond(result, created=200)


@router.post(BASE + "/contracts/{scheme}/ending", tags=["contracts"])
async def end_commission(force_id: ContractForce, scheme: Scheme, body: ContractEndingBody, ctx: Command,
                         kit: Kit):
    """End the force's contract for a scheme on a day; no partner holds it until another is contracted."""
    result = await kit.runner.run(ctx, h.end_commission(h.EndCommission(force_id, scheme, body.ends_on)))
    return respond(result)


# --- queries -------------------------------------------------------------------------------

def _own_org(identity: Identity, partner_org: str | None) -> str | None:
    """A partner's worker sees only their own organisation's referrals."""
    org = acting_org(identity)
    if org is not None and partner_org not in (None, org):
        raise Forbidden(f"workers of '{org}' see only referrals routed to '{org}'")
    return org or partner_org


@router.get(BASE, tags=["queries"])
async def list_referrals(force_id: ReadForce, kit: Kit, identity: Caller, limit: Limit = 100,
                         after: UUID | None = None, status: Status | None = None, scheme: Scheme | None = None,
                         partner_org: str | None = None):
    """The force's referrals, newest first (a partner's worker: only those routed to their organisation)."""
    rows = await kit.queries.referrals([force_id], limit=limit, after=after, status=status, scheme=scheme,
                                       partner_org=_own_org(identity, partner_org))
    return page([public(r) for r in rows], limit, "referral_id")


@router.get(BASE + "/funnel", tags=["queries"])
async def funnel(force_id: FunnelForce, kit: Kit, since: Day = None, until: Day = None):
    """Made -> accepted -> engaged -> completed, per partner and scheme and in total, with the median
    days from referral to engagement, for referrals made between `since` and `until` (UK days)."""
    figures = await kit.queries.funnel(force_id, since=since, until=until)
    return {"force_id": force_id, "since": since, "until": until} | figures


#: The export's columns, in the shape of an NDTMS criminal-justice intervention record.
EXPORT_COLUMNS = ("CLIENT_REFERENCE", "CONSENT", "FORCE", "AREA", "REFERRAL_ID", "REFERRAL_DATE",
                  "REFERRAL_SOURCE", "SCHEME", "SCHEME_CODE", "PROVIDER", "ACCEPTED_DATE", "DECLINED_DATE",
                  "DECLINE_REASON", "ENGAGED_DATE", "INTERVENTION", "DISCHARGE_DATE", "DISCHARGE_REASON",
                  "NALOXISS", "NALOXAD")


def _day(value: date | None) -> str:
    return value.strftime("%d/%m/%Y") if value else ""


def _yes(flag: bool) -> str:
    return "Y" if flag else "N"


def export_row(r) -> list[str]:
    erased = r["shredded"] == "erasure"
    return ["" if erased else r["subject_pseudonym"], _yes(r["consent"] == "given"), r["force_id"],
            r["area_code"] or "", str(r["referral_id"]), _day(r["referred_on"]), r["source"], r["scheme"],
            r["scheme_code"] or "", r["partner_org"], _day(r["accepted_on"]), _day(r["declined_on"]),
            r["decline_reason"] or "", _day(r["engaged_on"]), r["intervention"] or "", _day(r["closed_on"]),
            r["closure"] or "", _yes(r["naloxone_supplied"]), _yes(r["naloxone_administered"])]


@router.get(BASE + "/export.csv", tags=["queries"], response_class=Response,
            responses={200: {"content": {"text/csv": {}}, "description": "one row per referral"}})
async def export(force_id: ExportForce, kit: Kit, identity: Caller, since: Day = None, until: Day = None):
    """One row per referral in the shape of an NDTMS criminal-justice intervention record (dates dd/mm/yyyy):
    the client reference is the pseudonym (blank once erased); NALOXISS / NALOXAD say whether the person
    had take-home naloxone supplied / naloxone administered in the force. A partner's worker exports only
    referrals routed to their organisation."""
    rows = await kit.queries.export(force_id, since=since, until=until, partner_org=acting_org(identity))
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(EXPORT_COLUMNS)
    writer.writerows(export_row(r) for r in rows)
    return Response(out.getvalue(), media_type="text/csv; charset=utf-8", headers={
        "Content-Disposition": f'attachment; filename="referrals-{force_id}.csv"'})


@router.get(BASE + "/contracts", tags=["contracts"])
async def contracts(force_id: ReadForce, kit: Kit):
    """Which partner organisation holds which scheme in the force, and from when."""
    return {"force_id": force_id, "items": await kit.queries.contracts(force_id)}


@router.get(BASE + "/{referral_id}", tags=["queries"])
async def get_referral(force_id: ReadForce, referral_id: UUID, kit: Kit, identity: Caller):
    """One referral with every dated step, and how to contact the person and the note opened for the
    force and the partner it is routed to (or marked erased)."""
    row = await kit.queries.referral(force_id, referral_id)
    if row is None:
        raise NotFound("referral", referral_id, force_id)
    org = acting_org(identity)
    if org is not None and row["partner_org"] != org:
        raise Forbidden(f"referral {referral_id} is routed to another organisation, not '{org}'")
    item = public(row)
    referral = kit.runner.mapper.replay(Referral, referral_id, await kit.runner.store.load(referral_id))
    made = referral.made
    opened = await personal(kit).keys(kit.pool).open([
        (as_bytes(getattr(made, f"{name}_sealed")) or None, h.sealing_context(referral_id, name)) for name in h.SEALED])
    for name, field in zip(h.SEALED, opened):
        item[name] = {"text": (field.value or {}).get("text"), "personal_data": shown_status(field, row["shredded"])}
    return item


@router.get("/v1/partners/{org}/referrals", tags=["partners"])
async def partner_worklist(org: PartnerOrg, kit: Kit, limit: Limit = 100,
                           after: UUID | None = None, status: Status | None = None, scheme: Scheme | None = None,
                           force: str | None = None):
    """The partner organisation's own worklist: referrals routed to it, newest first, in the forces it has
    an active agreement with today (optionally one of them)."""
    reached = await forces_for_org(kit.pool, org, _today())
    forces = sorted(reached) if force is None else [force] if force in reached else []
    rows = await kit.queries.referrals(forces, limit=limit, after=after, status=status, scheme=scheme,
                                       partner_org=org) if forces else []
    return page([public(r) for r in rows], limit, "referral_id")


service = ServiceParts(
    router=router,
    events=DIVERSION_EVENTS,
    to_proto=to_proto,
    read_models=(DiversionReadModel(),),
    queries=DiversionQueries,
    reactions=REACTIONS,
    jobs=(retention_job(h.RECORD_TYPE, Referral, "shred the personal fields of referrals past their retention "
                                                  "period (DIVERSION_RETENTION_DAYS) and record "
                                                  "ReferralPersonalDataShredded"),),
    settings=DiversionSettings,
    description="Referrals of people who use drugs into treatment and diversion schemes (arrest referral, "
                "Checkpoint-style deferred prosecution, drug education, treatment), to the partner organisation "
                "the force contracts for each scheme; their acceptance, engagement and closure; the offer the "
                "platform opens after an administration or a consented take-home supply; the funnel and an "
                "NDTMS-shaped export.",
)
