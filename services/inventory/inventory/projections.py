"""Inventory read models: kits, batches, take-home supplies and a per-force summary, plus
inventory's own view of officers (from training's public events) for issue decisions.

Built only from public events on the inventory and training topics, so both can be
dropped and rebuilt from the topics at any time. Values come from the events alone
(never from "now"); queries that depend on the day take `today` from the caller, so
every view judges "in date" the same way. Each batch is folded in memory by pure
functions (fold_kit, fold_batch, fold_supply, fold_officer_standing) and every touched
row is written once, with a per-aggregate version guard that makes re-applying an
event a no-op.

A take-home supply keeps the person's sealed details only as the ciphertext its event
carries (decrypted by the API at read time with the key store); when its key is destroyed
(TakeHomeSupplyPersonalDataShredded: erasure or retention) the row drops the ciphertext
and the pseudonym and says why (`shredded`), and every count stays.

Where a kit is: `status` says the kind of place (in_stock / issued / used / lost /
destroyed / supplied); exactly one of location_id and holder_officer_id is set for a
live kit, neither for a terminal one. expired, recalled and quarantined are flags.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Sequence
from uuid import UUID

import asyncpg

from naloxone.contracts import TOPICS
from naloxone.inventory.v1 import events_pb2 as pb
from naloxone.training.v1 import events_pb2 as training_pb
from naloxone_kernel.contract_values import from_date, from_enum, from_timestamp
from naloxone_kernel.projector import ProjectedEvent
from naloxone_kernel.readmodel import blank_row, fetch_rows, row_json, upsert_rows

from .domain import OfficerStanding
from .domain.values import uk_day


def _store_type(value: int) -> str | None:
    return from_enum(pb.StoreType, "STORE_TYPE", value)


def _product(value: int) -> str | None:
    return from_enum(pb.NaloxoneProduct, "NALOXONE_PRODUCT", value)


def _or_none(value: str) -> str | None:
    return value or None


# --- tables ------------------------------------------------------------------------

KIT_COLUMNS = (
    ("kit_id", "uuid"), ("force_id", "text"), ("batch_id", "uuid"), ("label", "text"),
    ("sequence_number", "int"), ("product_code", "text"), ("product", "text"), ("doses_per_kit", "int"),
    ("manufacturer_lot", "text"), ("expires_on", "date"), ("stocked_on", "date"),
    ("status", "text"), ("location_id", "text"), ("location_type", "text"), ("holder_officer_id", "uuid"),
    ("issued_on", "date"), ("expired", "bool"), ("recalled", "bool"), ("recall_reference", "text"),
    ("quarantined", "bool"), ("last_return_reason", "text"), ("write_off_reason", "text"),
    ("left_service_on", "date"), ("incident_id", "uuid"), ("used_at", "timestamptz"), ("used_on", "date"),
    ("used_by_officer_id", "uuid"), ("use_holder_mismatch", "bool"), ("used_while_expired", "bool"),
    ("used_while_recalled", "bool"), ("replacement_due", "bool"), ("replacement_for_officer_id", "uuid"),
    ("supply_id", "uuid"), ("version", "int"),
)
BATCH_COLUMNS = (
    ("batch_id", "uuid"), ("force_id", "text"), ("product_code", "text"), ("product", "text"),
    ("doses_per_kit", "int"), ("manufacturer_lot", "text"), ("quantity", "int"), ("expires_on", "date"),
    ("received_on", "date"), ("location_id", "text"), ("location_type", "text"), ("supplier", "text"),
    ("recalled", "bool"), ("recall_reference", "text"), ("recalled_on", "date"),
    ("kits_in_stock_at_recall", "int"), ("kits_issued_at_recall", "int"), ("expired", "bool"),
    ("version", "int"),
)
SUPPLY_COLUMNS = (
    ("supply_id", "uuid"), ("force_id", "text"), ("setting", "text"), ("recipient", "text"),
    ("product_code", "text"), ("product", "text"), ("quantity", "int"), ("supplied_at", "timestamptz"),
    ("supplier_org_id", "text"), ("partner_org_id", "text"), ("officer_id", "uuid"),
    ("subject_pseudonym", "text"), ("repeat_supply", "bool"), ("repeat_reason", "text"),
    ("advice_given", "bool"), ("area_code", "text"), ("kit_id", "uuid"), ("batch_id", "uuid"),
    ("location_id", "text"), ("referral_consent", "bool"), ("subject_details_ciphertext", "bytea"),
    ("shredded", "text"), ("version", "int"),
)
OFFICER_COLUMNS = (
    ("officer_id", "uuid"), ("force_id", "text"), ("status", "text"), ("certification", "text"),
    ("valid_until", "date"), ("withdrawn_on", "date"), ("version", "int"),
)

#: Where a kit is, as the read model names it (the domain's KitStatus values).
LIVE_STATUSES = ("in_stock", "issued")


# --- folds (pure) --------------------------------------------------------------------

KIT_MESSAGES = (pb.KitStocked, pb.KitTransferred, pb.KitIssued, pb.KitReturned, pb.KitUsed, pb.KitExpired,
                pb.KitRecalled, pb.KitWrittenOff, pb.KitSuppliedTakeHome)
BATCH_MESSAGES = (pb.StockReceived, pb.BatchRecalled, pb.BatchExpired)
SUPPLY_MESSAGES = (pb.TakeHomeKitSupplied, pb.TakeHomeSupplyPersonalDataShredded)


def _place(row: dict, status: str, *, location_id: str | None = None, location_type: str | None = None,
           holder: str | None = None) -> None:
    row.update(status=status, location_id=location_id, location_type=location_type, holder_officer_id=holder)


def fold_kit(rows: dict[str, dict], version: int, p) -> bool:
    """Apply one kit event to the in-memory kit rows; False if stale, unknown or before KitStocked."""
    kit_id = p.kit_id
    row = rows.get(kit_id)
    if row is not None and row["version"] >= version:
        return False
    if isinstance(p, pb.KitStocked):
        row = rows[kit_id] = (row or blank_row(KIT_COLUMNS)) | {
            "kit_id": kit_id, "force_id": p.force_id, "batch_id": p.batch_id, "label": p.label,
            "sequence_number": p.sequence_number, "product_code": p.product_code, "product": _product(p.product),
            "doses_per_kit": p.doses_per_kit, "manufacturer_lot": p.manufacturer_lot,
            "expires_on": from_date(p.expires_on), "stocked_on": from_date(p.stocked_on),
            "expired": False, "recalled": False, "quarantined": False, "replacement_due": False,
        }
        _place(row, "in_stock", location_id=p.store_id, location_type=_store_type(p.store_type))
    elif row is None:
        return False  # an event for a kit never stocked here: nothing to attach it to
    elif isinstance(p, pb.KitTransferred):
        _place(row, "in_stock", location_id=p.to_store_id, location_type=_store_type(p.to_store_type))
    elif isinstance(p, pb.KitIssued):
        _place(row, "issued", holder=p.officer_id)
        row["issued_on"] = from_date(p.issued_on)
    elif isinstance(p, pb.KitReturned):
        _place(row, "in_stock", location_id=p.store_id, location_type=_store_type(p.store_type))
        row.update(quarantined=not p.reissuable,
                   last_return_reason=from_enum(pb.KitReturnReason, "KIT_RETURN_REASON", p.reason))
    elif isinstance(p, pb.KitWrittenOff):
        reason = from_enum(pb.KitWriteOffReason, "KIT_WRITE_OFF_REASON", p.reason)
        _place(row, "lost" if reason == "lost" else "destroyed")
        row.update(write_off_reason=reason, left_service_on=from_date(p.written_off_on))
    elif isinstance(p, pb.KitUsed):
        used_at = from_timestamp(p.used_at)
        _place(row, "used")
        row.update(incident_id=p.incident_id, used_at=used_at, used_on=uk_day(used_at), left_service_on=uk_day(used_at),
                   used_by_officer_id=_or_none(p.administering_officer_id), use_holder_mismatch=p.holder_mismatch,
                   used_while_expired=p.was_expired, used_while_recalled=p.was_recalled,
                   replacement_due=bool(p.officer_id), replacement_for_officer_id=_or_none(p.officer_id))
    elif isinstance(p, pb.KitExpired):
        row["expired"] = True
    elif isinstance(p, pb.KitRecalled):
        row.update(recalled=True, recall_reference=p.recall_reference)
    elif isinstance(p, pb.KitSuppliedTakeHome):
        _place(row, "supplied")
        row.update(supply_id=p.supply_id, left_service_on=uk_day(from_timestamp(p.supplied_at)))
    else:
        return False
    row["version"] = version
    return True


def fold_batch(rows: dict[str, dict], version: int, p) -> bool:
    """Apply one batch event to the in-memory batch rows; False if stale or before StockReceived."""
    batch_id = p.batch_id
    row = rows.get(batch_id)
    if row is not None and row["version"] >= version:
        return False
    if isinstance(p, pb.StockReceived):
        row = rows[batch_id] = (row or blank_row(BATCH_COLUMNS)) | {
            "batch_id": batch_id, "force_id": p.force_id, "product_code": p.product_code,
            "product": _product(p.product), "doses_per_kit": p.doses_per_kit, "manufacturer_lot": p.manufacturer_lot,
            "quantity": p.quantity, "expires_on": from_date(p.expires_on), "received_on": from_date(p.received_on),
            "location_id": p.store_id, "location_type": _store_type(p.store_type), "supplier": _or_none(p.supplier),
            "recalled": False, "expired": False,
        }
    elif row is None:
        return False
    elif isinstance(p, pb.BatchRecalled):
        row.update(recalled=True, recall_reference=p.recall_reference, recalled_on=from_date(p.recalled_on),
                   kits_in_stock_at_recall=p.kits_in_store, kits_issued_at_recall=p.kits_issued)
    elif isinstance(p, pb.BatchExpired):
        row["expired"] = True
    else:
        return False
    row["version"] = version
    return True


def fold_supply(rows: dict[str, dict], version: int, p) -> bool:
    """Apply one supply event to the in-memory supply rows; False if already applied or before the supply."""
    supply_id = p.supply_id
    row = rows.get(supply_id)
    if row is not None and row["version"] >= version:
        return False
    if isinstance(p, pb.TakeHomeSupplyPersonalDataShredded):
        if row is None:
            return False
        row.update(subject_pseudonym=None, subject_details_ciphertext=None, version=version,
                   shredded=from_enum(pb.SupplyShredReason, "SUPPLY_SHRED_REASON", p.reason))
        return True
    if not isinstance(p, pb.TakeHomeKitSupplied):
        return False
    rows[supply_id] = {
        "supply_id": supply_id, "force_id": p.force_id,
        "setting": from_enum(pb.SupplySetting, "SUPPLY_SETTING", p.setting),
        "recipient": from_enum(pb.SupplyRecipient, "SUPPLY_RECIPIENT", p.recipient),
        "product_code": _or_none(p.product_code), "product": _product(p.product), "quantity": p.quantity,
        "supplied_at": from_timestamp(p.supplied_at),
        "supplier_org_id": _or_none(p.supplier_org_id) or _or_none(p.partner_org_id) or p.force_id,
        "partner_org_id": _or_none(p.partner_org_id), "officer_id": _or_none(p.officer_id),
        "subject_pseudonym": _or_none(p.subject_pseudonym), "repeat_supply": p.repeat_supply,
        "repeat_reason": from_enum(pb.RepeatSupplyReason, "REPEAT_SUPPLY_REASON", p.repeat_reason),
        "advice_given": p.advice_given, "area_code": _or_none(p.area_code), "kit_id": _or_none(p.kit_id),
        "batch_id": _or_none(p.batch_id), "location_id": _or_none(p.store_id),
        "referral_consent": p.referral_consent, "subject_details_ciphertext": p.subject_details_ciphertext or None,
        "shredded": None, "version": version,
    }
    return True


def public_supply(row) -> dict:
    """A supply row as the API shows it: the sealed details are opened by the API instead."""
    return row_json({k: v for k, v in dict(row).items() if not k.endswith("_ciphertext")})


@dataclass
class InventoryRows:
    """The touched rows of one projected batch, keyed by aggregate id (as text)."""

    kits: dict[str, dict] = field(default_factory=dict)
    batches: dict[str, dict] = field(default_factory=dict)
    supplies: dict[str, dict] = field(default_factory=dict)
    changed_kits: set[str] = field(default_factory=set)
    changed_batches: set[str] = field(default_factory=set)
    changed_supplies: set[str] = field(default_factory=set)

    def fold(self, version: int, payload) -> bool:
        """Route one inventory event to its table's fold; True if it changed a row."""
        if isinstance(payload, KIT_MESSAGES):
            if fold_kit(self.kits, version, payload):
                self.changed_kits.add(payload.kit_id)
                return True
        elif isinstance(payload, BATCH_MESSAGES):
            if fold_batch(self.batches, version, payload):
                self.changed_batches.add(payload.batch_id)
                return True
        elif isinstance(payload, SUPPLY_MESSAGES):
            if fold_supply(self.supplies, version, payload):
                self.changed_supplies.add(payload.supply_id)
                return True
        return False

    def forces(self) -> list[str]:
        touched = ([self.kits[k] for k in self.changed_kits] + [self.batches[b] for b in self.changed_batches]
                   + [self.supplies[s] for s in self.changed_supplies])
        return sorted({row["force_id"] for row in touched})


OFFICER_MESSAGES = (training_pb.OfficerEnrolled, training_pb.TrainingCompleted, training_pb.CertificationExpired,
                    training_pb.OfficerWithdrawn)


def fold_officer_standing(rows: dict[str, dict], version: int, p) -> bool:
    """Apply one training event to inventory's officer rows (what issue decisions need, nothing more).

    Training events about something other than one officer (e.g. a force's certification
    policy) are not inventory's business and change nothing.
    """
    if not isinstance(p, OFFICER_MESSAGES):
        return False
    officer_id = p.officer_id
    row = rows.get(officer_id)
    if row is not None and row["version"] >= version:
        return False
    if isinstance(p, training_pb.OfficerEnrolled):
        row = rows[officer_id] = (row or (blank_row(OFFICER_COLUMNS) | {"certification": "untrained"})) | {
            "officer_id": officer_id, "force_id": p.force_id, "status": "active", "withdrawn_on": None}
    elif row is None:
        return False
    elif isinstance(p, training_pb.TrainingCompleted):
        valid_until = from_date(p.valid_until)
        if row["valid_until"] is None or valid_until >= row["valid_until"]:
            row.update(certification="certified", valid_until=valid_until)
    elif isinstance(p, training_pb.CertificationExpired):
        if row["valid_until"] == from_date(p.valid_until):
            row["certification"] = "expired"
    elif isinstance(p, training_pb.OfficerWithdrawn):
        row.update(status="withdrawn", withdrawn_on=from_date(p.withdrawn_on))
    else:
        return False
    row["version"] = version
    return True


def standing_from_row(officer_id, row: dict | None) -> OfficerStanding:
    """The domain's view of an officer from an officers row (None: never seen)."""
    officer_id = officer_id if isinstance(officer_id, UUID) else UUID(str(officer_id))
    if row is None:
        return OfficerStanding.unknown(officer_id)
    return OfficerStanding(officer_id=officer_id, known=True, withdrawn=row["status"] == "withdrawn",
                           valid_until=row["valid_until"], certification=row["certification"],
                           force_id=row["force_id"])


# --- writing -------------------------------------------------------------------------


class InventoryReadModel:
    name = "inventory_view"
    topics = (TOPICS["inventory"],)

    def ddl(self, schema: str) -> str:
        def cols(columns, key: str) -> str:
            return ",\n".join(f"    {n} {t}{' PRIMARY KEY' if n == key else ''}" for n, t in columns)

        return f"""
        CREATE TABLE IF NOT EXISTS {schema}.kits (
        {cols(KIT_COLUMNS, "kit_id")}
        );
        CREATE INDEX IF NOT EXISTS kits_by_force ON {schema}.kits (force_id, label, kit_id);
        CREATE INDEX IF NOT EXISTS kits_by_batch ON {schema}.kits (batch_id);
        CREATE INDEX IF NOT EXISTS kits_by_holder ON {schema}.kits (force_id, holder_officer_id)
            WHERE status = 'issued';
        CREATE INDEX IF NOT EXISTS kits_by_location ON {schema}.kits (force_id, location_id)
            WHERE status = 'in_stock';
        CREATE INDEX IF NOT EXISTS kits_live_by_expiry ON {schema}.kits (force_id, expires_on)
            WHERE status IN ('in_stock', 'issued');
        CREATE INDEX IF NOT EXISTS kits_replacement_due ON {schema}.kits (force_id, replacement_for_officer_id)
            WHERE replacement_due;
        CREATE TABLE IF NOT EXISTS {schema}.batches (
        {cols(BATCH_COLUMNS, "batch_id")}
        );
        CREATE INDEX IF NOT EXISTS batches_recalled ON {schema}.batches (force_id) WHERE recalled;
        CREATE TABLE IF NOT EXISTS {schema}.take_home_supplies (
        {cols(SUPPLY_COLUMNS, "supply_id")}
        );
        CREATE INDEX IF NOT EXISTS supplies_by_force ON {schema}.take_home_supplies
            (force_id, supplied_at DESC, supply_id DESC);
        CREATE INDEX IF NOT EXISTS supplies_by_subject ON {schema}.take_home_supplies (force_id, subject_pseudonym)
            WHERE subject_pseudonym IS NOT NULL;
        CREATE TABLE IF NOT EXISTS {schema}.force_inventory_summary (
            force_id                    text PRIMARY KEY,
            kits_in_stock               integer NOT NULL,
            kits_available              integer NOT NULL,
            kits_issued                 integer NOT NULL,
            kits_used                   integer NOT NULL,
            kits_lost                   integer NOT NULL,
            kits_destroyed              integer NOT NULL,
            kits_supplied_take_home     integer NOT NULL,
            kits_expired                integer NOT NULL,
            kits_recalled               integer NOT NULL,
            kits_quarantined            integer NOT NULL,
            replacements_due            integer NOT NULL,
            take_home_supplies          integer NOT NULL,
            take_home_kits              integer NOT NULL,
            take_home_first             integer NOT NULL,
            take_home_repeat            integer NOT NULL,
            take_home_by_setting        jsonb NOT NULL
        );
        """

    async def apply_batch(self, conn: asyncpg.Connection, schema: str, events: Sequence[ProjectedEvent]) -> None:
        """Fold the whole batch in memory, then write each touched row once and refresh touched forces."""
        def ids(messages, key):
            return list(dict.fromkeys(getattr(e.payload, key) for e in events if isinstance(e.payload, messages)))

        state = InventoryRows(
            kits=await fetch_rows(conn, schema, "kits", "kit_id", ids(KIT_MESSAGES, "kit_id")),
            batches=await fetch_rows(conn, schema, "batches", "batch_id", ids(BATCH_MESSAGES, "batch_id")),
            supplies=await fetch_rows(conn, schema, "take_home_supplies", "supply_id", ids(SUPPLY_MESSAGES, "supply_id")),
        )
        for item in events:
            state.fold(item.envelope.aggregate_version, item.payload)
        await upsert_rows(conn, schema, "kits", KIT_COLUMNS, [state.kits[k] for k in state.changed_kits])
        await upsert_rows(conn, schema, "batches", BATCH_COLUMNS, [state.batches[b] for b in state.changed_batches])
        await upsert_rows(conn, schema, "take_home_supplies", SUPPLY_COLUMNS,
                      [state.supplies[s] for s in state.changed_supplies])
        forces = state.forces()
        if forces:
            await conn.execute(SUMMARY_SQL.format(s=schema), forces)


#: A kit used by an officer is replaced once that officer holds a kit issued on or after the day of use.
_NOT_REPLACED = """k.replacement_due AND NOT EXISTS (
    SELECT 1 FROM {s}.kits r
    WHERE r.force_id = k.force_id AND r.status = 'issued'
      AND r.holder_officer_id = k.replacement_for_officer_id AND r.issued_on >= k.used_on)"""

SUMMARY_SQL = """
INSERT INTO {s}.force_inventory_summary
SELECT f.force_id, k.*, t.*, coalesce(b.by_setting, '{{}}'::jsonb)
FROM unnest($1::text[]) AS f(force_id)
CROSS JOIN LATERAL (
    SELECT count(*) FILTER (WHERE status = 'in_stock'),
           count(*) FILTER (WHERE status = 'in_stock' AND NOT expired AND NOT recalled AND NOT quarantined),
           count(*) FILTER (WHERE status = 'issued'),
           count(*) FILTER (WHERE status = 'used'),
           count(*) FILTER (WHERE status = 'lost'),
           count(*) FILTER (WHERE status = 'destroyed'),
           count(*) FILTER (WHERE status = 'supplied'),
           count(*) FILTER (WHERE status IN ('in_stock', 'issued') AND expired),
           count(*) FILTER (WHERE status IN ('in_stock', 'issued') AND recalled),
           count(*) FILTER (WHERE status = 'in_stock' AND quarantined),
           count(*) FILTER (WHERE """ + _NOT_REPLACED + """)
    FROM {s}.kits k WHERE k.force_id = f.force_id
) k
CROSS JOIN LATERAL (
    SELECT count(*), coalesce(sum(quantity), 0), count(*) FILTER (WHERE NOT repeat_supply),
           count(*) FILTER (WHERE repeat_supply)
    FROM {s}.take_home_supplies WHERE force_id = f.force_id
) t
CROSS JOIN LATERAL (
    SELECT jsonb_object_agg(setting, jsonb_build_object('first', first, 'repeat', repeat, 'kits', kits)) AS by_setting
    FROM (SELECT coalesce(setting, 'unspecified') AS setting,
                 count(*) FILTER (WHERE NOT repeat_supply) AS first,
                 count(*) FILTER (WHERE repeat_supply) AS repeat,
                 sum(quantity) AS kits
          FROM {s}.take_home_supplies WHERE force_id = f.force_id GROUP BY 1) per_setting
) b
ON CONFLICT (force_id) DO UPDATE SET
    kits_in_stock = EXCLUDED.kits_in_stock, kits_available = EXCLUDED.kits_available,
    kits_issued = EXCLUDED.kits_issued, kits_used = EXCLUDED.kits_used, kits_lost = EXCLUDED.kits_lost,
    kits_destroyed = EXCLUDED.kits_destroyed, kits_supplied_take_home = EXCLUDED.kits_supplied_take_home,
    kits_expired = EXCLUDED.kits_expired, kits_recalled = EXCLUDED.kits_recalled,
    kits_quarantined = EXCLUDED.kits_quarantined, replacements_due = EXCLUDED.replacements_due,
    take_home_supplies = EXCLUDED.take_home_supplies, take_home_kits = EXCLUDED.take_home_kits,
    take_home_first = EXCLUDED.take_home_first, take_home_repeat = EXCLUDED.take_home_repeat,
    take_home_by_setting = EXCLUDED.take_home_by_setting
"""


class OfficerStandingView:
    """Inventory's local view of officers, from training's public events: who may be issued a kit."""

    name = "inventory_officers"
    topics = (TOPICS["training"],)

    def ddl(self, schema: str) -> str:
        columns = ",\n".join(f"    {n} {t}{' PRIMARY KEY' if n == 'officer_id' else ''}" for n, t in OFFICER_COLUMNS)
        return f"""
        CREATE TABLE IF NOT EXISTS {schema}.officers (
        {columns}
        );
        CREATE INDEX IF NOT EXISTS officers_withdrawn ON {schema}.officers (force_id) WHERE status = 'withdrawn';
        """

    async def apply_batch(self, conn: asyncpg.Connection, schema: str, events: Sequence[ProjectedEvent]) -> None:
        officer_events = [e for e in events if isinstance(e.payload, OFFICER_MESSAGES)]
        rows = await fetch_rows(conn, schema, "officers", "officer_id",
                            list(dict.fromkeys(e.payload.officer_id for e in officer_events)))
        changed = {e.payload.officer_id for e in officer_events
                   if fold_officer_standing(rows, e.envelope.aggregate_version, e.payload)}
        await upsert_rows(conn, schema, "officers", OFFICER_COLUMNS, [rows[o] for o in changed])


# --- reading -------------------------------------------------------------------------


EMPTY_SUMMARY = {
    "kits_in_stock": 0, "kits_available": 0, "kits_issued": 0, "kits_used": 0, "kits_lost": 0, "kits_destroyed": 0,
    "kits_supplied_take_home": 0, "kits_expired": 0, "kits_recalled": 0, "kits_quarantined": 0,
    "replacements_due": 0, "take_home_supplies": 0, "take_home_kits": 0, "take_home_first": 0,
    "take_home_repeat": 0, "take_home_by_setting": {},
}


class InventoryQueries:
    """Reads for the API; only ever from inventory's own read-model schemas, always scoped to one force."""

    def __init__(self, pool: asyncpg.Pool, *, schema: str = InventoryReadModel.name,
                 officers_schema: str = OfficerStandingView.name) -> None:
        self.pool = pool
        self.schema = schema
        self.officers_schema = officers_schema

    async def kits(self, force_id: str, *, holder: UUID | str | None = None, status: str | None = None,
                   location: str | None = None, expiring_within_days: int | None = None, today: date | None = None,
                   recalled: bool | None = None, expired: bool | None = None, limit: int = 100,
                   after: UUID | str | None = None) -> list[dict]:
        """Kits ordered by label; `after` is the last kit_id of the previous page.

        expiring_within_days: live kits still in date whose last usable day is within that
        many days of `today` (which the caller must pass: the read model never asks the clock).
        """
        if expiring_within_days is not None and today is None:
            raise ValueError("expiring_within_days needs today")
        until = today + timedelta(days=expiring_within_days) if expiring_within_days is not None else None
        rows = await self.pool.fetch(
            f"""SELECT * FROM {self.schema}.kits k
                WHERE force_id = $1
                  AND ($2::uuid IS NULL OR holder_officer_id = $2)
                  AND ($3::text IS NULL OR status = $3)
                  AND ($4::text IS NULL OR location_id = $4)
                  AND ($5::date IS NULL OR (status IN ('in_stock', 'issued') AND NOT expired
                                            AND expires_on >= $6 AND expires_on <= $5))
                  AND ($7::bool IS NULL OR recalled = $7)
                  AND ($8::bool IS NULL OR expired = $8)
                  AND ($9::uuid IS NULL OR (label, kit_id) > (
                        SELECT label, kit_id FROM {self.schema}.kits WHERE kit_id = $9))
                ORDER BY label, kit_id LIMIT $10""",
            force_id, _as_uuid(holder), status, location, until, today, recalled, expired, _as_uuid(after), limit,
        )
        return [row_json(r) for r in rows]

    async def kit(self, force_id: str, kit_id: UUID | str) -> dict | None:
        row = await self.pool.fetchrow(
            f"SELECT * FROM {self.schema}.kits WHERE force_id = $1 AND kit_id = $2", force_id, _as_uuid(kit_id))
        return row_json(row) if row else None

    async def batch(self, force_id: str, batch_id: UUID | str) -> dict | None:
        row = await self.pool.fetchrow(
            f"SELECT * FROM {self.schema}.batches WHERE force_id = $1 AND batch_id = $2", force_id,
            _as_uuid(batch_id))
        return row_json(row) if row else None

    async def batches(self, force_id: str, *, limit: int = 100, after: UUID | str | None = None) -> list[dict]:
        """Batches newest first by day received; `after` is the last batch_id of the previous page."""
        rows = await self.pool.fetch(
            f"""SELECT * FROM {self.schema}.batches
                WHERE force_id = $1
                  AND ($2::uuid IS NULL OR (received_on, batch_id) < (
                        SELECT received_on, batch_id FROM {self.schema}.batches WHERE batch_id = $2))
                ORDER BY received_on DESC, batch_id DESC LIMIT $3""",
            force_id, _as_uuid(after), limit,
        )
        return [row_json(r) for r in rows]

    async def count_expiring_batches(self, today: date) -> int:
        return await self.pool.fetchval(
            f"SELECT count(*) FROM {self.schema}.batches WHERE NOT expired AND expires_on < $1", today)

    async def expiring_batches(self, today: date, *, after: UUID | None = None,
                               limit: int = 200) -> list[tuple[str, UUID]]:
        """Batches past their expiry date that the expiry job has not marked, in batch id order (every force)."""
        rows = await self.pool.fetch(
            f"""SELECT force_id, batch_id FROM {self.schema}.batches
                WHERE NOT expired AND expires_on < $1 AND ($2::uuid IS NULL OR batch_id > $2)
                ORDER BY batch_id LIMIT $3""",
            today, after, limit,
        )
        return [(r["force_id"], r["batch_id"]) for r in rows]

    async def stock(self, force_id: str, *, location: str | None = None) -> list[dict]:
        """Kits in stock per location and product: available to issue, and those that are not and why."""
        rows = await self.pool.fetch(
            f"""SELECT location_id, location_type, product_code,
                       count(*) AS in_stock,
                       count(*) FILTER (WHERE NOT expired AND NOT recalled AND NOT quarantined) AS available,
                       count(*) FILTER (WHERE expired) AS expired,
                       count(*) FILTER (WHERE recalled) AS recalled,
                       count(*) FILTER (WHERE quarantined) AS quarantined,
                       min(expires_on) FILTER (WHERE NOT expired AND NOT recalled AND NOT quarantined)
                           AS earliest_expiry_available
                FROM {self.schema}.kits
                WHERE force_id = $1 AND status = 'in_stock' AND ($2::text IS NULL OR location_id = $2)
                GROUP BY location_id, location_type, product_code
                ORDER BY location_id, product_code""",
            force_id, location,
        )
        return [row_json(r) for r in rows]

    async def recalls(self, force_id: str) -> list[dict]:
        """Every kit of every recalled batch, with where it is now (holder or location) or how it left."""
        rows = await self.pool.fetch(
            f"""SELECT b.batch_id, b.manufacturer_lot, b.recall_reference, b.recalled_on,
                       k.kit_id, k.label, k.product_code, k.status, k.location_id, k.location_type,
                       k.holder_officer_id, k.write_off_reason
                FROM {self.schema}.batches b JOIN {self.schema}.kits k ON k.batch_id = b.batch_id
                WHERE b.force_id = $1 AND b.recalled
                ORDER BY b.recalled_on DESC, b.batch_id, k.sequence_number""",
            force_id,
        )
        return [row_json(r) for r in rows]

    async def swap_due(self, force_id: str, *, today: date, lead_days: int) -> list[dict]:
        """Kits out with officers that should be swapped: recalled, expired, or expiring within lead_days."""
        rows = await self.pool.fetch(
            f"""SELECT kit_id, label, batch_id, product_code, expires_on, holder_officer_id, issued_on,
                       CASE WHEN recalled THEN 'recalled'
                            WHEN expired OR expires_on < $2 THEN 'expired'
                            ELSE 'expiring' END AS reason
                FROM {self.schema}.kits
                WHERE force_id = $1 AND status = 'issued'
                  AND (recalled OR expired OR expires_on <= $3)
                ORDER BY expires_on, label, kit_id""",
            force_id, today, today + timedelta(days=lead_days),
        )
        return [row_json(r) for r in rows]

    async def replacements_due(self, force_id: str) -> list[dict]:
        """Officers whose kit was used and who hold no kit issued since the day of use."""
        rows = await self.pool.fetch(
            f"""SELECT k.replacement_for_officer_id AS officer_id, k.kit_id AS used_kit_id, k.label,
                       k.incident_id, k.used_at, k.product_code
                FROM {self.schema}.kits k
                WHERE k.force_id = $1 AND {_NOT_REPLACED.format(s=self.schema)}
                ORDER BY k.used_at, k.kit_id""",
            force_id,
        )
        return [row_json(r) for r in rows]

    async def take_home_supplies(self, force_id: str, *, limit: int = 100,
                                 after: UUID | str | None = None) -> list[dict]:
        """Supplies newest first; `after` is the last supply_id of the previous page."""
        rows = await self.pool.fetch(
            f"""SELECT * FROM {self.schema}.take_home_supplies
                WHERE force_id = $1
                  AND ($2::uuid IS NULL OR (supplied_at, supply_id) < (
                        SELECT supplied_at, supply_id FROM {self.schema}.take_home_supplies WHERE supply_id = $2))
                ORDER BY supplied_at DESC, supply_id DESC LIMIT $3""",
            force_id, _as_uuid(after), limit,
        )
        return [dict(r) for r in rows]  # sealed details as bytes: the API opens them (see public_supply)

    async def take_home_supply(self, force_id: str, supply_id: UUID | str) -> dict | None:
        row = await self.pool.fetchrow(
            f"SELECT * FROM {self.schema}.take_home_supplies WHERE force_id = $1 AND supply_id = $2", force_id,
            _as_uuid(supply_id))
        return dict(row) if row else None

    async def subject_supplies(self, force_id: str, subject_pseudonym: str) -> list[UUID]:
        """The supplies to a person (by pseudonym) in the force, oldest first (subject access)."""
        rows = await self.pool.fetch(
            f"""SELECT supply_id FROM {self.schema}.take_home_supplies
                WHERE force_id = $1 AND subject_pseudonym = $2 ORDER BY supplied_at, supply_id""",
            force_id, subject_pseudonym)
        return [r["supply_id"] for r in rows]

    async def summary(self, force_id: str) -> dict:
        row = await self.pool.fetchrow(
            f"SELECT * FROM {self.schema}.force_inventory_summary WHERE force_id = $1", force_id)
        if row is None:
            return {"force_id": force_id} | EMPTY_SUMMARY
        out = dict(row)
        if isinstance(out["take_home_by_setting"], str):  # jsonb arrives as text without a codec
            out["take_home_by_setting"] = json.loads(out["take_home_by_setting"])
        return out

    async def standing(self, officer_id: UUID | str) -> OfficerStanding:
        """What inventory knows of an officer, for the issue decision (unknown if never seen)."""
        row = await self.pool.fetchrow(
            f"SELECT * FROM {self.officers_schema}.officers WHERE officer_id = $1", _as_uuid(officer_id))
        return standing_from_row(officer_id, dict(row) if row else None)

    async def standings(self, officer_ids: list[UUID]) -> dict[UUID, OfficerStanding]:
        """`standing` for many officers in one query."""
        rows = await self.pool.fetch(
            f"SELECT * FROM {self.officers_schema}.officers WHERE officer_id = ANY($1::uuid[])", list(officer_ids))
        found = {row["officer_id"]: dict(row) for row in rows}
        return {i: standing_from_row(i, found.get(i)) for i in officer_ids}

    async def to_return(self, force_id: str) -> list[dict]:
        """Kits still held by officers who were withdrawn from the scheme: to be called back."""
        rows = await self.pool.fetch(
            f"""SELECT k.kit_id, k.label, k.batch_id, k.product_code, k.expires_on, k.holder_officer_id,
                       k.issued_on, o.withdrawn_on
                FROM {self.schema}.kits k
                JOIN {self.officers_schema}.officers o ON o.officer_id = k.holder_officer_id
                WHERE k.force_id = $1 AND k.status = 'issued' AND o.status = 'withdrawn'
                ORDER BY o.withdrawn_on, k.label, k.kit_id""",
            force_id,
        )
        return [row_json(r) for r in rows]


def _as_uuid(value: UUID | str | None) -> UUID | None:
    if value is None or isinstance(value, UUID):
        return value
    return UUID(str(value))
