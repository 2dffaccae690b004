"""The national list of counties and municipalities (2020 structure), from network/data/."""
from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select

from network.extensions import db
from network.organisations.models import County, Organisation, OrganisationKind

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
MUNICIPALITIES_CSV = DATA_DIR / "municipalities.csv"
OSLO_COUNTY = "03"  # Oslo is a municipality with county tasks: no separate county authority


@dataclass
class ImportResult:
    counties_created: int = 0
    organisations_created: int = 0
    organisations_updated: int = 0


def _int_or_none(value: str) -> int | None:
    return int(value) if value.strip() else None


def read_municipality_rows(path: Path = MUNICIPALITIES_CSV) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def import_national_list(path: Path = MUNICIPALITIES_CSV) -> ImportResult:
    """Create or update every county, county authority and municipality. Idempotent."""
    result = ImportResult()
    rows = read_municipality_rows(path)
    counties = {c.number: c for c in db.session.scalars(select(County))}
    for row in rows:
        number = row["county_number"]
        if number not in counties:
            counties[number] = County(number=number, name=row["county"])
            db.session.add(counties[number])
            result.counties_created += 1
    db.session.flush()

    existing = {o.kommunenummer: o for o in db.session.scalars(select(Organisation).where(Organisation.kommunenummer.is_not(None)))}
    for row in rows:
        facts = {
            "name": row["name"],
            "name_ssb": row["name_ssb"],
            "county_id": counties[row["county_number"]].id,
            "population_2020": _int_or_none(row["population_2020"]),
            "population_2010": _int_or_none(row["population_2010"]),
            "centrality_class": _int_or_none(row["centrality_class"]),
            "centrality_index": _int_or_none(row["centrality_index"]),
            "kommunenummer_2024": row["kommunenummer_2024"] or None,
        }
        organisation = existing.get(row["kommunenummer"])
        if organisation is None:
            db.session.add(Organisation(kind=OrganisationKind.MUNICIPALITY, kommunenummer=row["kommunenummer"], **facts))
            result.organisations_created += 1
        elif any(getattr(organisation, key) != value for key, value in facts.items()):
            for key, value in facts.items():
                setattr(organisation, key, value)
            result.organisations_updated += 1

    authorities = {
        o.county_id: o
        for o in db.session.scalars(select(Organisation).where(Organisation.kind == OrganisationKind.COUNTY_AUTHORITY))
    }
    for county in counties.values():
        if county.number != OSLO_COUNTY and county.id not in authorities:
            db.session.add(Organisation(kind=OrganisationKind.COUNTY_AUTHORITY, name=f"{county.name} fylkeskommune", county=county))
            result.organisations_created += 1
    db.session.flush()
    return result


def municipality_by_number(kommunenummer: str) -> Organisation | None:
    return db.session.scalar(select(Organisation).where(Organisation.kommunenummer == kommunenummer))


def county_authority(county_name: str) -> Organisation | None:
    return db.session.scalar(
        select(Organisation).join(Organisation.county)
        .where(Organisation.kind == OrganisationKind.COUNTY_AUTHORITY, County.name == county_name)
    )
