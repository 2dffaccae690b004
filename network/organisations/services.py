"""The national list of counties and municipalities (2020 structure), from network/data/."""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import contains_eager

from network.auth.models import Person
from network.extensions import db
from network.gatherings.models import Gathering, Registration
from network.networks.models import Membership, NetworkRole
from network.organisations.models import County, Organisation, OrganisationKind
from network.validators import normalise_org_number

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
MUNICIPALITIES_CSV = DATA_DIR / "municipalities.csv"
ORG_NUMBERS_CSV = DATA_DIR / "organisation_numbers.csv"                  # kommunenummer → organisasjonsnummer
COUNTY_ORG_NUMBERS_CSV = DATA_DIR / "county_organisation_numbers.csv"    # county number → the authority's
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


def read_org_numbers(path: Path, key: str) -> dict[str, str]:
    """``key`` column → organisation number, from one of the files in network/data/."""
    with path.open(encoding="utf-8", newline="") as handle:
        return {row[key]: row["organisasjonsnummer"] for row in csv.DictReader(handle)}


def import_national_list(path: Path = MUNICIPALITIES_CSV) -> ImportResult:
    """Create or update every county, county authority and municipality, with their organisation
    numbers (for invoicing). A number already set (typed or imported by a coordinator) is kept.
    Idempotent."""
    result = ImportResult()
    rows = read_municipality_rows(path)
    org_numbers = read_org_numbers(ORG_NUMBERS_CSV, "kommunenummer")
    county_org_numbers = read_org_numbers(COUNTY_ORG_NUMBERS_CSV, "county_number")
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
        org_number = org_numbers.get(row["kommunenummer"])
        if organisation is None:
            db.session.add(Organisation(kind=OrganisationKind.MUNICIPALITY, kommunenummer=row["kommunenummer"],
                                        org_number=org_number, **facts))
            result.organisations_created += 1
        elif any(getattr(organisation, key) != value for key, value in facts.items()) \
                or (org_number and not organisation.org_number):
            for key, value in facts.items():
                setattr(organisation, key, value)
            organisation.org_number = organisation.org_number or org_number
            result.organisations_updated += 1

    authorities = {
        o.county_id: o
        for o in db.session.scalars(select(Organisation).where(Organisation.kind == OrganisationKind.COUNTY_AUTHORITY))
    }
    for county in counties.values():
        if county.number == OSLO_COUNTY:
            continue
        authority, org_number = authorities.get(county.id), county_org_numbers.get(county.number)
        if authority is None:
            db.session.add(Organisation(kind=OrganisationKind.COUNTY_AUTHORITY, name=f"{county.name} fylkeskommune",
                                        county=county, org_number=org_number))
            result.organisations_created += 1
        elif org_number and not authority.org_number:
            authority.org_number = org_number
            result.organisations_updated += 1
    db.session.flush()
    return result


def municipality_by_number(kommunenummer: str) -> Organisation | None:
    return db.session.scalar(select(Organisation).where(Organisation.kommunenummer == kommunenummer))


def county_authority(county_name: str) -> Organisation | None:
    return db.session.scalar(
        select(Organisation).join(Organisation.county)
        .where(Organisation.kind == OrganisationKind.COUNTY_AUTHORITY, County.name == county_name)
    )


# --- organisation numbers: who lacks one, and the CSV import --------------------------------

ORG_NUMBER_IMPORT_MAX_BYTES = 200_000  # the whole country is about 6 KB; anything far bigger is the wrong file
NUMBER_COLUMNS = ("kommunenummer", "fylkesnummer")
ORG_NUMBER_COLUMN = "organisasjonsnummer"
SAMPLE_CSV = f"{NUMBER_COLUMNS[0]};{ORG_NUMBER_COLUMN}\n3403;970540008\n3405;945578564"  # Hamar, Lillehammer


def set_org_number(organisation: Organisation, org_number: str | None) -> None:
    """Store a number checked by ``validators.normalise_org_number`` (or None to remove it)."""
    organisation.org_number = org_number or None


INVOICED_KINDS = (OrganisationKind.MUNICIPALITY, OrganisationKind.COUNTY_AUTHORITY)


def missing_org_numbers(organisation_ids, charged_ids=()) -> list[Organisation]:
    """Those of the organisations that will be invoiced and have no organisation number, by name:
    municipalities and county authorities, and any other organisation with something charged
    (``charged_ids``), not KS or Husbanken with nothing to pay. One query."""
    ids = [i for i in organisation_ids if i is not None]
    charged = [i for i in charged_ids if i is not None]
    if not ids:
        return []
    return list(db.session.scalars(
        select(Organisation).where(Organisation.id.in_(ids), Organisation.org_number.is_(None),
                                   Organisation.kind.in_(INVOICED_KINDS) | Organisation.id.in_(charged))
        .order_by(Organisation.name, Organisation.id)))


@dataclass
class OrgNumberRow:
    line: int
    organisation: Organisation
    org_number: str


@dataclass
class OrgNumberImport:
    rows: list[OrgNumberRow]
    errors: list[tuple[int | None, str]]   # (line number or None for the whole file, message)
    updated: int = 0                       # how many numbers the import changed

    @property
    def changed(self) -> list[OrgNumberRow]:
        return [row for row in self.rows if row.organisation.org_number != row.org_number]


def _decoded(data: bytes) -> str:
    # Excel saves CSV as Windows-1252 unless told otherwise; UTF-8 (with or without BOM) first.
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def read_org_number_csv(data: bytes) -> OrgNumberImport:
    """Check a CSV of ``kommunenummer`` (or ``fylkesnummer`` for a county authority) and
    ``organisasjonsnummer``, separated by ``;`` or ``,``. Every row is checked and every error
    reported with its line; nothing is stored here. Two queries."""
    if len(data) > ORG_NUMBER_IMPORT_MAX_BYTES:
        return OrgNumberImport([], [(None, _("Filen er for stor (over %(kb)d kB). Last opp en CSV-fil med bare "
                                             "kommunenummer og organisasjonsnummer.", kb=ORG_NUMBER_IMPORT_MAX_BYTES // 1000))])
    text = _decoded(data)
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") >= first.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header = [cell.strip().casefold() for cell in next(reader, [])]
    key_column = next((header.index(name) for name in NUMBER_COLUMNS if name in header), None)
    if key_column is None or ORG_NUMBER_COLUMN not in header:
        return OrgNumberImport([], [(1, _("Første linje må være overskriftene «kommunenummer» og "
                                          "«organisasjonsnummer», skilt med semikolon eller komma."))])
    number_column = header.index(ORG_NUMBER_COLUMN)

    municipalities = {o.kommunenummer: o for o in db.session.scalars(
        select(Organisation).where(Organisation.kind == OrganisationKind.MUNICIPALITY))}
    authorities = {o.county.number: o for o in db.session.scalars(
        select(Organisation).join(Organisation.county).where(Organisation.kind == OrganisationKind.COUNTY_AUTHORITY)
        .options(contains_eager(Organisation.county)))}  # the county from the join, not a query per authority
    rows: list[OrgNumberRow] = []
    errors: list[tuple[int | None, str]] = []
    seen: dict[int, int] = {}  # organisation id → the line it was first given on
    for line, cells in enumerate(reader, start=2):
        if not any(cell.strip() for cell in cells):
            continue
        number = cells[key_column].strip() if key_column < len(cells) else ""
        typed = cells[number_column].strip() if number_column < len(cells) else ""
        if len(number) == 3 and number.isdigit():
            number = "0" + number  # a spreadsheet drops Oslo's leading zero: 301 is 0301
        if len(number) == 1 and number.isdigit():
            number = "0" + number
        organisation = municipalities.get(number) if len(number) == 4 else authorities.get(number)
        org_number = normalise_org_number(typed)
        if organisation is None:
            errors.append((line, _("Finner ingen kommune eller fylkeskommune med nummer «%(number)s».", number=number)))
        if org_number is None:
            errors.append((line, _("«%(value)s» er ikke et gyldig organisasjonsnummer (9 sifre med riktig kontrollsiffer).",
                                   value=typed)))
        if organisation is None or org_number is None:
            continue
        if organisation.id in seen:
            errors.append((line, _("%(name)s står også på linje %(first)d.", name=organisation.name,
                                   first=seen[organisation.id])))
            continue
        seen[organisation.id] = line
        rows.append(OrgNumberRow(line, organisation, org_number))
    if not rows and not errors:
        errors.append((None, _("Filen har ingen rader under overskriftene.")))
    return OrgNumberImport(rows, errors)


def import_org_numbers(data: bytes) -> OrgNumberImport:
    """All or nothing: the numbers are stored only when no row has an error. The caller commits."""
    result = read_org_number_csv(data)
    if not result.errors:
        changed = result.changed
        for row in changed:
            set_org_number(row.organisation, row.org_number)
        result.updated = len(changed)
        db.session.flush()
    return result


def is_in_network(network_id: int, organisation_id: int) -> bool:
    """Whether a coordinator of the network may set the organisation's number: it is (or was) a
    member, or someone from it holds a role there or is on its invoice basis."""
    member = select(Membership.id).where(Membership.network_id == network_id,
                                         Membership.organisation_id == organisation_id)
    role = (select(NetworkRole.id).join(Person, NetworkRole.person_id == Person.id)
            .where(NetworkRole.network_id == network_id, Person.organisation_id == organisation_id))
    registered = (select(Registration.id).join(Person, Registration.person_id == Person.id)
                  .join(Gathering, Registration.gathering_id == Gathering.id)
                  .where(Gathering.network_id == network_id, Person.organisation_id == organisation_id))
    return bool(db.session.scalar(select(member.exists() | role.exists() | registered.exists())))
