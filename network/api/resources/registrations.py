"""/networks/<id>/gatherings/<gid>/registrations: who is registered and who came.

The web page's rules (network.gatherings.access): coordinators see everyone, a municipality's
contact their own municipality's people, others nothing. Each successful read is logged as an
export of registrations, as the page is (network/privacy/audit.py)."""
from __future__ import annotations

from flask import request
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.exc import SQLAlchemyError

from network.api.framework import Page, api_get, problem
from network.extensions import db
from network.api.queries import gatherings as queries
from network.api.schemas.registrations import RegistrationOut, RegistrationQuery
from network.gatherings import access
from network.gatherings.loading import load_gathering
from network.gatherings.views import membership_of
from network.networks.loading import require
from network.privacy import services as privacy_services
from network.privacy.models import ExportKind


@api_get("/networks/<int:network_id>/gatherings/<int:gathering_id>/registrations", response=Page[RegistrationOut],
         query=RegistrationQuery, summary="Påmeldinger og oppmøte", tag="Påmeldinger")
def gathering_registrations(network_id: int, gathering_id: int, query: RegistrationQuery) -> Page[RegistrationOut]:
    """Påmeldingene i den rekkefølgen de kom, med dager og status (også oppmøte: attended/no_show).
    Koordinatorer ser alle; en kommunes kontaktperson ser bare sin egen kommunes. Filtrer på
    `organisation_id` og `status`. Kost, allergier og tilretteleggingsbehov er aldri med."""
    gathering = load_gathering(network_id, gathering_id)
    require(access.can_view_registrations(current_user, gathering, membership_of(gathering.network, current_user)))
    own = None if access.sees_all_registrations(current_user, gathering) else current_user.organisation_id
    total, items = queries.registrations(gathering, query, own)
    try:  # logged before it leaves, or not handed out at all (as network/privacy/audit.py)
        privacy_services.record_export(ExportKind.REGISTRATIONS, current_user.id, network_id,
                                       request.full_path.rstrip("?"))
    except SQLAlchemyError:
        db.session.rollback()
        raise problem(503, detail=_("Eksportloggen kunne ikke skrives. Prøv igjen.")) from None
    return Page.of(query, total, items)
