"""Diversion's read model, built only from public events (so it can be dropped and rebuilt).

`diversion_view` holds:
- `referrals`: one row per referral, its status and every dated step;
- `contracts`: which partner holds which scheme in a force, and when;
- `administered` / `supplied`: which pseudonyms in a force had naloxone administered (from
  incidents' events) or a take-home kit supplied (from inventory's), for the NDTMS flags;
- `erased_subjects`: subjects erased (incidents' SubjectErased): their referrals made up
  to then show no pseudonym and say their personal data was erased.

Topics interleave in any order on a replay, so nothing here depends on which arrived
first: the naloxone flags are joined at read time, and an erasure marks the referrals
recorded up to it whether they arrive before or after it.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Sequence
from uuid import UUID

import asyncpg
from naloxone.contracts import TOPICS
from naloxone.diversion.v1 import events_pb2 as pb
from naloxone.incidents.v1 import events_pb2 as incidents_pb
from naloxone.inventory.v1 import events_pb2 as inventory_pb
from naloxone_kernel.contract_values import from_date, from_enum, from_timestamp
from naloxone_kernel.domain import uk_day
from naloxone_kernel.projector import ProjectedEvent
from naloxone_kernel.readmodel import row_json

REFERRAL_COLUMNS = (
    ("referral_id", "uuid"), ("force_id", "text"), ("subject_pseudonym", "text"), ("source", "text"),
    ("scheme", "text"), ("scheme_code", "text"), ("partner_org", "text"), ("consent", "text"),
    ("referred_at", "timestamptz"), ("referred_on", "date"), ("area_code", "text"), ("incident_id", "uuid"),
    ("source_record_id", "uuid"), ("referring_officer_id", "uuid"), ("status", "text"), ("accepted_on", "date"),
    ("declined_on", "date"), ("decline_reason", "text"), ("engaged_on", "date"), ("intervention", "text"),
    ("closed_on", "date"), ("closure", "text"), ("shredded", "text"), ("recorded_at", "timestamptz"),
)
_NAMES = [n for n, _ in REFERRAL_COLUMNS]

#: Mark a referral as erased when its subject was erased after it was recorded.
_MARK_ERASED = """
UPDATE {s}.referrals r SET shredded = 'erasure'
WHERE r.shredded IS DISTINCT FROM 'erasure' AND EXISTS (
    SELECT 1 FROM {s}.erased_subjects e
    WHERE e.force_id = r.force_id AND e.subject_pseudonym = r.subject_pseudonym AND r.recorded_at <= e.erased_at)
  AND {where}
"""


def _uuid(text: str) -> UUID | None:
    return UUID(text) if text else None


def _made_row(p: pb.DiversionReferralMade, recorded_at: datetime) -> dict:
    referred_at = from_timestamp(p.referred_at)
    return {
        "referral_id": UUID(p.referral_id), "force_id": p.force_id, "subject_pseudonym": p.subject_pseudonym,
        "source": from_enum(pb.ReferralSource, "REFERRAL_SOURCE", p.source),
        "scheme": from_enum(pb.ReferralScheme, "REFERRAL_SCHEME", p.scheme), "scheme_code": p.scheme_code or None,
        "partner_org": p.provider_org_id, "consent": from_enum(pb.ReferralConsent, "REFERRAL_CONSENT", p.consent),
        "referred_at": referred_at, "referred_on": uk_day(referred_at), "area_code": p.area_code or None,
        "incident_id": _uuid(p.incident_id), "source_record_id": _uuid(p.source_record_id),
        "referring_officer_id": _uuid(p.referring_officer_id), "status": "offered", "accepted_on": None,
        "declined_on": None, "decline_reason": None, "engaged_on": None, "intervention": None, "closed_on": None,
        "closure": None, "shredded": None, "recorded_at": recorded_at,
    }


#: A step of a referral's life -> the status it leaves and the columns it sets from the event.
_STEPS = {
    pb.ReferralAccepted: ("accepted", lambda p: {"accepted_on": from_date(p.accepted_on),
                                                 "consent": from_enum(pb.ReferralConsent, "REFERRAL_CONSENT",
                                                                      p.consent) or "given"}),
    pb.ReferralDeclined: ("declined", lambda p: {"declined_on": from_date(p.declined_on), "decline_reason":
                                                 from_enum(pb.DeclineReason, "DECLINE_REASON", p.reason)}),
    pb.TreatmentEngaged: ("engaged", lambda p: {"engaged_on": from_date(p.engaged_on), "intervention":
                                                from_enum(pb.Intervention, "INTERVENTION", p.intervention)}),
    pb.ReferralClosed: ("closed", lambda p: {"closed_on": from_date(p.closed_on), "closure":
                                             from_enum(pb.ReferralClosure, "REFERRAL_CLOSURE", p.closure)}),
}


class DiversionReadModel:
    name = "diversion_view"
    topics = (TOPICS["diversion"], TOPICS["incidents"], TOPICS["inventory"])

    def ddl(self, schema: str) -> str:
        columns = ",\n".join(f"    {n} {t}{' PRIMARY KEY' if n == 'referral_id' else ''}" for n, t in REFERRAL_COLUMNS)
        return f"""
        CREATE TABLE IF NOT EXISTS {schema}.referrals (
        {columns}
        );
        CREATE INDEX IF NOT EXISTS referrals_by_force ON {schema}.referrals
            (force_id, referred_at DESC, referral_id DESC);
        CREATE INDEX IF NOT EXISTS referrals_by_partner ON {schema}.referrals
            (partner_org, referred_at DESC, referral_id DESC);
        CREATE INDEX IF NOT EXISTS referrals_by_subject ON {schema}.referrals (force_id, subject_pseudonym);
        CREATE TABLE IF NOT EXISTS {schema}.contracts (
            force_id    text NOT NULL,
            scheme      text NOT NULL,
            starts_on   date NOT NULL,
            partner_org text NOT NULL,
            scheme_code text,
            ends_on     date,
            PRIMARY KEY (force_id, scheme, starts_on)
        );
        CREATE TABLE IF NOT EXISTS {schema}.administered (
            administration_id uuid PRIMARY KEY,
            force_id          text NOT NULL,
            subject_pseudonym text
        );
        CREATE INDEX IF NOT EXISTS administered_by_subject ON {schema}.administered (force_id, subject_pseudonym);
        CREATE TABLE IF NOT EXISTS {schema}.supplied (
            supply_id         uuid PRIMARY KEY,
            force_id          text NOT NULL,
            subject_pseudonym text NOT NULL
        );
        CREATE INDEX IF NOT EXISTS supplied_by_subject ON {schema}.supplied (force_id, subject_pseudonym);
        CREATE TABLE IF NOT EXISTS {schema}.erased_subjects (
            force_id          text NOT NULL,
            subject_pseudonym text NOT NULL,
            erased_at         timestamptz NOT NULL,
            PRIMARY KEY (force_id, subject_pseudonym, erased_at)
        );
        """

    async def apply_batch(self, conn: asyncpg.Connection, schema: str, events: Sequence[ProjectedEvent]) -> None:
        for item in events:
            p = item.payload
            if isinstance(p, pb.DiversionReferralMade):
                row = _made_row(p, from_timestamp(item.envelope.recorded_at))
                await conn.execute(
                    f"INSERT INTO {schema}.referrals ({', '.join(_NAMES)}) "
                    f"VALUES ({', '.join(f'${i}::{t}' for i, (_, t) in enumerate(REFERRAL_COLUMNS, 1))}) "
                    "ON CONFLICT (referral_id) DO NOTHING", *(row[n] for n in _NAMES))
                await conn.execute(_MARK_ERASED.format(s=schema, where="r.referral_id = $1"), row["referral_id"])
            elif type(p) in _STEPS:
                status, read = _STEPS[type(p)]
                values = read(p)
                sets = ", ".join(f"{column} = ${i}" for i, column in enumerate(values, 3))
                await conn.execute(f"UPDATE {schema}.referrals SET status = $2, {sets} WHERE referral_id = $1",
                                   UUID(p.referral_id), status, *values.values())
            elif isinstance(p, pb.ReferralPersonalDataShredded):
                await conn.execute(f"UPDATE {schema}.referrals SET shredded = coalesce(shredded, $2) "
                                   "WHERE referral_id = $1", UUID(p.referral_id),
                                   from_enum(pb.ReferralShredReason, "REFERRAL_SHRED_REASON", p.reason))
            elif isinstance(p, pb.PartnerCommissioned):
                await conn.execute(
                    f"""INSERT INTO {schema}.contracts VALUES ($1, $2, $3, $4, $5, NULL)
                        ON CONFLICT (force_id, scheme, starts_on) DO NOTHING""",
                    p.force_id, from_enum(pb.ReferralScheme, "REFERRAL_SCHEME", p.scheme), from_date(p.starts_on),
                    p.provider_org_id, p.scheme_code or None)
            elif isinstance(p, pb.PartnerCommissionEnded):
                await conn.execute(
                    f"""UPDATE {schema}.contracts SET ends_on = $4
                        WHERE (force_id, scheme, starts_on) = (
                            SELECT force_id, scheme, max(starts_on) FROM {schema}.contracts
                            WHERE force_id = $1 AND scheme = $2 AND partner_org = $3 AND starts_on <= $4
                            GROUP BY force_id, scheme)""",
                    p.force_id, from_enum(pb.ReferralScheme, "REFERRAL_SCHEME", p.scheme), p.provider_org_id,
                    from_date(p.ends_on))
            elif isinstance(p, incidents_pb.NaloxoneAdministered):
                await conn.execute(f"INSERT INTO {schema}.administered VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
                                   UUID(p.administration_id), p.force_id, p.subject_pseudonym or None)
            elif isinstance(p, incidents_pb.AdministrationCorrected) and "subject_pseudonym" in p.corrected_fields:
                await conn.execute(f"UPDATE {schema}.administered SET subject_pseudonym = $2 "
                                   "WHERE administration_id = $1", UUID(p.administration_id),
                                   p.subject_pseudonym or None)
            elif isinstance(p, inventory_pb.TakeHomeKitSupplied) and p.subject_pseudonym:
                await conn.execute(f"INSERT INTO {schema}.supplied VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
                                   UUID(p.supply_id), p.force_id, p.subject_pseudonym)
            elif isinstance(p, incidents_pb.SubjectErased):
                erased_at = from_timestamp(p.erased_at)
                await conn.execute(f"INSERT INTO {schema}.erased_subjects VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
                                   p.force_id, p.subject_pseudonym, erased_at)
                await conn.execute(_MARK_ERASED.format(s=schema, where="r.force_id = $1 AND r.subject_pseudonym = $2"),
                                   p.force_id, p.subject_pseudonym)


# --- reading -----------------------------------------------------------------------------

#: What a reader sees of a referral row (the pseudonym is withheld once the subject is erased).
PUBLIC_COLUMNS = [n for n in _NAMES if n not in ("recorded_at", "referred_on")]


def public(row) -> dict:
    item = row_json({name: row[name] for name in PUBLIC_COLUMNS})
    if row["shredded"] == "erasure":
        item["subject_pseudonym"] = None
    item["personal_data"] = {"erasure": "erased", "retention": "retention_expired"}.get(row["shredded"], "available")
    return item


#: Funnel figures per group: made -> accepted -> engaged -> completed, and the median days to engagement.
_FUNNEL = """
SELECT {group}
       count(*) AS made,
       count(accepted_on) AS accepted,
       count(declined_on) AS declined,
       count(engaged_on) AS engaged,
       count(*) FILTER (WHERE closure = 'completed') AS completed,
       count(*) FILTER (WHERE closure IS NOT NULL AND closure <> 'completed') AS closed_otherwise,
       count(*) FILTER (WHERE status IN ('offered', 'accepted', 'engaged')) AS open,
       percentile_cont(0.5) WITHIN GROUP (ORDER BY engaged_on - referred_on)
           FILTER (WHERE engaged_on IS NOT NULL) AS median_days_to_engagement
FROM {s}.referrals
WHERE force_id = $1 AND ($2::date IS NULL OR referred_on >= $2) AND ($3::date IS NULL OR referred_on <= $3)
{group_by}
"""


def funnel_figures(row) -> dict:
    made = row["made"]
    median = row["median_days_to_engagement"]

    def rate(n: int) -> float | None:
        return round(n / made, 4) if made else None

    return {"made": made, "accepted": row["accepted"], "declined": row["declined"], "engaged": row["engaged"],
            "completed": row["completed"], "closed_otherwise": row["closed_otherwise"], "open": row["open"],
            "acceptance_rate": rate(row["accepted"]), "engagement_rate": rate(row["engaged"]),
            "completion_rate": rate(row["completed"]),
            "median_days_to_engagement": None if median is None else float(median)}


class DiversionQueries:
    """Reads for the API, only from diversion's own schema, always scoped to a force or a partner."""

    def __init__(self, pool: asyncpg.Pool, *, schema: str = DiversionReadModel.name) -> None:
        self.pool = pool
        self.schema = schema

    async def referral(self, force_id: str, referral_id: UUID) -> asyncpg.Record | None:
        return await self.pool.fetchrow(
            f"SELECT * FROM {self.schema}.referrals WHERE force_id = $1 AND referral_id = $2", force_id, referral_id)

    async def referrals(self, forces: list[str], *, limit: int = 100, after: UUID | None = None,
                        status: str | None = None, scheme: str | None = None,
                        partner_org: str | None = None) -> list[asyncpg.Record]:
        """Newest first, in the forces given; `after` is the last referral_id of the previous page."""
        return await self.pool.fetch(
            f"""SELECT * FROM {self.schema}.referrals
                WHERE force_id = ANY($1::text[])
                  AND ($2::uuid IS NULL OR (referred_at, referral_id) < (
                        SELECT referred_at, referral_id FROM {self.schema}.referrals WHERE referral_id = $2))
                  AND ($3::text IS NULL OR status = $3) AND ($4::text IS NULL OR scheme = $4)
                  AND ($5::text IS NULL OR partner_org = $5)
                ORDER BY referred_at DESC, referral_id DESC LIMIT $6""",
            forces, after, status and str(status), scheme and str(scheme), partner_org, limit)

    async def funnel(self, force_id: str, *, since: date | None = None, until: date | None = None) -> dict:
        """Per partner and scheme, and the totals, in one statement: one snapshot, so the totals are
        always the sum of the groups shown (two reads let a referral land in between)."""
        rows = await self.pool.fetch(_FUNNEL.format(
            s=self.schema, group="partner_org, scheme, GROUPING(partner_org, scheme) = 3 AS is_total,",
            group_by="GROUP BY GROUPING SETS ((partner_org, scheme), ()) ORDER BY is_total, partner_org, scheme"),
            force_id, since, until)
        return {"groups": [{"partner_org": r["partner_org"], "scheme": r["scheme"]} | funnel_figures(r)
                           for r in rows if not r["is_total"]],
                "totals": funnel_figures(next(r for r in rows if r["is_total"]))}

    async def export(self, force_id: str, *, since: date | None = None, until: date | None = None,
                     partner_org: str | None = None) -> list[asyncpg.Record]:
        """Every referral of the force (oldest first) with whether its person had naloxone supplied or
        administered in the force (on any day: the flags describe the person, as NDTMS records do)."""
        return await self.pool.fetch(
            f"""SELECT r.*,
                       EXISTS (SELECT 1 FROM {self.schema}.supplied s
                               WHERE s.force_id = r.force_id AND s.subject_pseudonym = r.subject_pseudonym)
                           AS naloxone_supplied,
                       EXISTS (SELECT 1 FROM {self.schema}.administered a
                               WHERE a.force_id = r.force_id AND a.subject_pseudonym = r.subject_pseudonym)
                           AS naloxone_administered
                FROM {self.schema}.referrals r
                WHERE r.force_id = $1 AND ($2::date IS NULL OR r.referred_on >= $2)
                  AND ($3::date IS NULL OR r.referred_on <= $3) AND ($4::text IS NULL OR r.partner_org = $4)
                ORDER BY r.referred_at, r.referral_id""", force_id, since, until, partner_org)

    async def contracts(self, force_id: str) -> list[dict]:
        rows = await self.pool.fetch(
            f"SELECT * FROM {self.schema}.contracts WHERE force_id = $1 ORDER BY scheme, starts_on", force_id)
        return [row_json(r) for r in rows]
