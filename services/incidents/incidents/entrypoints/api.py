"""The incidents HTTP API under /v1/forces/{force_id}/: administrations, outcomes, corrections,
the monthly summary, and the force's subjects (repeat-overdose history, erasure, subject access).

Personal fields are opened at read time with the key store: a destroyed key (erasure,
retention) reads as `erased` / `retention_expired`, whatever the views still hold.
"""

import json
from datetime import UTC, date, datetime, timedelta
from typing import Annotated, Any
from uuid import UUID, uuid4

from fastapi import APIRouter, Depends, Path, Query
from naloxone_kernel.domain import NotFound
from naloxone_kernel.http import page
from naloxone_kernel.personal_data import (
    ABSENT,
    AVAILABLE,
    ERASED,
    PSEUDONYM_PATTERN,
    RETENTION_EXPIRED,
    Opened,
    PersonalData,
    as_bytes,
    dpo_scope,
    run_with_keys,
)
from naloxone_kernel.serialization import event_to_json
from naloxone_kernel.schemas import MONTH_PATTERN
from naloxone_kernel.service import (
    Command,
    Kit,
    ServiceParts,
    force_scope,
    respond,
)

from ..adapters.contracts import to_proto
from ..application import handlers as h
from ..application.jobs import JOBS
from ..domain import (
    CORRECTABLE,
    INCIDENT_EVENTS,
    LIFE_SAVED_RULE,
    Administration,
    Subject,
    subject_id,
)
from ..projections import (
    IncidentsQueries,
    IncidentsReadModel,
    KitsView,
    OfficersView,
    public,
)
from ..settings import IncidentsSettings
from .schemas import (
    AdministrationBody,
    CorrectionBody,
    ErasureBody,
    OutcomeBody,
    PseudonymBody,
)

WRITERS = frozenset({"officer", "custody", "force_admin"})
READERS = WRITERS | {"auditor"}
#: The repeat-overdose history is for the force's own outreach: never partners or national leads.
OUTREACH = frozenset({"officer", "custody", "force_admin"})
#: Aggregates (analytics): not for submit-only roles (officer, custody, partner), as the gateway rules.
SUMMARY_READERS = frozenset({"force_admin", "trainer", "auditor", "national_lead"})

ReadForce = Annotated[str, Depends(force_scope(READERS))]
WriteForce = Annotated[str, Depends(force_scope(WRITERS))]
OutreachForce = Annotated[str, Depends(force_scope(OUTREACH))]
SummaryForce = Annotated[str, Depends(force_scope(SUMMARY_READERS))]
Pseudonym = Annotated[str, Path(pattern=PSEUDONYM_PATTERN, description="the subject's pseudonym in this force")]
Limit = Annotated[int, Query(ge=1, le=500)]
DpoForce = Annotated[str, Depends(dpo_scope)]
router = APIRouter()


def personal(kit) -> PersonalData:
    return PersonalData.of(kit.settings)


def _location(force_id: str, administration_id) -> str:
    return f"/v1/forces/{force_id}/administrations/{administration_id}"


# --- commands ------------------------------------------------------------------------------

@router.post("/v1/forces/{force_id}/administrations", status_code=201, tags=["commands"])
async def record_administration(force_id: WriteForce, body: AdministrationBody, ctx: Command, kit: Kit):
    """Record an administration of naloxone. Never refused for business reasons: an officer whose
    training lapsed, a kit not in their name or times out of order are recorded and flagged for
    governance. The person is only a pseudonym (from `subject.local_identifier`); age band, sex, exact
    place and note are sealed with the record's own data key."""
    pd = personal(kit)
    subject = body.subject
    pseudonym = pd.pseudonym(force_id, subject.local_identifier.get_secret_value()) \
        if subject is not None and subject.local_identifier is not None else None
    facts = body.model_dump(include={
        "administered_by", "staff_number", "given_before_police", "given_before_police_by", "kit_source", "kit_id",
        "call_at", "arrived_at", "administered_at", "ambulance_arrived_at", "doses", "route", "response_recorded",
        "responded_after_dose", "ambulance_called", "ambulance_attended", "outcome", "outcome_final",
        "conveyed_to_hospital"})
    facts |= {"suspected_substances": tuple(body.suspected_substances), "area_code": body.place.area_code,
              "subject_pseudonym": pseudonym}
    officer = await kit.queries.officer(force_id, body.staff_number) if body.staff_number else None
    kit_standing = await kit.queries.kit(body.kit_id) if body.kit_id else None
    cmd = h.RecordAdministration(
        force_id=force_id, administration_id=uuid4(), incident_id=body.incident_id or uuid4(),
        now=datetime.now(UTC), facts=facts, officer=officer, kit=kit_standing,
        personal={"location": body.place.location(),
                  "subject_details": subject.details() if subject is not None else None,
                  "note": {"text": body.note.get_secret_value()} if body.note is not None else None})
    result = await run_with_keys(kit.pool, kit.runner.mapper, pd, ctx, lambda keys: h.record(cmd, keys))
    return respond(result, location=_location(force_id, result.body["administration_id"]))


@router.post("/v1/forces/{force_id}/administrations/{administration_id}/outcome", tags=["commands"])
async def record_outcome(force_id: WriteForce, administration_id: UUID, body: OutcomeBody, ctx: Command, kit: Kit):
    """A later outcome (ambulance service, hospital, coroner, follow-up) or an outcome corrected: a new
    event with its source. Figures stay provisional until an outcome is final (a death always is)."""
    result = await kit.runner.run(ctx, h.record_outcome(h.RecordOutcome(
        force_id=force_id, administration_id=administration_id, **body.model_dump())))
    return respond(result, location=_location(force_id, administration_id))


@router.post("/v1/forces/{force_id}/administrations/{administration_id}/corrections", tags=["commands"])
async def correct_administration(force_id: WriteForce, administration_id: UUID, body: CorrectionBody, ctx: Command,
                                 kit: Kit):
    """Correct recorded facts, with a reason: a new event, never an update. Only the fields given change."""
    pd = personal(kit)
    given = body.model_fields_set
    changes: dict[str, Any] = {name: getattr(body, name) for name in given if name in CORRECTABLE}
    if "suspected_substances" in changes:
        changes["suspected_substances"] = tuple(changes["suspected_substances"])
    personal_fields: dict[str, Any] = {}
    if body.place is not None:
        changes["area_code"] = body.place.area_code
        if body.place.latitude is not None:
            personal_fields["location"] = body.place.location()
    if body.subject is not None:
        if body.subject.local_identifier is not None:
            changes["subject_pseudonym"] = pd.pseudonym(force_id, body.subject.local_identifier.get_secret_value())
        if body.subject.age_band is not None:
            personal_fields["subject_details"] = {"age_band": body.subject.age_band.value,
                                                  "sex": body.subject.sex.value}
    if body.note is not None:
        personal_fields["note"] = {"text": body.note.get_secret_value()}
    cmd = h.CorrectAdministration(force_id=force_id, administration_id=administration_id, reason=body.reason,
                                  now=datetime.now(UTC), changes=changes, personal=personal_fields)
    result = await run_with_keys(kit.pool, kit.runner.mapper, pd, ctx, lambda keys: h.correct(cmd, keys))
    return respond(result, location=_location(force_id, administration_id))


@router.post("/v1/forces/{force_id}/subjects/pseudonym", tags=["subjects"])
async def pseudonym(force_id: OutreachForce, body: PseudonymBody, kit: Kit):
    """The pseudonym of a person from the force's own identifier for them (nothing is stored)."""
    return {"subject_pseudonym": personal(kit).pseudonym(force_id, body.local_identifier.get_secret_value())}


@router.post("/v1/forces/{force_id}/subjects/{subject_pseudonym}/erasure", tags=["subjects"])
async def erase_subject(force_id: DpoForce, subject_pseudonym: Pseudonym, ctx: Command, kit: Kit,
                        body: ErasureBody | None = None):
    """A data-protection officer's erasure request: every data key of the subject in this force is
    destroyed (crypto-shredding) and SubjectErased is published for every other service holding keys.
    Afterwards their sealed fields read as erased everywhere; counts and statistics are unchanged."""
    cmd = h.EraseSubject(force_id=force_id, subject_pseudonym=subject_pseudonym,
                         request_id=(body.request_id if body and body.request_id else uuid4()), now=datetime.now(UTC))
    result = await run_with_keys(kit.pool, kit.runner.mapper, personal(kit), ctx,
                                 lambda keys: h.erase_subject(cmd, keys))
    return respond(result, created=200)


# --- queries -------------------------------------------------------------------------------

async def _opened(kit, rows) -> list[dict]:
    """Rows with their sealed fields opened at read time (erased / past retention when the key is gone)."""
    keys = personal(kit).keys(kit.pool)
    sealed = []
    for r in rows:
        sealed.append((r["location_ciphertext"], h.sealing_context(r["administration_id"], "location")))
        sealed.append((r["subject_details_ciphertext"], h.sealing_context(r["administration_id"], "subject_details")))
    opened = await keys.open(sealed)
    out = []
    for i, r in enumerate(rows):
        location, details = opened[2 * i], opened[2 * i + 1]
        item = public(r)
        item["place"] = {"area_code": r["area_code"], "latitude": (location.value or {}).get("latitude"),
                         "longitude": (location.value or {}).get("longitude"),
                         "personal_data": _status(location, r["shredded"])}
        item["subject"] = {"pseudonym": r["subject_pseudonym"], "age_band": (details.value or {}).get("age_band"),
                           "sex": (details.value or {}).get("sex"), "personal_data": _status(details, r["shredded"])}
        item["provisional"] = not r["outcome_final"]
        out.append(item)
    return out


def _status(opened: Opened, shredded: str | None) -> str:
    """What a reader is told of a sealed field: its key's state, or the view's record of a shred."""
    if opened.status != ABSENT:
        return opened.status
    return {"erasure": ERASED, "retention": RETENTION_EXPIRED}.get(shredded, ABSENT)


@router.get("/v1/forces/{force_id}/administrations", tags=["queries"])
async def list_administrations(force_id: ReadForce, kit: Kit, limit: Limit = 100, after: UUID | None = None,
                               flagged: bool | None = None,
                               month: Annotated[str | None, Query(pattern=MONTH_PATTERN)] = None):
    """Administrations newest first, with flags, outcome and whether the figures are provisional."""
    rows = await kit.queries.administrations(force_id, limit=limit, after=after, flagged=flagged,
                                             month=date.fromisoformat(f"{month}-01") if month else None)
    items = await _opened(kit, rows)
    return page(items, limit, "administration_id")


@router.get("/v1/forces/{force_id}/administrations/{administration_id}", tags=["queries"])
async def get_administration(force_id: ReadForce, administration_id: UUID, kit: Kit):
    """One administration, its personal fields opened for the force (or marked erased), the note, and
    the same person's earlier administrations in the force (repeat overdoses)."""
    row = await kit.queries.administration(force_id, administration_id)
    if row is None:
        raise NotFound("administration", administration_id, force_id)
    item = (await _opened(kit, [row]))[0]
    stream = await kit.runner.store.load(administration_id)
    aggregate = kit.runner.mapper.replay(Administration, administration_id, stream)
    note_sealed = aggregate.values.get("note_sealed")
    note = (await personal(kit).keys(kit.pool).open(
        [(as_bytes(note_sealed) if note_sealed else None, h.sealing_context(administration_id, "note"))]))[0]
    item["note"] = {"text": (note.value or {}).get("text"), "personal_data": _status(note, row["shredded"])}
    earlier = []
    if row["subject_pseudonym"]:
        for other in await kit.queries.subject_history(force_id, row["subject_pseudonym"]):
            if other["administered_at"] < row["administered_at"]:
                earlier.append({"administration_id": str(other["administration_id"]),
                                "administered_at": other["administered_at"].isoformat(),
                                "hours_before": round((row["administered_at"] - other["administered_at"])
                                                      .total_seconds() / 3600, 1)})
    item["earlier_administrations"] = earlier
    item["life_saved_rule"] = LIFE_SAVED_RULE
    return item


@router.get("/v1/forces/{force_id}/incidents/summary", tags=["queries"])
async def summary(force_id: SummaryForce, kit: Kit,
                  since: Annotated[str | None, Query(pattern=MONTH_PATTERN)] = None,
                  until: Annotated[str | None, Query(pattern=MONTH_PATTERN)] = None):
    """By month: incidents, administrations, doses, outcomes, lives saved, governance flags; a month is
    provisional while any of its outcomes is not final. Lives saved: """ + LIFE_SAVED_RULE
    months = await kit.queries.summary(force_id, since=date.fromisoformat(f"{since}-01") if since else None,
                                       until=date.fromisoformat(f"{until}-01") if until else None)
    totals = {k: sum(m[k] for m in months) for k in ("incidents", "administrations", "doses", "lives_saved",
                                                     "flagged", "provisional_outcomes")}
    return {"force_id": force_id, "life_saved_rule": LIFE_SAVED_RULE, "months": months,
            "totals": totals | {"provisional": totals["provisional_outcomes"] > 0}}


@router.get("/v1/forces/{force_id}/subjects/{subject_pseudonym}/history", tags=["subjects"])
async def subject_history(force_id: OutreachForce, subject_pseudonym: Pseudonym, kit: Kit,
                          at: Annotated[datetime | None, Query(description="judge the outreach window at this "
                                                                           "time (default now)")] = None):
    """The person's administrations in this force, oldest first, and whether the outreach window after
    the latest one is still open (force-internal: for targeting outreach, not for partners)."""
    rows = await kit.queries.subject_history(force_id, subject_pseudonym)
    window = timedelta(hours=kit.settings.outreach_window_hours)
    at = at or datetime.now(UTC)
    if at.tzinfo is None:
        at = at.replace(tzinfo=UTC)
    items, previous = [], None
    for r in rows:
        gap = (r["administered_at"] - previous).total_seconds() / 3600 if previous else None
        items.append({"administration_id": str(r["administration_id"]), "incident_id": str(r["incident_id"]),
                      "administered_at": r["administered_at"].isoformat(), "area_code": r["area_code"],
                      "doses": r["doses"], "outcome": r["outcome"], "life_saved": r["life_saved"],
                      "flags": r["flags"], "hours_since_previous": None if gap is None else round(gap, 1),
                      "repeat_within_window": gap is not None and gap <= window.total_seconds() / 3600})
        previous = r["administered_at"]
    latest = rows[-1]["administered_at"] if rows else None
    return {"subject_pseudonym": subject_pseudonym, "administrations": len(items), "items": items,
            "outreach": {"window_hours": kit.settings.outreach_window_hours,
                         "latest_administration_at": latest.isoformat() if latest else None,
                         "open_until": (latest + window).isoformat() if latest else None,
                         "open": bool(latest and latest <= at < latest + window)}}


@router.get("/v1/forces/{force_id}/subjects/{subject_pseudonym}/export", tags=["subjects"])
async def subject_access_export(force_id: DpoForce, subject_pseudonym: Pseudonym, kit: Kit):
    """Subject access: everything incidents holds about the pseudonym in this force, as JSON, from the
    event store itself (every fact, outcome and correction), personal fields opened."""
    keys = personal(kit).keys(kit.pool)
    held = await keys.subject_records(force_id, subject_pseudonym)
    linked = await kit.queries.subject_history(force_id, subject_pseudonym)
    ids = list(dict.fromkeys([r["record_id"] for r in held] + [r["administration_id"] for r in linked]))
    streams = await kit.runner.store.load_many(ids) if ids else {}
    records = []
    for administration_id in ids:
        events = []
        for stored in streams.get(administration_id, []):
            event = kit.runner.mapper.registry.decode(stored.event_type, stored.payload)
            events.append({"event_type": stored.event_type, "recorded_at": stored.recorded_at.isoformat(),
                           "facts": await _opened_facts(keys, administration_id, event)})
        if events:
            records.append({"administration_id": str(administration_id), "events": events})
    subject = kit.runner.mapper.replay(Subject, subject_id(force_id, subject_pseudonym),
                                       await kit.runner.store.load(subject_id(force_id, subject_pseudonym)))
    return {"force_id": force_id, "subject_pseudonym": subject_pseudonym,
            "generated_at": datetime.now(UTC).isoformat(), "records": records,
            "erasures": [e.isoformat() for e in subject.erasures],
            "keys_held": [{"record_type": r["record_type"], "record_id": str(r["record_id"]),
                           "occurred_at": r["occurred_at"].isoformat()} for r in held]}


async def _opened_facts(keys, administration_id: UUID, event) -> dict:
    facts = json.loads(event_to_json(event))
    for sealed_field, name in ((v, k) for k, v in h.SEALED.items()):
        if facts.get(sealed_field):
            opened = (await keys.open([(as_bytes(facts.pop(sealed_field)),
                                        h.sealing_context(administration_id, name))]))[0]
            facts[name] = opened.value if opened.status == AVAILABLE else {"personal_data": opened.status}
        else:
            facts.pop(sealed_field, None)
    return facts


service = ServiceParts(
    router=router,
    events=INCIDENT_EVENTS,
    to_proto=to_proto,
    read_models=(IncidentsReadModel(), OfficersView(), KitsView()),
    queries=IncidentsQueries,
    jobs=JOBS,
    settings=IncidentsSettings,
    description="Every naloxone administration, later outcomes and corrections, governance flags, "
                "repeat-overdose history, erasure and subject access. " + LIFE_SAVED_RULE,
)
