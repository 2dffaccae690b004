"""What the API says about networks and their member organisations."""
from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field

from network.api.framework import PageQuery
from network.growth.models import GrowthClass
from network.networks.models import NetworkStatus
from network.organisations.models import OrganisationKind


class NetworkOut(BaseModel):
    model_config = ConfigDict(title="Nettverk", json_schema_extra={"examples": [{
        "id": 1, "name": "Boligsosialt nettverk Innlandet", "topic": "Boligpolitikk", "status": "active",
        "starts_on": "2019-04-10", "ends_on": "2020-10-14", "closed": False, "closed_at": None,
    }]})

    id: int
    name: str
    topic: str
    status: NetworkStatus
    starts_on: date | None
    ends_on: date | None
    closed: bool = Field(description="Stengt av KS: bare lesing, til det åpnes igjen.")
    closed_at: datetime | None


class NetworkQuery(PageQuery):
    status: NetworkStatus | None = Field(None, description="Bare nettverk med denne statusen.")


class CountyOut(BaseModel):
    model_config = ConfigDict(title="Fylke")

    number: str
    name: str


class MemberOut(BaseModel):
    model_config = ConfigDict(title="Medlem", json_schema_extra={"examples": [{
        "organisation_id": 12, "name": "Hamar", "kind": "municipality", "kommunenummer": "3403",
        "org_number": "970540008", "county": {"number": "34", "name": "Innlandet"},
        "population_2010": 28211, "population_2020": 31329, "yearly_growth_percent": "1.05",
        "growth_class": "strong_growth", "growth_class_overridden": False, "team_size": 3, "participants": 2,
        "anchored": True, "anchoring_decided_on": "2019-03-01", "executive_linked": True,
    }]})

    organisation_id: int
    name: str
    kind: OrganisationKind
    kommunenummer: str | None
    org_number: str | None
    county: CountyOut | None
    population_2010: int | None
    population_2020: int | None
    yearly_growth_percent: str | None = Field(
        description="Gjennomsnittlig årlig befolkningsendring 2010–2020 i prosent, med to desimaler.")
    growth_class: GrowthClass | None = Field(description="Vekstklassen; tom for organisasjoner som ikke er kommuner.")
    growth_class_overridden: bool
    team_size: int = Field(description="Kommunens folk med en rolle i nettverket som har takket ja.")
    participants: int = Field(description="Av dem: deltakere og kontaktpersoner (de som teller mot minst to).")
    anchored: bool = Field(description="Forankret: vedtaksdato og kommunedirektør er registrert.")
    anchoring_decided_on: date | None
    executive_linked: bool = Field(description="Kommunedirektøren er en person i nettverket.")


class MemberQuery(PageQuery):
    county: str | None = Field(None, pattern=r"^\d{2}$", description="Fylkesnummer, for eksempel 34.")
    growth_class: GrowthClass | None = None
