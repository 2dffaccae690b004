"""/networks/<id>/gatherings/<gid>/registrations: who is registered and who came.

The web page's rules (network.gatherings.access): coordinators see everyone, a municipality's
contact their own municipality's people, others nothing. Each successful read is logged as an
export of registrations, as the page is (network/privacy/audit.py)."""
from __future__ import annotations

from flask_login import current_user

from network.api.exports import EXPORT_LOG_PROBLEM, record_export
from network.api.framework import Page, api_get
from network.api.queries import gatherings as queries
from network.api.schemas.registrations import RegistrationOut, RegistrationQuery
from network.gatherings import access
from network.gatherings.loading import load_gathering
from network.gatherings.views import membership_of
from network.networks.loading import require
from network.privacy.models import ExportKind


@api_get("/networks/<int:network_id>/gatherings/<int:gathering_id>/registrations", response=Page[RegistrationOut],
         query=RegistrationQuery, summary="Påmeldinger og oppmøte", tag="Påmeldinger", problems=EXPORT_LOG_PROBLEM)
def gathering_registrations(network_id: int, gathering_id: int, query: RegistrationQuery) -> Page[RegistrationOut]:
    """Påmeldingene i den rekkefølgen de kom, med dager og status (også oppmøte: attended/no_show).
    Koordinatorer ser alle; en kommunes kontaktperson ser bare sin egen kommunes. Filtrer på
    `organisation_id` og `status`. Kost, allergier og tilretteleggingsbehov er aldri med."""
    gathering = load_gathering(network_id, gathering_id)
    require(access.can_view_registrations(current_user, gathering, membership_of(gathering.network, current_user)))
    own = None if access.sees_all_registrations(current_user, gathering) else current_user.organisation_id
    total, items = queries.registrations(gathering, query, own)
    record_export(ExportKind.REGISTRATIONS, network_id)
    return Page.of(query, total, items)
