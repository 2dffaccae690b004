"""What the API says about costs per organisation and gathering, and the invoice basis's lines."""
from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from network.api.schemas.money import Money
from network.gatherings.models import GatheringStatus, RegistrationStatus


class CostGatheringOut(BaseModel):
    model_config = ConfigDict(title="Samlingskostnad")

    gathering_id: int
    number: int
    title: str
    status: GatheringStatus = Field(description="En avlyst samling faktureres ingen.")
    price_per_day: Money
    people: int = Field(description="Personer som faktureres (innenfor det du kan se).")
    amount: Money


class CostCellOut(BaseModel):
    model_config = ConfigDict(title="Organisasjonskostnad per samling")

    gathering_id: int
    people: int
    amount: Money


class OrganisationCostOut(BaseModel):
    model_config = ConfigDict(title="Organisasjonskostnad")

    organisation_id: int | None = Field(description="Tom for personer uten organisasjon.")
    name: str
    is_member: bool = Field(description="Aktivt medlem av nettverket (et medlem som har trukket seg, kan ha kostnader).")
    gatherings: list[CostCellOut] = Field(description="Bare samlinger der noe faktureres, i samlingsrekkefølge.")
    total: Money


class CostsOut(BaseModel):
    model_config = ConfigDict(title="Kostnader", json_schema_extra={"examples": [{
        "network_id": 1, "scope": "network",
        "gatherings": [{"gathering_id": 3, "number": 1, "title": "Oppstart", "status": "held",
                        "price_per_day": "900.00", "people": 2, "amount": "3600.00"}],
        "organisations": [{"organisation_id": 7, "name": "Hamar kommune", "is_member": True,
                           "gatherings": [{"gathering_id": 3, "people": 2, "amount": "3600.00"}],
                           "total": "3600.00"}],
        "total": "3600.00", "page": 1, "size": 50, "organisations_total": 1,
    }]})

    network_id: int
    scope: Literal["network", "organisation", "person"] = Field(
        description="network: alle organisasjoner (koordinatorer); organisation: kontaktpersonens egen kommune; "
                    "person: dine egne påmeldinger.")
    gatherings: list[CostGatheringOut] = Field(description="Alle nettverkets samlinger, etter nummer.")
    organisations: list[OrganisationCostOut] = Field(
        description="Etter navn, én side av dem (page, size); tom når scope er person.")
    total: Money = Field(description="Summen for alle organisasjonene, ikke bare denne siden.")
    page: int
    size: int
    organisations_total: int = Field(description="Hvor mange organisasjoner det er i alt, på alle sidene.")


class InvoiceLineOut(BaseModel):
    model_config = ConfigDict(title="Fakturalinje", json_schema_extra={"examples": [{
        "organisation_id": 7, "organisation_name": "Hamar kommune", "org_number": "970540008",
        "person_id": 12, "person_name": "Dag Deltaker", "gathering_id": 3, "gathering_number": 1,
        "gathering_title": "Oppstart", "days": 2, "unit_price": "900.00", "amount": "1800.00",
        "status": "confirmed",
    }]})

    organisation_id: int | None
    organisation_name: str
    org_number: str | None = Field(description="Organisasjonsnummeret fakturaen går til.")
    person_id: int
    person_name: str
    gathering_id: int
    gathering_number: int
    gathering_title: str
    days: int
    unit_price: Money
    amount: Money
    status: RegistrationStatus = Field(description="cancelled bare for avmelding etter fristen, når den faktureres.")
