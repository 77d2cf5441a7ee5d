"""Training read models: one row per officer, one summary row per force.

Built only from the public events on naloxone.training.events.v1, so they can be
dropped and rebuilt from the topic at any time. Values come from the events alone
(never from "now"), which is what makes a rebuild equal the live model.
"""

from __future__ import annotations

from datetime import date
from typing import Sequence

import asyncpg

from naloxone.training.v1 import events_pb2 as pb
from naloxone_kernel.projector import ProjectedEvent

from .config import EVENTS_TOPIC


def _date(d) -> date | None:
    return date(d.year, d.month, d.day) if d.year else None


def _enum_name(proto_enum, prefix: str, value: int) -> str | None:
    if value == 0:
        return None
    return proto_enum.Name(value).removeprefix(prefix + "_").lower()


class TrainingReadModel:
    name = "training_view"
    topics = (EVENTS_TOPIC,)

    def ddl(self, schema: str) -> str:
        return f"""
        CREATE TABLE IF NOT EXISTS {schema}.officers (
            officer_id           uuid PRIMARY KEY,
            force_id             text NOT NULL,
            staff_number         text NOT NULL,
            role                 text,
            area_code            text,
            status               text NOT NULL,
            enrolled_on          date NOT NULL,
            withdrawn_on         date,
            withdrawal_reason    text,
            certification        text NOT NULL DEFAULT 'untrained',
            last_course          text,
            last_provider        text,
            last_completed_on    date,
            valid_until          date,
            trainings_completed  integer NOT NULL DEFAULT 0,
            version              integer NOT NULL
        );
        CREATE INDEX IF NOT EXISTS officers_by_force ON {schema}.officers (force_id, staff_number);
        CREATE TABLE IF NOT EXISTS {schema}.force_training_summary (
            force_id                text PRIMARY KEY,
            officers_enrolled       integer NOT NULL,
            officers_active         integer NOT NULL,
            officers_withdrawn      integer NOT NULL,
            active_certified        integer NOT NULL,
            active_expired          integer NOT NULL,
            active_untrained        integer NOT NULL,
            trainings_completed     integer NOT NULL
        );
        """

    async def apply_batch(self, conn: asyncpg.Connection, schema: str, events: Sequence[ProjectedEvent]) -> None:
        forces: set[str] = set()
        for item in events:
            env, p = item.envelope, item.payload
            version = env.aggregate_version
            forces.add(env.force_id)
            if isinstance(p, pb.OfficerEnrolled):
                await conn.execute(
                    f"""INSERT INTO {schema}.officers (officer_id, force_id, staff_number, role, area_code,
                            status, enrolled_on, version)
                        VALUES ($1, $2, $3, $4, $5, 'active', $6, $7)
                        ON CONFLICT (officer_id) DO UPDATE SET
                            role = EXCLUDED.role, area_code = EXCLUDED.area_code, status = 'active',
                            enrolled_on = EXCLUDED.enrolled_on, withdrawn_on = NULL, withdrawal_reason = NULL,
                            version = EXCLUDED.version
                        WHERE {schema}.officers.version < EXCLUDED.version""",
                    p.officer_id, p.force_id, p.staff_number, _enum_name(pb.OfficerRole, "OFFICER_ROLE", p.role),
                    p.area_code or None, _date(p.enrolled_on), version,
                )
            elif isinstance(p, pb.TrainingCompleted):
                await conn.execute(
                    f"""UPDATE {schema}.officers SET
                            last_course = $2, last_provider = $3, last_completed_on = $4,
                            certification = CASE WHEN valid_until IS NULL OR $5 >= valid_until
                                                 THEN 'certified' ELSE certification END,
                            valid_until = GREATEST(valid_until, $5),
                            trainings_completed = trainings_completed + 1, version = $6
                        WHERE officer_id = $1 AND version < $6""",
                    p.officer_id, p.course, p.provider, _date(p.completed_on), _date(p.valid_until), version,
                )
            elif isinstance(p, pb.CertificationExpired):
                await conn.execute(
                    f"""UPDATE {schema}.officers SET
                            certification = CASE WHEN valid_until = $2 THEN 'expired' ELSE certification END,
                            version = $3
                        WHERE officer_id = $1 AND version < $3""",
                    p.officer_id, _date(p.valid_until), version,
                )
            elif isinstance(p, pb.OfficerWithdrawn):
                await conn.execute(
                    f"""UPDATE {schema}.officers SET status = 'withdrawn', withdrawn_on = $2,
                            withdrawal_reason = $3, version = $4
                        WHERE officer_id = $1 AND version < $4""",
                    p.officer_id, _date(p.withdrawn_on),
                    _enum_name(pb.WithdrawalReason, "WITHDRAWAL_REASON", p.reason), version,
                )
        if forces:
            await conn.execute(
                f"""INSERT INTO {schema}.force_training_summary
                    SELECT force_id,
                           count(*),
                           count(*) FILTER (WHERE status = 'active'),
                           count(*) FILTER (WHERE status = 'withdrawn'),
                           count(*) FILTER (WHERE status = 'active' AND certification = 'certified'),
                           count(*) FILTER (WHERE status = 'active' AND certification = 'expired'),
                           count(*) FILTER (WHERE status = 'active' AND certification = 'untrained'),
                           coalesce(sum(trainings_completed), 0)
                    FROM {schema}.officers WHERE force_id = ANY($1::text[]) GROUP BY force_id
                    ON CONFLICT (force_id) DO UPDATE SET
                        officers_enrolled = EXCLUDED.officers_enrolled,
                        officers_active = EXCLUDED.officers_active,
                        officers_withdrawn = EXCLUDED.officers_withdrawn,
                        active_certified = EXCLUDED.active_certified,
                        active_expired = EXCLUDED.active_expired,
                        active_untrained = EXCLUDED.active_untrained,
                        trainings_completed = EXCLUDED.trainings_completed""",
                sorted(forces),
            )


class TrainingQueries:
    """Reads for the API; only ever from the read model schema."""

    schema = TrainingReadModel.name

    def __init__(self, pool: asyncpg.Pool) -> None:
        self.pool = pool

    async def officer(self, force_id: str, officer_id) -> dict | None:
        row = await self.pool.fetchrow(
            f"SELECT * FROM {self.schema}.officers WHERE force_id = $1 AND officer_id = $2", force_id, officer_id
        )
        return _officer_json(row) if row else None

    async def officers(self, force_id: str, *, status: str | None, certification: str | None,
                       limit: int, after_staff_number: str | None) -> list[dict]:
        rows = await self.pool.fetch(
            f"""SELECT * FROM {self.schema}.officers
                WHERE force_id = $1 AND ($2::text IS NULL OR status = $2)
                  AND ($3::text IS NULL OR certification = $3)
                  AND ($4::text IS NULL OR staff_number > $4)
                ORDER BY staff_number LIMIT $5""",
            force_id, status, certification, after_staff_number, limit,
        )
        return [_officer_json(r) for r in rows]

    async def summary(self, force_id: str) -> dict:
        row = await self.pool.fetchrow(
            f"SELECT * FROM {self.schema}.force_training_summary WHERE force_id = $1", force_id
        )
        if row is None:
            return {"force_id": force_id, "officers_enrolled": 0, "officers_active": 0, "officers_withdrawn": 0,
                    "active_certified": 0, "active_expired": 0, "active_untrained": 0, "trainings_completed": 0}
        return dict(row)

    async def lapsed_certifications(self, today: date, limit: int = 1000) -> list[tuple[str, str]]:
        rows = await self.pool.fetch(
            f"""SELECT force_id, officer_id FROM {self.schema}.officers
                WHERE certification = 'certified' AND valid_until < $1 ORDER BY officer_id LIMIT $2""",
            today, limit,
        )
        return [(r["force_id"], r["officer_id"]) for r in rows]


def _officer_json(row: asyncpg.Record) -> dict:
    out = {}
    for key, value in dict(row).items():
        out[key] = value.isoformat() if isinstance(value, date) else (str(value) if key == "officer_id" else value)
    return out
