"""Each force's population and officer strength, with where each figure comes from.

Data, not code: `force_figures.csv` beside this module, one row per force in
:data:`FORCES`, each figure with its source and the date it describes. A figure not
yet taken from its publication is left empty with a note saying which publication
holds it; normalised rates (per 100,000 population, per 1,000 officers) are then not
given for that force rather than computed from a guess.
"""

from __future__ import annotations

import csv
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path
from types import MappingProxyType

from .forces import FORCES

__all__ = ["ForceFigures", "force_figures", "figures_for"]

_CSV = Path(__file__).with_name("force_figures.csv")


@dataclass(frozen=True, slots=True)
class ForceFigures:
    force_id: str
    #: Residents of the force's area; None where not yet sourced (or, for BTP, not meaningful).
    population: int | None
    population_source: str | None
    population_date: date | None
    #: Full-time equivalent police officers; None where not yet sourced.
    officers_fte: int | None
    officers_source: str | None
    officers_date: date | None
    #: What is missing and where it is published.
    note: str | None

    def as_json(self) -> dict:
        return {"population": self.population, "population_source": self.population_source,
                "population_date": self.population_date.isoformat() if self.population_date else None,
                "officers_fte": self.officers_fte, "officers_source": self.officers_source,
                "officers_date": self.officers_date.isoformat() if self.officers_date else None,
                "note": self.note}


def _int(text: str) -> int | None:
    return int(text) if text.strip() else None


def _day(text: str) -> date | None:
    return date.fromisoformat(text) if text.strip() else None


@cache
def force_figures() -> Mapping[str, ForceFigures]:
    """Every force's figures by force id (checked: exactly one row per reference force)."""
    with _CSV.open(newline="", encoding="utf-8") as fh:
        rows = [ForceFigures(
            force_id=r["force_id"], population=_int(r["population"]),
            population_source=r["population_source"] or None, population_date=_day(r["population_date"]),
            officers_fte=_int(r["officers_fte"]), officers_source=r["officers_source"] or None,
            officers_date=_day(r["officers_date"]), note=r["note"] or None) for r in csv.DictReader(fh)]
    by_id = {r.force_id: r for r in rows}
    expected = {f.id for f in FORCES}
    if len(by_id) != len(rows) or set(by_id) != expected:
        raise ValueError(f"force_figures.csv must have one row per force: missing {sorted(expected - set(by_id))}, "
                         f"unknown {sorted(set(by_id) - expected)}")
    for r in rows:
        if (r.population is not None) != bool(r.population_source) or \
                (r.officers_fte is not None) != bool(r.officers_source):
            raise ValueError(f"force_figures.csv: {r.force_id}: every figure needs its source, every source a figure")
    return MappingProxyType(by_id)


def figures_for(force_id: str) -> ForceFigures:
    return force_figures()[force_id]
