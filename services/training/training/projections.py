"""Training read models: one row per officer, one summary row per force, force policies.

Built only from public events, so they can be dropped and rebuilt from the topics at
any time: training's own, and inventory's for who is carrying a kit (training never
asks inventory). Values come from the events alone (never from "now"), which is what
makes a rebuild equal the live model.
"""

from __future__ import annotations

from datetime import date
from typing import Sequence

import asyncpg
from naloxone.contracts import TOPICS
from naloxone.inventory.v1 import events_pb2 as inventory_pb
from naloxone.training.v1 import events_pb2 as pb
from naloxone_kernel.contract_values import from_date, from_enum
from naloxone_kernel.projector import ProjectedEvent
from naloxone_kernel.readmodel import row_json

from .domain.policy import DEFAULT_CERTIFICATION_MONTHS

#: Inventory kit events that leave the kit where it was (flags, not moves).
KIT_STAYS_PUT = (inventory_pb.KitExpired,) + tuple(
    getattr(inventory_pb, name) for name in ("KitRecalled",) if hasattr(inventory_pb, name))


class TrainingReadModel:
    name = "training_view"
    topics = (TOPICS["training"], TOPICS["inventory"])

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
            version              integer NOT NULL,
            kits_held            integer NOT NULL DEFAULT 0
        );
        CREATE INDEX IF NOT EXISTS officers_by_force ON {schema}.officers (force_id, staff_number);
        CREATE INDEX IF NOT EXISTS officers_by_validity ON {schema}.officers (valid_until, officer_id)
            WHERE certification = 'certified';
        CREATE TABLE IF NOT EXISTS {schema}.kit_holders (
            kit_id      uuid PRIMARY KEY,
            officer_id  uuid,
            version     integer NOT NULL
        );
        CREATE INDEX IF NOT EXISTS kit_holders_by_officer ON {schema}.kit_holders (officer_id);
        CREATE TABLE IF NOT EXISTS {schema}.force_policies (
            force_id              text PRIMARY KEY,
            certification_months  integer NOT NULL,
            effective_on          date NOT NULL
        );
        CREATE TABLE IF NOT EXISTS {schema}.force_training_summary (
            force_id                text PRIMARY KEY,
            officers_enrolled       integer NOT NULL,
            officers_active         integer NOT NULL,
            officers_withdrawn      integer NOT NULL,
            active_certified        integer NOT NULL,
            active_expired          integer NOT NULL,
            active_untrained        integer NOT NULL,
            trainings_completed     integer NOT NULL,
            officers_trained        integer NOT NULL DEFAULT 0,
            active_carrying         integer NOT NULL DEFAULT 0
        );
        """

    async def apply_batch(self, conn: asyncpg.Connection, schema: str, events: Sequence[ProjectedEvent]) -> None:
        """Fold the whole batch in memory, then write each touched officer once.

        A few statements per batch whatever its size: read the touched rows, upsert
        their new state, recompute the touched forces' summaries.
        """
        policies = [item.payload for item in events if isinstance(item.payload, pb.CertificationPolicySet)]
        for policy in policies:
            await conn.execute(
                f"""INSERT INTO {schema}.force_policies VALUES ($1, $2, $3)
                    ON CONFLICT (force_id) DO UPDATE SET certification_months = EXCLUDED.certification_months,
                    effective_on = EXCLUDED.effective_on""",
                policy.force_id, policy.certification_months, from_date(policy.effective_on))
        carried = await self._apply_kit_moves(conn, schema, [
            item for item in events if item.envelope.aggregate_type == "Kit"])
        events = [item for item in events if item.envelope.aggregate_type == "Officer"]
        ids = list(dict.fromkeys(item.payload.officer_id for item in events))
        ids += [officer_id for officer_id in carried if officer_id not in ids]
        rows = {
            str(r["officer_id"]): dict(r)
            for r in await conn.fetch(f"SELECT * FROM {schema}.officers WHERE officer_id = ANY($1::uuid[])", ids)
        }
        changed: set[str] = set()
        for item in events:
            if fold_officer(rows, item.envelope.aggregate_version, item.payload):
                changed.add(item.payload.officer_id)
        # Kits held are counted from kit_holders for officers whose kits moved, and for officers
        # enrolled here: inventory's topic is not ordered with training's, so a kit may have been
        # issued to an officer (and recorded in kit_holders) before the enrolment is applied.
        enrolled = {item.payload.officer_id for item in events if isinstance(item.payload, pb.OfficerEnrolled)}
        recount = set(carried) | enrolled
        if recount:
            held = {str(r["officer_id"]): r["n"] for r in await conn.fetch(
                f"SELECT officer_id, count(*) AS n FROM {schema}.kit_holders WHERE officer_id = ANY($1::uuid[]) "
                "GROUP BY officer_id", list(recount))}
            for officer_id in recount:
                row, kits = rows.get(officer_id), held.get(officer_id, 0)
                if row is not None and row["kits_held"] != kits:
                    row["kits_held"] = kits
                    changed.add(officer_id)
        if changed:
            out = [rows[officer_id] for officer_id in changed]
            await conn.execute(
                f"""INSERT INTO {schema}.officers ({", ".join(OFFICER_COLUMNS)})
                    SELECT * FROM unnest({", ".join(f"${n}::{t}[]" for n, t in enumerate(OFFICER_COLUMN_TYPES, 1))})
                    ON CONFLICT (officer_id) DO UPDATE SET
                    {", ".join(f"{c} = EXCLUDED.{c}" for c in OFFICER_COLUMNS[1:])}""",
                *([row[c] for row in out] for c in OFFICER_COLUMNS),
            )
            forces = sorted({rows[officer_id]["force_id"] for officer_id in changed})
            await conn.execute(
                f"""INSERT INTO {schema}.force_training_summary
                    SELECT force_id,
                           count(*),
                           count(*) FILTER (WHERE status = 'active'),
                           count(*) FILTER (WHERE status = 'withdrawn'),
                           count(*) FILTER (WHERE status = 'active' AND certification = 'certified'),
                           count(*) FILTER (WHERE status = 'active' AND certification = 'expired'),
                           count(*) FILTER (WHERE status = 'active' AND certification = 'untrained'),
                           coalesce(sum(trainings_completed), 0),
                           count(*) FILTER (WHERE trainings_completed > 0),
                           count(*) FILTER (WHERE status = 'active' AND kits_held > 0)
                    FROM {schema}.officers WHERE force_id = ANY($1::text[]) GROUP BY force_id
                    ON CONFLICT (force_id) DO UPDATE SET
                        officers_enrolled = EXCLUDED.officers_enrolled,
                        officers_active = EXCLUDED.officers_active,
                        officers_withdrawn = EXCLUDED.officers_withdrawn,
                        active_certified = EXCLUDED.active_certified,
                        active_expired = EXCLUDED.active_expired,
                        active_untrained = EXCLUDED.active_untrained,
                        trainings_completed = EXCLUDED.trainings_completed,
                        officers_trained = EXCLUDED.officers_trained,
                        active_carrying = EXCLUDED.active_carrying""",
                forces,
            )

    @staticmethod
    async def _apply_kit_moves(conn: asyncpg.Connection, schema: str, events: Sequence[ProjectedEvent]) -> set[str]:
        """Who holds which kit, from inventory's kit events; returns the officers whose count may change."""
        if not events:
            return set()
        kit_ids = list(dict.fromkeys(item.payload.kit_id for item in events))
        holders = {str(r["kit_id"]): dict(r) for r in await conn.fetch(
            f"SELECT kit_id, officer_id, version FROM {schema}.kit_holders WHERE kit_id = ANY($1::uuid[])", kit_ids)}
        touched: set[str] = set()
        changed: set[str] = set()
        for item in events:
            kit_id, version = item.payload.kit_id, item.envelope.aggregate_version
            row = holders.get(kit_id)
            if row is not None and row["version"] >= version:
                continue
            before = str(row["officer_id"]) if row and row["officer_id"] else None
            if isinstance(item.payload, inventory_pb.KitIssued):
                after = item.payload.officer_id
            elif isinstance(item.payload, KIT_STAYS_PUT):
                after = before
            else:
                after = None
            holders[kit_id] = {"kit_id": kit_id, "officer_id": after, "version": version}
            changed.add(kit_id)
            touched.update(o for o in (before, after) if o)
        if changed:
            await conn.execute(
                f"""INSERT INTO {schema}.kit_holders (kit_id, officer_id, version)
                    SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::int[])
                    ON CONFLICT (kit_id) DO UPDATE SET officer_id = EXCLUDED.officer_id, version = EXCLUDED.version""",
                list(changed), [holders[k]["officer_id"] for k in changed], [holders[k]["version"] for k in changed])
        return touched


OFFICER_COLUMNS = (
    "officer_id", "force_id", "staff_number", "role", "area_code", "status", "enrolled_on", "withdrawn_on",
    "withdrawal_reason", "certification", "last_course", "last_provider", "last_completed_on", "valid_until",
    "trainings_completed", "version", "kits_held",
)
OFFICER_COLUMN_TYPES = (
    "uuid", "text", "text", "text", "text", "text", "date", "date",
    "text", "text", "text", "text", "date", "date",
    "int", "int", "int",
)


def fold_officer(rows: dict[str, dict], version: int, p) -> bool:
    """Apply one event to the in-memory officer rows; False if it is stale or has no row yet.

    The version guard makes applying an event twice, or an older one late, a no-op.
    """
    officer_id = p.officer_id
    row = rows.get(officer_id)
    if row is not None and row["version"] >= version:
        return False
    if isinstance(p, pb.OfficerEnrolled):
        base = row or {c: None for c in OFFICER_COLUMNS} | {
            "officer_id": officer_id, "certification": "untrained", "trainings_completed": 0, "kits_held": 0}
        base.update(force_id=p.force_id, staff_number=p.staff_number,
                    role=from_enum(pb.OfficerRole, "OFFICER_ROLE", p.role), area_code=p.area_code or None,
                    status="active", enrolled_on=from_date(p.enrolled_on), withdrawn_on=None, withdrawal_reason=None)
        row = rows[officer_id] = base
    elif row is None:
        return False  # an event for an officer never enrolled here: nothing to attach it to
    elif isinstance(p, pb.TrainingCompleted):
        valid_until = from_date(p.valid_until)
        if row["valid_until"] is None or valid_until >= row["valid_until"]:
            row["certification"] = "certified"
            row["valid_until"] = valid_until
        row.update(last_course=p.course, last_provider=p.provider, last_completed_on=from_date(p.completed_on),
                   trainings_completed=row["trainings_completed"] + 1)
    elif isinstance(p, pb.CertificationExpired):
        if row["valid_until"] == from_date(p.valid_until):
            row["certification"] = "expired"
    elif isinstance(p, pb.OfficerWithdrawn):
        row.update(status="withdrawn", withdrawn_on=from_date(p.withdrawn_on),
                   withdrawal_reason=from_enum(pb.WithdrawalReason, "WITHDRAWAL_REASON", p.reason))
    else:
        return False
    row["officer_id"] = officer_id
    row["version"] = version
    return True


class TrainingQueries:
    """Reads for the API; only ever from the read model schema."""

    schema = TrainingReadModel.name

    def __init__(self, pool: asyncpg.Pool) -> None:
        self.pool = pool

    async def officer(self, force_id: str, officer_id) -> dict | None:
        row = await self.pool.fetchrow(
            f"SELECT * FROM {self.schema}.officers WHERE force_id = $1 AND officer_id = $2", force_id, officer_id
        )
        return row_json(row) if row else None

    async def officers(self, force_id: str, *, status: str | None, certification: str | None,
                       limit: int, after_staff_number: str | None, carrying: bool | None = None) -> list[dict]:
        rows = await self.pool.fetch(
            f"""SELECT * FROM {self.schema}.officers
                WHERE force_id = $1 AND ($2::text IS NULL OR status = $2)
                  AND ($3::text IS NULL OR certification = $3)
                  AND ($4::text IS NULL OR staff_number > $4)
                  AND ($6::bool IS NULL OR (kits_held > 0) = $6)
                ORDER BY staff_number LIMIT $5""",
            force_id, status, certification, after_staff_number, limit, carrying,
        )
        return [row_json(r) for r in rows]

    async def lapsing(self, force_id: str, today: date, within_days: int, limit: int) -> list[dict]:
        rows = await self.pool.fetch(
            f"""SELECT * FROM {self.schema}.officers
                WHERE force_id = $1 AND status = 'active' AND certification = 'certified'
                  AND valid_until >= $2 AND valid_until <= $2 + $3::int
                ORDER BY valid_until, staff_number LIMIT $4""",
            force_id, today, within_days, limit,
        )
        return [row_json(r) for r in rows]

    async def policy(self, force_id: str) -> dict:
        row = await self.pool.fetchrow(f"SELECT * FROM {self.schema}.force_policies WHERE force_id = $1", force_id)
        if row is None:
            return {"force_id": force_id, "certification_months": DEFAULT_CERTIFICATION_MONTHS,
                    "effective_on": None, "default": True}
        return {**row_json(row), "default": False}

    async def summary(self, force_id: str) -> dict:
        row = await self.pool.fetchrow(
            f"SELECT * FROM {self.schema}.force_training_summary WHERE force_id = $1", force_id
        )
        if row is None:
            return {"force_id": force_id, "officers_enrolled": 0, "officers_active": 0, "officers_withdrawn": 0,
                    "active_certified": 0, "active_expired": 0, "active_untrained": 0, "trainings_completed": 0,
                    "officers_trained": 0, "active_carrying": 0}
        return dict(row)

    async def count_lapsed(self, today: date) -> int:
        return await self.pool.fetchval(
            f"SELECT count(*) FROM {self.schema}.officers WHERE certification = 'certified' AND valid_until < $1",
            today)

    async def lapsed_certifications(self, today: date, *, after=None, limit: int = 500) -> list[tuple[str, object]]:
        """Certified officers past their last valid day, a page at a time in officer id order."""
        rows = await self.pool.fetch(
            f"""SELECT force_id, officer_id FROM {self.schema}.officers
                WHERE certification = 'certified' AND valid_until < $1 AND ($2::uuid IS NULL OR officer_id > $2)
                ORDER BY officer_id LIMIT $3""",
            today, after, limit,
        )
        return [(r["force_id"], r["officer_id"]) for r in rows]
