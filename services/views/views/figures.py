"""The published figures: which columns there are, how they are computed from the ledger's
sums, normalised, totalled by region and nationally, and suppressed (pure: no I/O).

Every table the API serves is a slice of one grid (all forces, every region, the
nation), suppressed once for the reader, so a force's cell is hidden the same way in
the national comparison and in its region's overview and no two slices can be
combined to undo each other. National trends (by month) are suppressed with their
all-months row fixed to the national row of that grid.
"""

from __future__ import annotations

import re
from functools import cache
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Mapping

from naloxone_kernel.reference.force_figures import force_figures
from naloxone_kernel.reference.forces import FORCES, REGIONS, forces_in_region, get_force

from .suppression import Equation, Grid, Suppressed, suppress

OUTCOMES = ("alive_at_handover", "alive_refused_hospital", "died", "unknown", "not_recorded")
SETTINGS = ("custody_release", "prison_release", "street", "partner_service", "other", "not_recorded")
STATUSES = ("ongoing", "pilot", "agreed", "committed", "none")
LAPSING_DAYS = 30
EXPIRING_DAYS = 60


@dataclass(frozen=True)
class Column:
    name: str
    label: str
    group: str
    #: people: a count of people (suppressed when small); count: officers, kits, alerts, forces
    #: (not suppressed); rate and mean: derived, hidden with the count they derive from; status: text.
    kind: str
    description: str = ""
    #: For rates: (count column, "population" | "officers", scale); for means: (numerator, denominator).
    derived_from: tuple = ()


def _c(name, label, group, kind, description="", derived_from=()) -> Column:
    return Column(name, label, group, kind, description, derived_from)


COLUMNS: tuple[Column, ...] = (
    _c("provision_status", "Provision", "provision", "status",
       "ongoing, pilot, agreed, committed or none, as the force recorded it"),
    *(_c(f"provision_{s}", f"Forces: {s}", "provision", "count", f"forces whose provision status is {s}")
      for s in STATUSES),
    _c("officers_enrolled", "Enrolled", "training", "count", "officers and staff in the naloxone scheme"),
    _c("officers_trained", "Trained", "training", "count", "enrolled and trained at least once"),
    _c("officers_certified", "Certified", "training", "count", "enrolled with a current certification"),
    _c("officers_carrying", "Carrying", "training", "count", "officers holding at least one kit"),
    _c("certifications_lapsing", "Lapsing in 30 days", "training", "count",
       f"current certifications whose last valid day is within {LAPSING_DAYS} days"),
    _c("kits_in_stock", "Kits in stock", "inventory", "count", "in-date, usable kits in a store"),
    _c("kits_issued", "Kits issued", "inventory", "count", "in-date, usable kits held by officers"),
    _c("kits_expiring", "Kits expiring in 60 days", "inventory", "count",
       f"usable kits in stock or issued whose expiry is within {EXPIRING_DAYS} days"),
    _c("kits_unfit_held", "Kits to withdraw", "inventory", "count", "expired, recalled or unusable kits still held"),
    _c("kits_recalled", "Kits recalled", "inventory", "count"),
    _c("kits_used", "Kits used", "inventory", "count"),
    _c("administrations", "Administrations", "incidents", "people", "naloxone administrations by police"),
    _c("lives_saved", "Lives saved", "incidents", "people",
       "alive at handover or alive and refused hospital (the incidents service's one rule)"),
    *(_c(f"outcome_{o}", o.replace("_", " ").capitalize(), "incidents", "people") for o in OUTCOMES),
    _c("mean_doses", "Doses per administration", "incidents", "mean", derived_from=("doses", "administrations")),
    _c("take_home_supplies", "Take-home supplies", "take-home", "people"),
    _c("take_home_first", "First supplies", "take-home", "people"),
    _c("take_home_repeat", "Repeat supplies", "take-home", "people"),
    *(_c(f"take_home_at_{s}", f"At {s.replace('_', ' ')}", "take-home", "people") for s in SETTINGS),
    _c("referrals_made", "Referrals", "referrals", "people"),
    _c("referrals_waiting", "Waiting", "referrals", "people", "referrals neither accepted nor declined yet"),
    _c("referrals_accepted", "Accepted", "referrals", "people"),
    _c("referrals_declined", "Declined", "referrals", "people"),
    _c("referrals_engaged", "Engaged in treatment", "referrals", "people"),
    _c("referrals_completed", "Completed", "referrals", "people"),
    _c("spike_alerts_open", "Open spike alerts", "alerts", "count"),
    _c("administrations_per_100k", "Administrations per 100,000", "normalised", "rate",
       derived_from=("administrations", "population", 100_000)),
    _c("lives_saved_per_100k", "Lives saved per 100,000", "normalised", "rate",
       derived_from=("lives_saved", "population", 100_000)),
    _c("take_home_supplies_per_100k", "Take-home supplies per 100,000", "normalised", "rate",
       derived_from=("take_home_supplies", "population", 100_000)),
    _c("referrals_made_per_100k", "Referrals per 100,000", "normalised", "rate",
       derived_from=("referrals_made", "population", 100_000)),
    _c("officers_trained_per_1000_officers", "Trained per 1,000 officers", "normalised", "rate",
       derived_from=("officers_trained", "officers", 1_000)),
    _c("officers_carrying_per_1000_officers", "Carrying per 1,000 officers", "normalised", "rate",
       derived_from=("officers_carrying", "officers", 1_000)),
    _c("administrations_per_1000_officers", "Administrations per 1,000 officers", "normalised", "rate",
       derived_from=("administrations", "officers", 1_000)),
)
COLUMNS_BY_NAME = {c.name: c for c in COLUMNS}
#: Sortable keys: every column, and the force's name and region.
SORT_KEYS = ("force_name", "region", *COLUMNS_BY_NAME)
PEOPLE = tuple(c.name for c in COLUMNS if c.kind == "people")
COUNTS = tuple(c.name for c in COLUMNS if c.kind == "count")
#: Equations that hold within a row (total = sum of parts): what secondary suppression protects.
FAMILIES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("administrations", tuple(f"outcome_{o}" for o in OUTCOMES)),
    ("lives_saved", ("outcome_alive_at_handover", "outcome_alive_refused_hospital")),
    ("take_home_supplies", ("take_home_first", "take_home_repeat")),
    ("take_home_supplies", tuple(f"take_home_at_{s}" for s in SETTINGS)),
    ("referrals_made", ("referrals_waiting", "referrals_accepted", "referrals_declined")),
)
#: Monthly series (bucket = UK month of the fact) the trends and a force's overview show.
MONTHLY = ("administrations", "doses", "lives_saved", *(f"outcome_{o}" for o in OUTCOMES), "take_home_supplies",
           "take_home_kits", "take_home_first", "take_home_repeat", *(f"take_home_at_{s}" for s in SETTINGS),
           "referrals_made", "referrals_waiting", "referrals_accepted", "referrals_declined", "referrals_engaged",
           "referrals_completed", "spike_alerts")
#: State counts whose value at each month's end the trends show (from the ledger's recorded days).
MONTH_END_STATES = ("officers_trained", "officers_carrying", "officers_certified")
TREND_PEOPLE = tuple(m for m in MONTHLY if m in PEOPLE)


@cache
def region_slug(region: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", region.lower()).strip("-")


REGION_BY_SLUG = {region_slug(r): r for r in REGIONS}
NATIONAL = "national"


def region_key(region: str) -> str:
    return f"region:{region_slug(region)}"


# --- from the ledger's sums to a force's columns ---------------------------------------------

@dataclass
class ForceSums:
    """A force's ledger sums: per metric over all buckets, and the bucket-range sums for a day."""

    totals: dict[str, int] = field(default_factory=dict)
    lapsing: int = 0
    expiring: int = 0


def windows(day: date) -> dict[str, tuple[str, str]]:
    """Bucket ranges (inclusive ISO days) of the figures relative to `day`."""
    return {"lapsing": (day.isoformat(), (day + timedelta(days=LAPSING_DAYS)).isoformat()),
            "expiring": (day.isoformat(), (day + timedelta(days=EXPIRING_DAYS)).isoformat())}


def force_counts(sums: ForceSums, provision: str | None) -> dict[str, int]:
    """The additive columns of one force (counts and people), before suppression."""
    t = sums.totals
    out = {name: t.get(name, 0) for name in PEOPLE}
    out.update({name: t.get(name, 0) for name in COUNTS})
    out["doses"] = t.get("doses", 0)
    out["certifications_lapsing"] = sums.lapsing
    out["kits_expiring"] = sums.expiring
    for s in STATUSES:
        out[f"provision_{s}"] = int(provision == s)
    return out


@dataclass
class Published:
    """One grid of figures as a reader sees it: raw values, what is hidden, the row labels."""

    raw: dict[str, dict[str, int]]
    hidden: Suppressed
    provision: dict[str, str | None]
    viewer: str | None
    #: Rows and whole answers already worked out: a grid never changes once built, and the same
    #: table is read many times over (the dashboard) until the read model moves on.
    memo: dict = field(default_factory=dict, repr=False, compare=False)

    def cell(self, row: str, column: str):
        """A cell as published: a number, "<5" / "c" when hidden, None when it cannot be computed."""
        col = COLUMNS_BY_NAME.get(column)
        if column == "provision_status":
            return self.provision.get(row)
        if col is not None and col.kind == "rate":
            count, denominator, scale = col.derived_from
            marker = self.hidden.marker((row, count))
            if marker:
                return marker
            base = denominator_of(row, denominator)
            return round(self.raw[row][count] * scale / base, 2) if base else None
        if col is not None and col.kind == "mean":
            numerator, denominator = col.derived_from
            marker = self.hidden.marker((row, denominator))
            if marker:
                return marker
            n = self.raw[row][denominator]
            return round(self.raw[row][numerator] / n, 2) if n else None
        marker = self.hidden.marker((row, column))
        return marker or self.raw[row].get(column)

    def row(self, row: str) -> dict:
        key = ("row", row)
        if key not in self.memo:
            self.memo[key] = {c.name: self.cell(row, c.name) for c in COLUMNS}
        return dict(self.memo[key])


@cache
def denominator_of(row: str, which: str) -> int | None:
    """A force's, region's or the nation's population or officer FTE; None if any part is missing."""
    figures = force_figures()
    forces = [row] if get_force(row) else [f.id for f in _forces_of(row)]
    attr = "population" if which == "population" else "officers_fte"
    values = [getattr(figures[f], attr) for f in forces if not (which == "population" and f == "btp")]
    if not values or any(v is None for v in values):
        return None
    return sum(values)


def _forces_of(row: str):
    if row == NATIONAL:
        return FORCES
    return forces_in_region(REGION_BY_SLUG[row.removeprefix("region:")])


def scope_rows() -> list[str]:
    return [*(region_key(r) for r in REGIONS), NATIONAL]


def build_grid(by_force: Mapping[str, dict[str, int]], provision: Mapping[str, str | None],
               viewer: str | None) -> Published:
    """Every force, every region and the nation, suppressed for a reader who is `viewer`'s force
    (None: a national lead, who knows no force's figures)."""
    additive = [*PEOPLE, *COUNTS, "doses", "certifications_lapsing", "kits_expiring"]
    raw: dict[str, dict[str, int]] = {f.id: {c: by_force.get(f.id, {}).get(c, 0) for c in additive} for f in FORCES}
    for r in REGIONS:
        raw[region_key(r)] = {c: sum(raw[f.id][c] for f in forces_in_region(r)) for c in additive}
    raw[NATIONAL] = {c: sum(raw[region_key(r)][c] for r in REGIONS) for c in additive}
    grid = Grid(values={(row, c): v[c] for row, v in raw.items() for c in PEOPLE})
    for c in PEOPLE:
        for r in REGIONS:
            grid.equations.append(Equation((region_key(r), c), tuple((f.id, c) for f in forces_in_region(r))))
        grid.equations.append(Equation((NATIONAL, c), tuple((region_key(r), c) for r in REGIONS)))
    for row in raw:
        for total, parts in FAMILIES:
            grid.equations.append(Equation((row, total), tuple((row, p) for p in parts)))
    if viewer is not None:
        grid.known = {(viewer, c) for c in PEOPLE}
        region = region_key(get_force(viewer).region)
        for c in PEOPLE:
            own = raw[viewer][c]
            grid.known_share[(region, c)] = grid.known_share[(NATIONAL, c)] = own
    labels = dict(provision)
    return Published(raw, suppress(grid), labels, viewer)


@dataclass
class Trends:
    months: list[str]
    raw: dict[str, dict[str, int]]
    hidden: Suppressed
    states: dict[str, dict[str, int]]

    def cell(self, month: str, column: str):
        if column == "mean_doses":
            marker = self.hidden.marker((month, "administrations"))
            if marker:
                return marker
            n = self.raw[month]["administrations"]
            return round(self.raw[month]["doses"] / n, 2) if n else None
        if column in MONTH_END_STATES:
            return self.states.get(month, {}).get(column, 0)
        return self.hidden.marker((month, column)) or self.raw[month].get(column, 0)

    def columns(self) -> list[str]:
        return [*TREND_PEOPLE, "mean_doses", *MONTH_END_STATES]


def build_trends(monthly: Mapping[str, Mapping[str, int]], national: Published,
                 viewer_monthly: Mapping[str, Mapping[str, int]] | None,
                 states: Mapping[str, Mapping[str, int]], until: str) -> Trends:
    """National totals by month, suppressed for the reader, with the all-months row tied to the
    national row of the grid (published there: known here; hidden there: hidden here)."""
    months = month_range(min(monthly, default=until), until) if monthly else []
    raw = {m: {c: monthly.get(m, {}).get(c, 0) for c in (*TREND_PEOPLE, "doses")} for m in months}
    grid = Grid(values={(m, c): raw[m][c] for m in months for c in TREND_PEOPLE})
    for c in TREND_PEOPLE:
        grid.values[("all", c)] = national.raw[NATIONAL][c]
        grid.equations.append(Equation(("all", c), tuple((m, c) for m in months)))
        if (NATIONAL, c) in national.hidden:
            grid.forced.add(("all", c))
        else:
            grid.known.add(("all", c))
    for m in [*months, "all"]:
        for total, parts in FAMILIES:
            grid.equations.append(Equation((m, total), tuple((m, p) for p in parts)))
    if viewer_monthly:
        for m in months:
            for c in TREND_PEOPLE:
                grid.known_share[(m, c)] = viewer_monthly.get(m, {}).get(c, 0)
    return Trends(months, raw, suppress(grid), {m: dict(v) for m, v in states.items()})


def month_range(first: str, last: str) -> list[str]:
    y, m = map(int, first.split("-"))
    ly, lm = map(int, last.split("-"))
    out = []
    while (y, m) <= (ly, lm):
        out.append(f"{y:04d}-{m:02d}")
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def sort_rows(rows: list[dict], key: str, descending: bool) -> list[dict]:
    """Sort by a column; hidden and missing values come last whatever the order (their order
    is by name, so a sort never ranks hidden cells against each other)."""
    def value(row):
        v = row["force_name"] if key == "force_name" else row["region"] if key == "region" else row["figures"][key]
        return v

    present = [r for r in rows if isinstance(value(r), (int, float, str)) and value(r) not in ("<5", "c")]
    absent = [r for r in rows if r not in present]
    present.sort(key=lambda r: r["force_name"])
    present.sort(key=value, reverse=descending)  # stable: ties stay in name order either way
    absent.sort(key=lambda r: r["force_name"])
    return present + absent


def revisions(published: dict, current: dict) -> dict:
    """current - published for every numeric column both show; None where either is hidden."""
    out = {}
    for name, now in current.items():
        then = published.get(name)
        numeric = all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in (now, then))
        out[name] = round(now - then, 2) if numeric else None
    return out

