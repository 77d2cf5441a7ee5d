"""Every UK police force the platform can serve: reference data, pure Python, no I/O.

The 43 territorial forces of England and Wales, Police Scotland, the Police Service
of Northern Ireland and British Transport Police (46 in all). Each force's id is a
lower-kebab slug used everywhere a force is named: ``force_id`` in events and
tokens, per-force topics (``naloxone.force.<id>.events.v1``), URLs.

Slugs for England and Wales follow the force identifiers of the public police data
API (e.g. ``metropolitan``, ``hampshire``), so force IT can join to open data.
Regions are the policing regions of England and Wales used by the NPCC and the
regional organised crime units; Scotland, Northern Ireland and BTP (which polices the
railways of Great Britain) stand on their own.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Literal

__all__ = [
    "COUNTRIES",
    "FORCES",
    "FORCES_BY_ID",
    "REGIONS",
    "Country",
    "Force",
    "forces_in_region",
    "get_force",
]

Country = Literal["England", "Wales", "Scotland", "Northern Ireland", "Great Britain"]

COUNTRIES: tuple[Country, ...] = ("England", "Wales", "Scotland", "Northern Ireland", "Great Britain")

#: Regions in display order: the ten policing regions of England and Wales, then
#: Scotland, Northern Ireland and "National" (British Transport Police).
REGIONS: tuple[str, ...] = (
    "North East",
    "North West",
    "Yorkshire and the Humber",
    "East Midlands",
    "West Midlands",
    "Eastern",
    "London",
    "South East",
    "South West",
    "Wales",
    "Scotland",
    "Northern Ireland",
    "National",
)


@dataclass(frozen=True, slots=True)
class Force:
    """One police force."""

    #: Lower-kebab slug, e.g. ``"west-midlands"``; the force_id used everywhere.
    id: str
    #: Official name, e.g. ``"West Midlands Police"``.
    name: str
    #: Country the force polices; ``"Great Britain"`` for British Transport Police.
    country: Country
    #: Policing region, one of :data:`REGIONS`.
    region: str


def _f(id: str, name: str, country: Country, region: str) -> Force:
    return Force(id=id, name=name, country=country, region=region)


_E: Country = "England"
_W: Country = "Wales"

#: All 46 forces, grouped by region, alphabetical within each.
FORCES: tuple[Force, ...] = (
    # North East
    _f("cleveland", "Cleveland Police", _E, "North East"),
    _f("durham", "Durham Constabulary", _E, "North East"),
    _f("northumbria", "Northumbria Police", _E, "North East"),
    # North West
    _f("cheshire", "Cheshire Constabulary", _E, "North West"),
    _f("cumbria", "Cumbria Constabulary", _E, "North West"),
    _f("greater-manchester", "Greater Manchester Police", _E, "North West"),
    _f("lancashire", "Lancashire Constabulary", _E, "North West"),
    _f("merseyside", "Merseyside Police", _E, "North West"),
    # Yorkshire and the Humber
    _f("humberside", "Humberside Police", _E, "Yorkshire and the Humber"),
    _f("north-yorkshire", "North Yorkshire Police", _E, "Yorkshire and the Humber"),
    _f("south-yorkshire", "South Yorkshire Police", _E, "Yorkshire and the Humber"),
    _f("west-yorkshire", "West Yorkshire Police", _E, "Yorkshire and the Humber"),
    # East Midlands
    _f("derbyshire", "Derbyshire Constabulary", _E, "East Midlands"),
    _f("leicestershire", "Leicestershire Police", _E, "East Midlands"),
    _f("lincolnshire", "Lincolnshire Police", _E, "East Midlands"),
    _f("northamptonshire", "Northamptonshire Police", _E, "East Midlands"),
    _f("nottinghamshire", "Nottinghamshire Police", _E, "East Midlands"),
    # West Midlands
    _f("staffordshire", "Staffordshire Police", _E, "West Midlands"),
    _f("warwickshire", "Warwickshire Police", _E, "West Midlands"),
    _f("west-mercia", "West Mercia Police", _E, "West Midlands"),
    _f("west-midlands", "West Midlands Police", _E, "West Midlands"),
    # Eastern
    _f("bedfordshire", "Bedfordshire Police", _E, "Eastern"),
    _f("cambridgeshire", "Cambridgeshire Constabulary", _E, "Eastern"),
    _f("essex", "Essex Police", _E, "Eastern"),
    _f("hertfordshire", "Hertfordshire Constabulary", _E, "Eastern"),
    _f("norfolk", "Norfolk Constabulary", _E, "Eastern"),
    _f("suffolk", "Suffolk Constabulary", _E, "Eastern"),
    # London
    _f("city-of-london", "City of London Police", _E, "London"),
    _f("metropolitan", "Metropolitan Police Service", _E, "London"),
    # South East
    _f("hampshire", "Hampshire and Isle of Wight Constabulary", _E, "South East"),
    _f("kent", "Kent Police", _E, "South East"),
    _f("surrey", "Surrey Police", _E, "South East"),
    _f("sussex", "Sussex Police", _E, "South East"),
    _f("thames-valley", "Thames Valley Police", _E, "South East"),
    # South West
    _f("avon-and-somerset", "Avon and Somerset Constabulary", _E, "South West"),
    _f("devon-and-cornwall", "Devon and Cornwall Police", _E, "South West"),
    _f("dorset", "Dorset Police", _E, "South West"),
    _f("gloucestershire", "Gloucestershire Constabulary", _E, "South West"),
    _f("wiltshire", "Wiltshire Police", _E, "South West"),
    # Wales
    _f("dyfed-powys", "Dyfed-Powys Police", _W, "Wales"),
    _f("gwent", "Gwent Police", _W, "Wales"),
    _f("north-wales", "North Wales Police", _W, "Wales"),
    _f("south-wales", "South Wales Police", _W, "Wales"),
    # Scotland, Northern Ireland, and the railways of Great Britain
    _f("police-scotland", "Police Scotland", "Scotland", "Scotland"),
    _f("psni", "Police Service of Northern Ireland", "Northern Ireland", "Northern Ireland"),
    _f("btp", "British Transport Police", "Great Britain", "National"),
)

#: Forces by slug.
FORCES_BY_ID: Mapping[str, Force] = MappingProxyType({f.id: f for f in FORCES})


def get_force(force_id: str) -> Force | None:
    """The force with this slug, or ``None`` if there is none."""
    return FORCES_BY_ID.get(force_id)


def forces_in_region(region: str) -> tuple[Force, ...]:
    """Forces of one policing region, in :data:`FORCES` order (empty if unknown)."""
    return tuple(f for f in FORCES if f.region == region)
