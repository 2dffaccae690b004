"""What the API says about the challenges catalogue and which municipalities share each challenge."""
from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from network.challenges.models import ChallengePriority
from network.growth.models import GrowthClass


class SharerOut(BaseModel):
    model_config = ConfigDict(title="Kommune med utfordringen")

    organisation_id: int
    name: str
    kommunenummer: str | None
    county: str | None
    growth_class: GrowthClass
    priority: ChallengePriority
    description: str = Field(description="Slik er situasjonen i kommunen, med kommunens egne ord.")


class ChallengeOut(BaseModel):
    model_config = ConfigDict(title="Utfordring", json_schema_extra={"examples": [{
        "id": 4, "position": 1, "title": "Eldre i egen bolig", "description": "",
        "added_by_organisation_id": None, "added_by": None, "sharing_count": 1, "municipality_count": 12,
        "sharers": [{"organisation_id": 7, "name": "Hamar kommune", "kommunenummer": "3403", "county": "Innlandet",
                     "growth_class": "growth", "priority": "high", "description": "Mange eldre i sentrum."}],
    }]})

    id: int
    position: int = Field(description="Plassen i katalogen.")
    title: str
    description: str
    added_by_organisation_id: int | None = Field(description="Kommunen som la den til; tom for koordinatorenes katalog.")
    added_by: str | None
    sharing_count: int = Field(description="Aktive medlemskommuner som har utfordringen (før vekstfilteret).")
    municipality_count: int = Field(description="Nettverkets aktive medlemskommuner.")
    sharers: list[SharerOut] = Field(description="Høyest prioritet først, så etter navn.")
