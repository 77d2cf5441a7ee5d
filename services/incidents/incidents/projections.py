"""Incidents read models, built only from public events (so each can be dropped and rebuilt).

- `incidents_view`: one row per administration (latest outcome, corrections applied,
  flags, life saved as the domain derived it), plus the erasures seen. Personal fields
  are kept only as the ciphertext the events carry, and dropped from the row when the
  subject is erased or the record passes retention; the API decrypts at read time with
  the key store, so a destroyed key reads as "erased" even before the view catches up.
- `incidents_officers`: who is enrolled under which staff number, their certification
  periods and withdrawal, from training's events (for governance flags).
- `incidents_kits`: where each force kit is and whether it is fit, from inventory's events.

Values come from the events alone, never from "now"; the month of an administration is
its UK calendar month.
"""

from __future__ import annotations

from datetime import date, datetime, timezone
from typing import Sequence
from uuid import UUID

import asyncpg
from naloxone.contracts import TOPICS
from naloxone.incidents.v1 import events_pb2 as pb
from naloxone.inventory.v1 import events_pb2 as inventory_pb
from naloxone.training.v1 import events_pb2 as training_pb
from naloxone_kernel.contract_values import from_date, from_enum
from naloxone_kernel.domain import UK as LONDON
from naloxone_kernel.projector import ProjectedEvent
from naloxone_kernel.readmodel import row_json

from .domain import KitStanding, OfficerStanding

# --- decoding the contract -------------------------------------------------------------


def _when(ts) -> datetime | None:
    return ts.ToDatetime(tzinfo=timezone.utc) if ts.seconds or ts.nanos else None


def _uuid(text: str) -> UUID | None:
    return UUID(text) if text else None


def _substances(values) -> list[str]:
    return [from_enum(pb.SuspectedSubstance, "SUSPECTED_SUBSTANCE", v) for v in values]


def _flags(values) -> list[str]:
    return sorted(from_enum(pb.GovernanceFlag, "GOVERNANCE_FLAG", v) for v in values)


def _outcome(value: int) -> str | None:
    name = from_enum(pb.IncidentOutcome, "INCIDENT_OUTCOME", value)
    return "alive_at_handover" if name == "survived" else name  # early records said only "survived"


def _month(instant: datetime) -> date:
    return instant.astimezone(LONDON).date().replace(day=1)


def administration_row(p: pb.NaloxoneAdministered, recorded_at: datetime) -> dict:
    administered_at = _when(p.administered_at)
    return {
        "administration_id": UUID(p.administration_id), "force_id": p.force_id, "incident_id": UUID(p.incident_id),
        "administered_by": from_enum(pb.Administrator, "ADMINISTRATOR", p.administered_by),
        "officer_id": _uuid(p.officer_id), "staff_number": p.staff_number or None,
        "given_before_police": p.given_before_police,
        "given_before_police_by": from_enum(pb.Administrator, "ADMINISTRATOR", p.given_before_police_by),
        "kit_source": from_enum(pb.KitSource, "KIT_SOURCE", p.kit_source), "kit_id": _uuid(p.kit_id),
        "call_at": _when(p.call_at), "arrived_at": _when(p.arrived_at), "administered_at": administered_at,
        "ambulance_arrived_at": _when(p.ambulance_arrived_at), "month": _month(administered_at),
        "doses": p.doses, "route": from_enum(pb.AdministrationRoute, "ADMINISTRATION_ROUTE", p.route),
        "suspected_substances": _substances(p.suspected_substances) or (
            [from_enum(pb.SuspectedSubstance, "SUSPECTED_SUBSTANCE", p.suspected_substance)]
            if p.suspected_substance else []),
        "response_recorded": p.response_recorded, "responded_after_dose": p.responded_after_dose,
        "ambulance_called": p.ambulance_called, "ambulance_attended": p.ambulance_attended,
        "area_code": p.area_code, "subject_pseudonym": p.subject_pseudonym or None,
        "linked_at": recorded_at if p.subject_pseudonym else None,
        "location_ciphertext": p.location_ciphertext or None,
        "subject_details_ciphertext": p.subject_details_ciphertext or None,
        "outcome": _outcome(p.outcome), "outcome_source": "at_scene", "outcome_final": p.outcome_final,
        "outcome_known_at": administered_at, "conveyed_to_hospital": False, "referral_offered": False,
        "life_saved": p.life_saved, "flags": _flags(p.flags), "corrections": 0, "last_correction_reason": None,
        "shredded": None, "recorded_at": recorded_at,
    }


ADMINISTRATION_COLUMNS = (
    ("administration_id", "uuid"), ("force_id", "text"), ("incident_id", "uuid"), ("administered_by", "text"),
    ("officer_id", "uuid"), ("staff_number", "text"), ("given_before_police", "boolean"),
    ("given_before_police_by", "text"), ("kit_source", "text"), ("kit_id", "uuid"), ("call_at", "timestamptz"),
    ("arrived_at", "timestamptz"), ("administered_at", "timestamptz"), ("ambulance_arrived_at", "timestamptz"),
    ("month", "date"), ("doses", "integer"), ("route", "text"), ("suspected_substances", "text[]"),
    ("response_recorded", "boolean"), ("responded_after_dose", "integer"), ("ambulance_called", "boolean"),
    ("ambulance_attended", "boolean"), ("area_code", "text"), ("subject_pseudonym", "text"),
    ("linked_at", "timestamptz"), ("location_ciphertext", "bytea"), ("subject_details_ciphertext", "bytea"),
    ("outcome", "text"), ("outcome_source", "text"), ("outcome_final", "boolean"),
    ("outcome_known_at", "timestamptz"), ("conveyed_to_hospital", "boolean"), ("referral_offered", "boolean"),
    ("life_saved", "boolean"), ("flags", "text[]"), ("corrections", "integer"), ("last_correction_reason", "text"),
    ("shredded", "text"), ("recorded_at", "timestamptz"),
)
_NAMES = [n for n, _ in ADMINISTRATION_COLUMNS]

#: Contract field of a correction -> (view column, how to read it from AdministrationCorrected).
CORRECTED = {
    "doses": ("doses", lambda p: p.doses),
    "route": ("route", lambda p: from_enum(pb.AdministrationRoute, "ADMINISTRATION_ROUTE", p.route)),
    "suspected_substances": ("suspected_substances", lambda p: _substances(p.suspected_substances)),
    "administered_at": ("administered_at", lambda p: _when(p.administered_at)),
    "call_at": ("call_at", lambda p: _when(p.call_at)),
    "arrived_at": ("arrived_at", lambda p: _when(p.arrived_at)),
    "ambulance_arrived_at": ("ambulance_arrived_at", lambda p: _when(p.ambulance_arrived_at)),
    "response_recorded": ("response_recorded", lambda p: p.response_recorded),
    "responded_after_dose": ("responded_after_dose", lambda p: p.responded_after_dose),
    "ambulance_called": ("ambulance_called", lambda p: p.ambulance_called),
    "ambulance_attended": ("ambulance_attended", lambda p: p.ambulance_attended),
    "area_code": ("area_code", lambda p: p.area_code),
    "subject_pseudonym": ("subject_pseudonym", lambda p: p.subject_pseudonym or None),
    "location_ciphertext": ("location_ciphertext", lambda p: p.location_ciphertext or None),
    "subject_details_ciphertext": ("subject_details_ciphertext", lambda p: p.subject_details_ciphertext or None),
}

#: Unlink and drop the personal fields of rows of an erased subject linked no later than the erasure.
_ERASE = """
UPDATE {s}.administrations a
SET subject_pseudonym = NULL, location_ciphertext = NULL, subject_details_ciphertext = NULL, shredded = 'erasure'
FROM {s}.erased_subjects e
WHERE e.force_id = a.force_id AND e.subject_pseudonym = a.subject_pseudonym AND a.linked_at <= e.erased_at
  AND {where}
"""


class IncidentsReadModel:
    name = "incidents_view"
    topics = (TOPICS["incidents"],)

    def ddl(self, schema: str) -> str:
        columns = ",\n".join(f"    {n} {t}{' PRIMARY KEY' if n == 'administration_id' else ''}"
                             for n, t in ADMINISTRATION_COLUMNS)
        return f"""
        CREATE TABLE IF NOT EXISTS {schema}.administrations (
        {columns}
        );
        CREATE INDEX IF NOT EXISTS administrations_by_force ON {schema}.administrations
            (force_id, administered_at DESC, administration_id DESC);
        CREATE INDEX IF NOT EXISTS administrations_by_subject ON {schema}.administrations
            (force_id, subject_pseudonym, administered_at) WHERE subject_pseudonym IS NOT NULL;
        CREATE INDEX IF NOT EXISTS administrations_by_month ON {schema}.administrations (force_id, month);
        CREATE TABLE IF NOT EXISTS {schema}.erased_subjects (
            force_id          text NOT NULL,
            subject_pseudonym text NOT NULL,
            erased_at         timestamptz NOT NULL,
            PRIMARY KEY (force_id, subject_pseudonym, erased_at)
        );
        """

    async def apply_batch(self, conn: asyncpg.Connection, schema: str, events: Sequence[ProjectedEvent]) -> None:
        for item in events:
            p, recorded_at = item.payload, item.envelope.recorded_at.ToDatetime(tzinfo=timezone.utc)
            if isinstance(p, pb.NaloxoneAdministered):
                row = administration_row(p, recorded_at)
                await conn.execute(
                    f"INSERT INTO {schema}.administrations ({', '.join(_NAMES)}) "
                    f"VALUES ({', '.join(f'${i}::{t}' for i, (_, t) in enumerate(ADMINISTRATION_COLUMNS, 1))}) "
                    "ON CONFLICT (administration_id) DO NOTHING", *(row[n] for n in _NAMES))
                await conn.execute(_ERASE.format(s=schema, where="a.administration_id = $1"), row["administration_id"])
            elif isinstance(p, pb.IncidentOutcomeRecorded):
                await conn.execute(
                    f"""UPDATE {schema}.administrations SET outcome = $2, outcome_source = $3, outcome_final = $4,
                        outcome_known_at = $5, conveyed_to_hospital = $6, referral_offered = $7, life_saved = $8
                        WHERE administration_id = $1""",
                    UUID(p.administration_id), _outcome(p.outcome), from_enum(pb.OutcomeSource, "OUTCOME_SOURCE", p.source),
                    p.outcome_final, _when(p.known_at), p.conveyed_to_hospital, p.referral_offered, p.life_saved)
            elif isinstance(p, pb.AdministrationCorrected):
                await self._correct(conn, schema, p, recorded_at)
            elif isinstance(p, pb.PersonalDataShredded):
                await conn.execute(
                    f"""UPDATE {schema}.administrations SET subject_pseudonym = NULL, location_ciphertext = NULL,
                        subject_details_ciphertext = NULL, shredded = coalesce(shredded, $2)
                        WHERE administration_id = $1""",
                    UUID(p.administration_id), from_enum(pb.ShredReason, "SHRED_REASON", p.reason))
            elif isinstance(p, pb.SubjectErased):
                erased_at = _when(p.erased_at)
                await conn.execute(f"INSERT INTO {schema}.erased_subjects VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
                                   p.force_id, p.subject_pseudonym, erased_at)
                await conn.execute(_ERASE.format(s=schema, where="e.force_id = $1 AND e.subject_pseudonym = $2 "
                                                                 "AND e.erased_at = $3"),
                                   p.force_id, p.subject_pseudonym, erased_at)

    @staticmethod
    async def _correct(conn, schema: str, p: pb.AdministrationCorrected, recorded_at: datetime) -> None:
        sets, args = [], [UUID(p.administration_id)]
        for name in p.corrected_fields:
            if name not in CORRECTED:
                continue  # a field this view does not keep
            column, read = CORRECTED[name]
            args.append(read(p))
            sets.append(f"{column} = ${len(args)}")
            if column == "administered_at":
                args.append(_month(args[-1]))
                sets.append(f"month = ${len(args)}")
            if column == "subject_pseudonym":
                args.append(recorded_at)
                sets.append(f"linked_at = ${len(args)}")
        args += [p.life_saved, _flags(p.flags), from_enum(pb.CorrectionReason, "CORRECTION_REASON", p.reason)]
        sets += [f"life_saved = ${len(args) - 2}", f"flags = ${len(args) - 1}", "corrections = corrections + 1",
                 f"last_correction_reason = ${len(args)}"]
        await conn.execute(f"UPDATE {schema}.administrations SET {', '.join(sets)} WHERE administration_id = $1",
                           *args)
        await conn.execute(_ERASE.format(s=schema, where="a.administration_id = $1"), args[0])


class OfficersView:
    """Officers by staff number with their certification periods, from training's events."""

    name = "incidents_officers"
    topics = (TOPICS["training"],)

    def ddl(self, schema: str) -> str:
        return f"""
        CREATE TABLE IF NOT EXISTS {schema}.officers (
            officer_id   uuid PRIMARY KEY,
            force_id     text NOT NULL,
            staff_number text NOT NULL,
            withdrawn_on date
        );
        CREATE INDEX IF NOT EXISTS officers_by_staff_number ON {schema}.officers (force_id, upper(staff_number));
        CREATE TABLE IF NOT EXISTS {schema}.certifications (
            officer_id   uuid NOT NULL,
            completed_on date NOT NULL,
            valid_until  date NOT NULL,
            PRIMARY KEY (officer_id, completed_on, valid_until)
        );
        """

    async def apply_batch(self, conn: asyncpg.Connection, schema: str, events: Sequence[ProjectedEvent]) -> None:
        for item in events:
            p = item.payload
            if isinstance(p, training_pb.OfficerEnrolled):
                await conn.execute(
                    f"""INSERT INTO {schema}.officers VALUES ($1, $2, $3, NULL)
                        ON CONFLICT (officer_id) DO UPDATE SET staff_number = EXCLUDED.staff_number,
                                                               withdrawn_on = NULL""",
                    UUID(p.officer_id), p.force_id, p.staff_number)
            elif isinstance(p, training_pb.TrainingCompleted) and p.valid_until.year:
                await conn.execute(f"INSERT INTO {schema}.certifications VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
                                   UUID(p.officer_id), from_date(p.completed_on) or from_date(p.valid_until),
                                   from_date(p.valid_until))
            elif isinstance(p, training_pb.OfficerWithdrawn):
                await conn.execute(f"UPDATE {schema}.officers SET withdrawn_on = $2 WHERE officer_id = $1",
                                   UUID(p.officer_id), from_date(p.withdrawn_on))


#: Kit events -> (status it leaves the kit in, or None for unchanged; whether it sets the holder).
_KIT_STATUS = {
    inventory_pb.KitStocked: "in_stock", inventory_pb.KitTransferred: "in_stock", inventory_pb.KitIssued: "issued",
    inventory_pb.KitReturned: "in_stock", inventory_pb.KitUsed: "used", inventory_pb.KitSuppliedTakeHome: "supplied",
    inventory_pb.KitExpired: None, inventory_pb.KitRecalled: None, inventory_pb.KitWrittenOff: None,
}


class KitsView:
    """Each force kit's status, holder, expiry and recall, from inventory's events."""

    name = "incidents_kits"
    topics = (TOPICS["inventory"],)

    def ddl(self, schema: str) -> str:
        return f"""
        CREATE TABLE IF NOT EXISTS {schema}.kits (
            kit_id            uuid PRIMARY KEY,
            force_id          text NOT NULL,
            status            text NOT NULL,
            holder_officer_id uuid,
            expires_on        date,
            recalled          boolean NOT NULL DEFAULT false,
            version           bigint NOT NULL
        );
        """

    async def apply_batch(self, conn: asyncpg.Connection, schema: str, events: Sequence[ProjectedEvent]) -> None:
        for item in events:
            p, version = item.payload, item.envelope.aggregate_version
            if type(p) not in _KIT_STATUS:
                continue
            if isinstance(p, inventory_pb.KitStocked):
                await conn.execute(
                    f"""INSERT INTO {schema}.kits VALUES ($1, $2, 'in_stock', NULL, $3, false, $4)
                        ON CONFLICT (kit_id) DO NOTHING""", UUID(p.kit_id), p.force_id, from_date(p.expires_on), version)
                continue
            status = _KIT_STATUS[type(p)]
            if isinstance(p, inventory_pb.KitWrittenOff):
                status = "lost" if from_enum(inventory_pb.KitWriteOffReason, "KIT_WRITE_OFF_REASON", p.reason) == "lost" \
                    else "destroyed"
            holder = UUID(p.officer_id) if isinstance(p, inventory_pb.KitIssued) else None
            keeps_holder = status is None or isinstance(p, inventory_pb.KitIssued)
            await conn.execute(
                f"""UPDATE {schema}.kits SET status = coalesce($2, status),
                        holder_officer_id = CASE WHEN $3 THEN coalesce($4, holder_officer_id) ELSE NULL END,
                        recalled = recalled OR $5, version = $6
                    WHERE kit_id = $1 AND version < $6""",
                UUID(p.kit_id), status, keeps_holder, holder, isinstance(p, inventory_pb.KitRecalled), version)


# --- reading -----------------------------------------------------------------------------

#: Columns the API shows as they are (the ciphertext columns are opened by the API instead).
PUBLIC_COLUMNS = [n for n in _NAMES if not n.endswith("_ciphertext") and n not in ("linked_at", "month")]


def public(row) -> dict:
    return row_json({name: row[name] for name in PUBLIC_COLUMNS})


class IncidentsQueries:
    """Reads for the API and jobs, only from incidents' own schemas, always scoped to one force."""

    def __init__(self, pool: asyncpg.Pool, *, schema: str = IncidentsReadModel.name,
                 officers_schema: str = OfficersView.name, kits_schema: str = KitsView.name) -> None:
        self.pool = pool
        self.schema, self.officers_schema, self.kits_schema = schema, officers_schema, kits_schema

    async def administration(self, force_id: str, administration_id: UUID) -> asyncpg.Record | None:
        return await self.pool.fetchrow(
            f"SELECT * FROM {self.schema}.administrations WHERE force_id = $1 AND administration_id = $2",
            force_id, administration_id)

    async def administrations(self, force_id: str, *, limit: int = 100, after: UUID | None = None,
                              flagged: bool | None = None, month: date | None = None) -> list[asyncpg.Record]:
        """Newest first; `after` is the last administration_id of the previous page."""
        return await self.pool.fetch(
            f"""SELECT * FROM {self.schema}.administrations a
                WHERE force_id = $1
                  AND ($2::uuid IS NULL OR (administered_at, administration_id) < (
                        SELECT administered_at, administration_id FROM {self.schema}.administrations
                        WHERE administration_id = $2))
                  AND ($3::boolean IS NULL OR (cardinality(flags) > 0) = $3)
                  AND ($4::date IS NULL OR month = $4)
                ORDER BY administered_at DESC, administration_id DESC LIMIT $5""",
            force_id, after, flagged, month, limit)

    async def subject_history(self, force_id: str, pseudonym: str) -> list[asyncpg.Record]:
        """Every administration of the subject in the force, oldest first."""
        return await self.pool.fetch(
            f"""SELECT * FROM {self.schema}.administrations
                WHERE force_id = $1 AND subject_pseudonym = $2 ORDER BY administered_at, administration_id""",
            force_id, pseudonym)

    async def summary(self, force_id: str, *, since: date | None = None, until: date | None = None) -> list[dict]:
        """By UK calendar month: administrations, doses, outcomes, lives saved, flags, provisional figures."""
        rows = await self.pool.fetch(
            f"""SELECT month, count(*) AS administrations, sum(doses) AS doses,
                       count(*) FILTER (WHERE life_saved) AS lives_saved,
                       count(*) FILTER (WHERE NOT outcome_final) AS provisional_outcomes,
                       count(*) FILTER (WHERE cardinality(flags) > 0) AS flagged,
                       count(DISTINCT incident_id) AS incidents,
                       count(*) FILTER (WHERE shredded IS NOT NULL) AS personal_data_shredded
                FROM {self.schema}.administrations
                WHERE force_id = $1 AND ($2::date IS NULL OR month >= $2) AND ($3::date IS NULL OR month <= $3)
                GROUP BY month ORDER BY month""", force_id, since, until)
        outcomes = await self.pool.fetch(
            f"""SELECT month, coalesce(outcome, 'unknown') AS outcome, count(*) AS n
                FROM {self.schema}.administrations
                WHERE force_id = $1 AND ($2::date IS NULL OR month >= $2) AND ($3::date IS NULL OR month <= $3)
                GROUP BY 1, 2""", force_id, since, until)
        flags = await self.pool.fetch(
            f"""SELECT month, flag, count(*) AS n
                FROM {self.schema}.administrations, unnest(flags) AS flag
                WHERE force_id = $1 AND ($2::date IS NULL OR month >= $2) AND ($3::date IS NULL OR month <= $3)
                GROUP BY 1, 2""", force_id, since, until)
        out = []
        for row in rows:
            month = row["month"]
            out.append({
                "month": month.strftime("%Y-%m"), "incidents": row["incidents"],
                "administrations": row["administrations"], "doses": row["doses"],
                "outcomes": {r["outcome"]: r["n"] for r in outcomes if r["month"] == month},
                "lives_saved": row["lives_saved"], "flagged": row["flagged"],
                "flags": {r["flag"]: r["n"] for r in flags if r["month"] == month},
                "provisional_outcomes": row["provisional_outcomes"],
                "provisional": row["provisional_outcomes"] > 0,
                "personal_data_shredded": row["personal_data_shredded"],
            })
        return out

    async def officer(self, force_id: str, staff_number: str) -> OfficerStanding:
        row = await self.pool.fetchrow(
            f"""SELECT officer_id, withdrawn_on FROM {self.officers_schema}.officers
                WHERE force_id = $1 AND upper(staff_number) = upper($2)
                ORDER BY withdrawn_on NULLS FIRST LIMIT 1""", force_id, staff_number)
        if row is None:
            return OfficerStanding(staff_number=staff_number)
        periods = await self.pool.fetch(
            f"SELECT completed_on, valid_until FROM {self.officers_schema}.certifications WHERE officer_id = $1",
            row["officer_id"])
        return OfficerStanding(staff_number=staff_number, officer_id=row["officer_id"],
                               certified=tuple((r["completed_on"], r["valid_until"]) for r in periods),
                               withdrawn_on=row["withdrawn_on"])

    async def kit(self, kit_id: UUID) -> KitStanding:
        row = await self.pool.fetchrow(f"SELECT * FROM {self.kits_schema}.kits WHERE kit_id = $1", kit_id)
        if row is None:
            return KitStanding(kit_id=kit_id)
        return KitStanding(kit_id=kit_id, force_id=row["force_id"], status=row["status"],
                           holder_officer_id=row["holder_officer_id"], expires_on=row["expires_on"],
                           recalled=row["recalled"])
