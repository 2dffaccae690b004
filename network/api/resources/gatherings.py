"""/networks/<id>/gatherings: days, venue, seats, waiting list and programme."""
from __future__ import annotations

from network.api.framework import Page, api_get
from network.api.queries import gatherings as queries
from network.api.schemas.gatherings import GatheringOut, GatheringQuery, ProgrammeOut
from network.gatherings.loading import load_gathering
from network.networks.loading import load_network

TAG = "Samlinger"
GATHERING = "/networks/<int:network_id>/gatherings/<int:gathering_id>"


@api_get("/networks/<int:network_id>/gatherings", response=Page[GatheringOut], query=GatheringQuery,
         summary="Nettverkets samlinger", tag=TAG)
def gatherings_list(network_id: int, query: GatheringQuery) -> Page[GatheringOut]:
    """Samlingene etter nummer, også avlyste: dager, sted, kapasitet, opptatte plasser, venteliste og frister."""
    total, items = queries.gatherings(load_network(network_id), query)
    return Page.of(query, total, items)


@api_get(GATHERING, response=GatheringOut, summary="Én samling", tag=TAG)
def gathering_show(network_id: int, gathering_id: int) -> GatheringOut:
    """Samlingens dager, sted, kapasitet, opptatte plasser, venteliste og frister."""
    return queries.one_gathering(load_gathering(network_id, gathering_id))


@api_get(GATHERING + "/programme", response=ProgrammeOut, summary="Samlingens program", tag=TAG)
def gathering_programme(network_id: int, gathering_id: int) -> ProgrammeOut:
    """Programpostene i rekkefølge: dag, klokkeslett, tittel, innleder, arbeidsform og beskrivelse."""
    return queries.programme(load_gathering(network_id, gathering_id))
