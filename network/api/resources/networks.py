"""/networks and their members: what the token's owner may see on the network pages."""
from __future__ import annotations

from flask_login import current_user

from network.api.framework import Page, api_get, token_network_id
from network.api.queries import networks as queries
from network.api.schemas.networks import MemberOut, MemberQuery, NetworkOut, NetworkQuery
from network.networks.loading import load_network

TAG = "Nettverk"


@api_get("/networks", response=Page[NetworkOut], query=NetworkQuery, summary="Nettverkene du har tilgang til", tag=TAG)
def networks_list(query: NetworkQuery) -> Page[NetworkOut]:
    """Nettverkene du er med i (alle for KS-administratorer), nyeste først; bare ett om
    tilgangsnøkkelen er begrenset til et nettverk."""
    total, items = queries.visible_networks(current_user, query, token_network_id())
    return Page.of(query, total, items)


@api_get("/networks/<int:network_id>", response=NetworkOut, summary="Ett nettverk", tag=TAG)
def network_show(network_id: int) -> NetworkOut:
    """Nettverkets navn, tema, periode og status."""
    return queries.network_out(load_network(network_id))


@api_get("/networks/<int:network_id>/members", response=Page[MemberOut], query=MemberQuery,
         summary="Nettverkets medlemmer", tag=TAG)
def network_members(network_id: int, query: MemberQuery) -> Page[MemberOut]:
    """De aktive medlemmene etter fylke og navn: kommunenummer, folketall 2010/2020, vekstklasse,
    lagets størrelse og forankring. Filtrer på fylke (`county=34`) og vekstklasse (`growth_class=growth`)."""
    total, items = queries.members(load_network(network_id), query)
    return Page.of(query, total, items)
