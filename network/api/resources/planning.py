"""/networks/<id>/planning: planning-status profiles and self-assessments per municipality."""
from __future__ import annotations

from flask_login import current_user
from pydantic import Field

from network.api.framework import MAX_ID, PageQuery, api_get
from network.api.queries import planning as queries
from network.api.schemas.planning import PlanningOut
from network.networks.loading import load_network

TAG = "Planstatus"


class PlanningQuery(PageQuery):
    municipality: int | None = Field(None, ge=1, le=MAX_ID, description="Bare denne kommunen (organisasjonens id).")


@api_get("/networks/<int:network_id>/planning", response=PlanningOut, query=PlanningQuery,
         summary="Planstatus og egenvurdering per kommune", tag=TAG)
def planning_show(network_id: int, query: PlanningQuery) -> PlanningOut:
    """Som sammenligningssiden: hver medlemskommunes status i Husbankens seks plansteg, antall per
    steg og nettverkets snitt per råd. En kommunes egenvurdering (tall og kommentar) ser bare
    kommunens egne folk, koordinatorer og observatører; for andre er `assessments` tom. Kommunene
    kommer side for side (`page`, `size`, `total`); stegene og rådene gjelder alle kommunene."""
    return queries.planning(current_user, load_network(network_id), query, query.municipality)
