"""Reference data: every UK police force, with slug, country and policing region."""

from __future__ import annotations

import dataclasses
import re
from collections import Counter

import pytest

from naloxone_kernel.reference import FORCES, FORCES_BY_ID, REGIONS, Force, forces_in_region, get_force

SLUG = re.compile(r"^[a-z]+(?:-[a-z]+)*$")
ENGLAND_AND_WALES_REGIONS = {
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
}
ALLOWED_REGIONS = ENGLAND_AND_WALES_REGIONS | {"Scotland", "Northern Ireland", "National"}


def test_forty_six_forces() -> None:
    assert len(FORCES) == 46


def test_slugs_unique_and_lower_kebab() -> None:
    ids = [f.id for f in FORCES]
    assert len(set(ids)) == len(ids)
    for force_id in ids:
        assert SLUG.fullmatch(force_id), force_id


def test_names_unique() -> None:
    names = [f.name for f in FORCES]
    assert len(set(names)) == len(names)


def test_forty_three_territorial_forces_in_england_and_wales() -> None:
    countries = Counter(f.country for f in FORCES)
    assert countries["England"] + countries["Wales"] == 43
    assert countries["Wales"] == 4
    assert countries == {"England": 39, "Wales": 4, "Scotland": 1, "Northern Ireland": 1, "Great Britain": 1}


def test_regions_allowed_and_consistent_with_country() -> None:
    assert set(REGIONS) == ALLOWED_REGIONS
    for f in FORCES:
        assert f.region in ALLOWED_REGIONS, f
        if f.country == "England":
            assert f.region in ENGLAND_AND_WALES_REGIONS - {"Wales"}, f
        elif f.country == "Wales":
            assert f.region == "Wales", f
    assert {f.region for f in FORCES} == ALLOWED_REGIONS


def test_region_sizes() -> None:
    sizes = {r: len(forces_in_region(r)) for r in REGIONS}
    assert sizes == {
        "North East": 3,
        "North West": 5,
        "Yorkshire and the Humber": 4,
        "East Midlands": 5,
        "West Midlands": 4,
        "Eastern": 6,
        "London": 2,
        "South East": 5,
        "South West": 5,
        "Wales": 4,
        "Scotland": 1,
        "Northern Ireland": 1,
        "National": 1,
    }


@pytest.mark.parametrize(
    "force_id,name,country,region",
    [
        ("west-midlands", "West Midlands Police", "England", "West Midlands"),
        ("leicestershire", "Leicestershire Police", "England", "East Midlands"),
        ("metropolitan", "Metropolitan Police Service", "England", "London"),
        ("city-of-london", "City of London Police", "England", "London"),
        ("durham", "Durham Constabulary", "England", "North East"),
        ("avon-and-somerset", "Avon and Somerset Constabulary", "England", "South West"),
        ("devon-and-cornwall", "Devon and Cornwall Police", "England", "South West"),
        ("dyfed-powys", "Dyfed-Powys Police", "Wales", "Wales"),
        ("gwent", "Gwent Police", "Wales", "Wales"),
        ("north-wales", "North Wales Police", "Wales", "Wales"),
        ("south-wales", "South Wales Police", "Wales", "Wales"),
        ("police-scotland", "Police Scotland", "Scotland", "Scotland"),
        ("psni", "Police Service of Northern Ireland", "Northern Ireland", "Northern Ireland"),
        ("btp", "British Transport Police", "Great Britain", "National"),
    ],
)
def test_known_forces(force_id: str, name: str, country: str, region: str) -> None:
    assert get_force(force_id) == Force(id=force_id, name=name, country=country, region=region)


def test_lookup() -> None:
    assert FORCES_BY_ID["btp"] is get_force("btp")
    assert get_force("no-such-force") is None
    assert get_force("West-Midlands") is None
    assert len(FORCES_BY_ID) == len(FORCES)
    with pytest.raises(TypeError):
        FORCES_BY_ID["x"] = FORCES[0]  # type: ignore[index]


def test_force_is_frozen() -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        FORCES[0].name = "Renamed"  # type: ignore[misc]


def test_slugs_are_valid_topic_parts() -> None:
    from naloxone import contracts

    for f in FORCES:
        assert contracts.force_topic(f.id) == f"naloxone.force.{f.id}.events.v1"
