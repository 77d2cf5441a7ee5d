"""The views HTTP API: cross-force figures (per force, per region, national) and a force's
provision status. Every figure is read from the views' own ledger; `?as_of=DAY` answers
as the figures stood at the end of that UK day, with the revision since; `?format=csv`
(or `Accept: text/csv`) exports any view as CSV.

Who sees what: a force's users with an analytics role see their own force unsuppressed;
regional and national routes are for national leads and for force users with an
analytics role, and there every count of people under 5 is hidden ("<5"), with more
cells hidden ("c") so that no total gives one away, measured against what the reader
already knows (their own force).
"""

from __future__ import annotations

import asyncio
import csv
import io
from collections import OrderedDict
from datetime import date, datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Header, Query
from fastapi.responses import Response
from naloxone_kernel.auth import SUBMIT_ONLY_ROLES, Forbidden
from naloxone_kernel.domain import UK, InvalidValue, NotFound
from naloxone_kernel.http import json_answer
from naloxone_kernel.reference.force_figures import figures_for
from naloxone_kernel.reference.forces import FORCES, forces_in_region, get_force
from naloxone_kernel.schemas import CSV_ALSO
from naloxone_kernel.service import Caller, Command, Kit, ServiceParts, force_scope, respond

from ..adapters.contracts import to_proto
from ..application import handlers as h
from ..domain import PROVISION_EVENTS
from ..figures import (
    COLUMNS,
    COLUMNS_BY_NAME,
    MONTHLY,
    NATIONAL,
    REGION_BY_SLUG,
    SORT_KEYS,
    ForceSums,
    Published,
    build_grid,
    build_trends,
    force_counts,
    month_range,
    region_key,
    region_slug,
    revisions,
    sort_rows,
    windows,
)
from ..projections import ViewsQueries, ViewsReadModel
from ..suppression import PRIMARY, SECONDARY, THRESHOLD
from .schemas import ProvisionBody

ANALYSTS = frozenset({"trainer", "force_admin", "auditor"})
ADMINS = frozenset({"force_admin"})
ReadForce = Annotated[str, Depends(force_scope(ANALYSTS))]
AdminForce = Annotated[str, Depends(force_scope(ADMINS))]
SUPPRESSION = {"threshold": THRESHOLD, "primary": PRIMARY, "secondary": SECONDARY,
               "rule": f"counts of people from 1 to {THRESHOLD - 1} are shown as '{PRIMARY}'; further cells are "
                       f"shown as '{SECONDARY}' so that no total reveals a hidden count; rates and means are "
                       "hidden with the count they derive from; a force's own users see it unsuppressed"}

router = APIRouter()


async def aggregate_reader(identity: Caller) -> str | None:
    """National leads (no force) and force users with an analytics role; returns the reader's
    own force (whose figures it sees unsuppressed), or None for a national lead."""
    if identity.force_id and identity.has_any_role(ANALYSTS) and not identity.roles <= SUBMIT_ONLY_ROLES:
        return identity.force_id
    if "national_lead" in identity.roles and not identity.force_id:
        return None
    raise Forbidden("regional and national figures are for national leads and force users with an analytics "
                    f"role ({sorted(ANALYSTS)})")


Reader = Annotated[str | None, Depends(aggregate_reader)]
AsOf = Annotated[date | None, Query(description="figures as they stood at the end of this UK day (YYYY-MM-DD)")]
Format = Annotated[Literal["json", "csv"] | None, Query(alias="format", description="json (default) or csv")]
AcceptHeader = Annotated[str | None, Header(alias="Accept")]


def today() -> date:
    return datetime.now(UK).date()


def checked_as_of(as_of: date | None) -> date | None:
    if as_of is not None and as_of > today():
        raise InvalidValue("as_of must not be after today (UK time)", field="query.as_of")
    return as_of


def wants_csv(fmt: str | None, accept: str | None) -> bool:
    return fmt == "csv" or (fmt is None and accept is not None and "text/csv" in accept)


def csv_response(header: list[str], rows: list[list], filename: str) -> Response:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow(["" if v is None else v for v in row])
    return Response(out.getvalue(), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{filename}.csv"'})


async def built_once(table: dict, key, build, *, keep: bool = True):
    """What `build()` returns, built by the first caller asking for `key`: callers arriving while
    it is being built wait for that one build instead of starting their own. A failed build is
    dropped, so the next caller tries anew; a finished one stays in `table` unless `keep` is False."""
    held = table.get(key)
    if held is None:
        held = table[key] = asyncio.get_running_loop().create_future()
        try:
            held.set_result(await build())
        except BaseException as exc:
            table.pop(key, None)
            if isinstance(exc, asyncio.CancelledError):
                held.cancel()
            else:
                held.set_exception(exc)
                held.exception()  # retrieved: no "never retrieved" warning when nobody else waited
            raise
        if not keep:
            table.pop(key, None)
    return await asyncio.shield(held)


class GridCache:
    """Suppressed grids per (reader, as_of, day), valid while the read model has not moved."""

    def __init__(self, size: int = 64) -> None:
        self.size = size
        self.items: OrderedDict = OrderedDict()
        #: Grids being built: concurrent readers of one (key, version) share one build.
        self.building: dict[tuple, asyncio.Future] = {}

    async def grid(self, queries: ViewsQueries, viewer: str | None, as_of: date | None) -> Published:
        day = as_of or today()
        version = await queries.version()
        key = ("grid", viewer, as_of, day)
        hit = self.items.get(key)
        if hit is not None and hit[0] == version:
            self.items.move_to_end(key)
            return hit[1]
        grid = await built_once(self.building, (key, version), lambda: self._build(queries, viewer, as_of, day),
                                keep=False)
        self.items[key] = (version, grid)
        while len(self.items) > self.size:
            self.items.popitem(last=False)
        return grid

    @staticmethod
    async def _build(queries: ViewsQueries, viewer: str | None, as_of: date | None, day: date) -> Published:
        sums = await queries.force_sums(as_of, day)
        provision = await queries.provision(as_of)
        by_force = {f: force_counts(ForceSums(s["totals"], s["lapsing"], s["expiring"]), provision.get(f))
                    for f, s in sums.items()}
        # suppression is CPU work of a fraction of a second: off the event loop, so other
        # requests (and the probes) are not queued behind it
        return await asyncio.to_thread(build_grid, by_force, provision, viewer)


CACHE = GridCache()


async def memoized_json(published: Published, key: tuple, build) -> Response:
    """A whole JSON answer worked out once per grid: the dashboard reads the same tables, trends
    and overviews over and over until the read model moves on (and a new grid is built)."""
    async def body() -> bytes:
        return (await build()).body

    return Response(await built_once(published.memo, key, body), media_type="application/json")


async def answered(published: Published, current: Published | None, key: tuple, csv_export: bool,
                   build) -> Response:
    """`build(csv_export)`'s answer; a JSON one without revisions (`current` None) is worked out
    once per grid (see memoized_json)."""
    if current is None and not csv_export:
        return await memoized_json(published, key, lambda: build(False))
    return await build(csv_export)


def force_row(grid: Published, force_id: str) -> dict:
    force = get_force(force_id)
    return {"force_id": force.id, "force_name": force.name, "region": force.region,
            "region_slug": region_slug(force.region), "figures": grid.row(force.id)}


def scope_row(grid: Published, key: str, name: str) -> dict:
    return {"scope": key, "name": name, "figures": grid.row(key)}


def with_revisions(rows: list[dict], current: dict[str, dict]) -> list[dict]:
    for row in rows:
        key = row.get("force_id") or row.get("scope")
        row["revisions"] = revisions(row["figures"], current[key])
    return rows


async def grids(kit, viewer: str | None, as_of: date | None) -> tuple[Published, Published | None]:
    """The grid asked for, and the current one when an earlier day was asked for."""
    published = await CACHE.grid(kit.queries, viewer, as_of)
    current = await CACHE.grid(kit.queries, viewer, None) if as_of is not None else None
    return published, current


def table_csv(rows: list[dict], total: dict, as_of: date | None, filename: str) -> Response:
    names = [c.name for c in COLUMNS]
    header = ["force_id", "force_name", "region", *names]
    if as_of is not None:
        header += [f"{n}_revision" for n in names]
    out = []
    for row in [*rows, {"force_id": "", "force_name": total["name"], "region": "", **total}]:
        line = [row.get("force_id", ""), row.get("force_name", ""), row.get("region", ""),
                *(row["figures"][n] for n in names)]
        if as_of is not None:
            line += [row["revisions"][n] for n in names]
        out.append(line)
    return csv_response(header, out, filename)


def columns_doc() -> list[dict]:
    return [{"name": c.name, "label": c.label, "group": c.group, "kind": c.kind, "description": c.description}
            for c in COLUMNS]


@router.get("/v1/national/comparison", tags=["national"], responses=CSV_ALSO)
async def national_comparison(
    kit: Kit, reader: Reader, as_of: AsOf = None, fmt: Format = None, accept: AcceptHeader = None,
    sort: Annotated[str, Query(description=f"any column: {', '.join(SORT_KEYS)}")] = "force_name",
    order: Annotated[Literal["asc", "desc"] | None, Query(description="default: asc for names, desc for figures")] = None,
):
    """One row per UK force (every figure, normalised per 100,000 population and per 1,000
    officers), with the national total; sortable by any column."""
    if sort not in SORT_KEYS:
        raise InvalidValue(f"sort must be one of {', '.join(SORT_KEYS)}; got '{sort[:64]}'", field="query.sort")
    as_of = checked_as_of(as_of)
    published, current = await grids(kit, reader, as_of)
    descending = (order or ("asc" if sort in ("force_name", "region") else "desc")) == "desc"
    return await answered(published, current, ("comparison", sort, descending), wants_csv(fmt, accept),
                          lambda csv_export: _comparison(reader, as_of, published, current, sort, descending,
                                                         csv_export))


async def _comparison(reader: str | None, as_of: date | None, published: Published, current: Published | None,
                      sort: str, descending: bool, csv_export: bool = False):
    rows = sort_rows([force_row(published, f.id) for f in FORCES], sort, descending)
    total = scope_row(published, NATIONAL, "All forces")
    if current is not None:
        with_revisions(rows, {f.id: current.row(f.id) for f in FORCES})
        with_revisions([total], {NATIONAL: current.row(NATIONAL)})
    if csv_export:
        return table_csv(rows, total, as_of, f"national-comparison-{as_of or today()}")
    return json_answer({"as_of": as_of.isoformat() if as_of else None, "day": (as_of or today()).isoformat(),
                        "reader_force": reader, "sort": sort, "order": "desc" if descending else "asc",
                        "columns": columns_doc(), "suppression": SUPPRESSION, "rows": rows, "total": total})


@router.get("/v1/regions/{region}/overview", tags=["regions"], responses=CSV_ALSO)
async def region_overview(region: str, kit: Kit, reader: Reader, as_of: AsOf = None, fmt: Format = None,
                          accept: AcceptHeader = None):
    """A policing region: each of its forces and the region's total, beside the national total."""
    if region not in REGION_BY_SLUG:
        raise InvalidValue(f"region must be one of {', '.join(REGION_BY_SLUG)}", field="path.region")
    as_of = checked_as_of(as_of)
    published, current = await grids(kit, reader, as_of)
    return await answered(published, current, ("region", region), wants_csv(fmt, accept),
                          lambda csv_export: _region_overview(region, reader, as_of, published, current, csv_export))


async def _region_overview(region: str, reader: str | None, as_of: date | None, published: Published,
                           current: Published | None, csv_export: bool = False):
    name = REGION_BY_SLUG[region]
    rows = [force_row(published, f.id) for f in forces_in_region(name)]
    total = scope_row(published, region_key(name), name)
    national = scope_row(published, NATIONAL, "All forces")
    if current is not None:
        with_revisions(rows, {f.id: current.row(f.id) for f in forces_in_region(name)})
        with_revisions([total, national], {region_key(name): current.row(region_key(name)),
                                           NATIONAL: current.row(NATIONAL)})
    if csv_export:
        return table_csv(rows, total, as_of, f"region-{region}-{as_of or today()}")
    return json_answer({"region": name, "region_slug": region, "as_of": as_of.isoformat() if as_of else None,
                        "day": (as_of or today()).isoformat(), "reader_force": reader, "columns": columns_doc(),
                        "suppression": SUPPRESSION, "forces": rows, "total": total, "national": national})


@router.get("/v1/national/trends", tags=["national"], responses=CSV_ALSO)
async def national_trends(kit: Kit, reader: Reader, as_of: AsOf = None, fmt: Format = None,
                          accept: AcceptHeader = None):
    """National figures by UK month: administrations, outcomes, doses, take-home supplies and
    referrals (month of the fact), and officers trained, certified and carrying at each month's end."""
    as_of = checked_as_of(as_of)
    published, _current = await grids(kit, reader, as_of)  # trends carry no revisions
    return await answered(published, None, ("trends", reader), wants_csv(fmt, accept),
                          lambda csv_export: _trends(kit, reader, as_of, published, csv_export))


async def _trends(kit, reader: str | None, as_of: date | None, published: Published, csv_export: bool = False):
    day = as_of or today()
    monthly = await kit.queries.monthly(as_of)
    own = await kit.queries.monthly(as_of, reader) if reader else None
    states = await kit.queries.month_end_states(as_of)
    last = max([*monthly, day.strftime("%Y-%m")])
    trends = build_trends(monthly, published, own, _carry_forward(states, monthly, last), last)
    columns = trends.columns()
    months = [{"month": m, **{c: trends.cell(m, c) for c in columns}} for m in trends.months]
    if csv_export:
        return csv_response(["month", *columns], [[r["month"], *(r[c] for c in columns)] for r in months],
                            f"national-trends-{day}")
    return json_answer({
        "as_of": as_of.isoformat() if as_of else None, "day": day.isoformat(), "reader_force": reader,
        "columns": [{"name": c, "label": COLUMNS_BY_NAME[c].label if c in COLUMNS_BY_NAME else
                     c.replace("_", " ").capitalize()} for c in columns],
        "suppression": SUPPRESSION, "months": months,
        "total": {c: published.cell(NATIONAL, c) for c in columns if c in COLUMNS_BY_NAME}})


def _carry_forward(states: dict[str, dict[str, int]], monthly, last: str) -> dict[str, dict[str, int]]:
    """Month-end states for every month shown (a month with no change keeps the last value)."""
    first = min([*states, *monthly], default=last)
    out, running = {}, {}
    for m in month_range(first, last):
        running = {**running, **states.get(m, {})}
        out[m] = dict(running)
    return out


@router.get("/v1/forces/{force_id}/overview", tags=["forces"], responses=CSV_ALSO)
async def force_overview(force_id: ReadForce, kit: Kit, as_of: AsOf = None, fmt: Format = None,
                         accept: AcceptHeader = None):
    """A force's own figures in depth (unsuppressed, for its own users): uptake, stock, expiry,
    administrations and outcomes by month, take-home supplies, the referral funnel, open
    spike alerts, provision status, normalised rates, and its region and the nation beside it."""
    as_of = checked_as_of(as_of)
    published, current = await grids(kit, force_id, as_of)
    return await answered(published, current, ("force", force_id), wants_csv(fmt, accept),
                          lambda csv_export: _force_overview(kit, force_id, as_of, published, current, csv_export))


async def _force_overview(kit, force_id: str, as_of: date | None, published: Published,
                          current: Published | None, csv_export: bool = False):
    day = as_of or today()
    monthly = await kit.queries.monthly(as_of, force_id)
    w = windows(day)
    buckets = await kit.queries.buckets(force_id, ["officers_certified", "kits_in_stock", "kits_issued"], as_of)
    lapsing = {d: n for d, n in sorted(buckets.get("officers_certified", {}).items())
               if w["lapsing"][0] <= d <= w["lapsing"][1]}
    expiring: dict[str, int] = {}
    for metric in ("kits_in_stock", "kits_issued"):
        for d, n in buckets.get(metric, {}).items():
            if w["expiring"][0] <= d <= w["expiring"][1]:
                expiring[d] = expiring.get(d, 0) + n
    force = get_force(force_id)
    figures = published.row(force_id)
    months = [{"month": m, **{k: monthly.get(m, {}).get(k, 0) for k in MONTHLY}}
              for m in (month_range(min(monthly), max([*monthly, day.strftime("%Y-%m")])) if monthly else [])]
    provision = await kit.queries.provision_record(force_id) if as_of is None else \
        {"status": published.provision.get(force_id)}
    body = {
        "force_id": force_id, "force_name": force.name, "region": force.region,
        "region_slug": region_slug(force.region), "as_of": as_of.isoformat() if as_of else None,
        "day": day.isoformat(), "provision": provision, "figures": figures,
        "revisions": revisions(figures, current.row(force_id)) if current is not None else None,
        "months": months, "certifications_lapsing_by_day": dict(sorted(lapsing.items())),
        "kits_expiring_by_day": dict(sorted(expiring.items())),
        "open_spike_alerts": await kit.queries.open_alerts(force_id) if as_of is None else None,
        "reference": figures_for(force_id).as_json(),
        "context": {"region": scope_row(published, region_key(force.region), force.region),
                    "national": scope_row(published, NATIONAL, "All forces")},
        "columns": columns_doc(), "suppression": SUPPRESSION,
    }
    if csv_export:
        rows = [["figure", name, "", value] for name, value in figures.items()]
        rows += [["month", k, m["month"], m[k]] for m in months for k in MONTHLY]
        rows += [["certifications_lapsing", "", d, n] for d, n in body["certifications_lapsing_by_day"].items()]
        rows += [["kits_expiring", "", d, n] for d, n in body["kits_expiring_by_day"].items()]
        return csv_response(["section", "name", "bucket", "value"], rows, f"{force_id}-overview-{day}")
    return json_answer(body)


@router.put("/v1/forces/{force_id}/provision", tags=["commands"])
async def set_provision(force_id: AdminForce, body: ProvisionBody, ctx: Command, kit: Kit):
    """Record the force's naloxone provision status (force admins): ongoing, pilot, agreed,
    committed or none, effective from a day. The same status again changes nothing."""
    result = await kit.runner.run(ctx, h.set_provision_status(h.SetProvisionStatus(
        force_id=force_id, status=body.status, effective_on=body.effective_on)))
    return respond(result, created=200)


@router.get("/v1/forces/{force_id}/provision", tags=["forces"])
async def get_provision(force_id: ReadForce, kit: Kit):
    """The force's provision status as the views have it (null before the first record)."""
    record = await kit.queries.provision_record(force_id)
    if record is None:
        raise NotFound("provision status", force_id)
    return {"force_id": force_id, **record}


service = ServiceParts(
    router=router,
    events=PROVISION_EVENTS,
    to_proto=to_proto,
    read_models=(ViewsReadModel(),),
    queries=ViewsQueries,
    description="Cross-force views: each force's figures, regional and national comparisons normalised per "
                "100,000 population and per 1,000 officers, national trends, small-number suppression, "
                "figures as they stood on any day (?as_of=), CSV export (?format=csv); provision status.",
)
