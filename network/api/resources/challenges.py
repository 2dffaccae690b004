"""/networks/<id>/challenges: the catalogue and which municipalities share each challenge."""
from __future__ import annotations

from flask_login import current_user
from pydantic import BaseModel, ConfigDict, Field

from network.api.framework import Page, PageQuery, api_get
from network.api.queries import challenges as queries
from network.api.schemas.challenges import ChallengeOut
from network.growth.models import GrowthClass
from network.networks.loading import load_network

TAG = "Utfordringer"
GROWTH = "Bare kommuner i denne vekstklassen blant dem som deler utfordringen."


class ChallengeQuery(PageQuery):
    growth: GrowthClass | None = Field(None, description=GROWTH)


class ChallengeFilter(BaseModel):
    model_config = ConfigDict(extra="ignore")

    growth: GrowthClass | None = Field(None, description=GROWTH)


@api_get("/networks/<int:network_id>/challenges", response=Page[ChallengeOut], query=ChallengeQuery,
         summary="Utfordringene og hvem som deler dem", tag=TAG)
def challenges_list(network_id: int, query: ChallengeQuery) -> Page[ChallengeOut]:
    """Katalogen i sin rekkefølge; for hver utfordring kommunene som har den, med prioritet,
    vekstklasse og kommunens egen beskrivelse (høyest prioritet først, så etter navn)."""
    items = queries.catalogue(current_user, load_network(network_id), query.growth)
    return Page.of(query, len(items), items[query.offset:query.offset + query.size])


@api_get("/networks/<int:network_id>/challenges/<int:challenge_id>", response=ChallengeOut, query=ChallengeFilter,
         summary="Én utfordring og hvem som deler den", tag=TAG)
def challenge_show(network_id: int, challenge_id: int, query: ChallengeFilter) -> ChallengeOut:
    """Som utfordringens side: kommunene som har den, med prioritet, vekstklasse og beskrivelse."""
    return queries.challenge(current_user, load_network(network_id), challenge_id, query.growth)
