"""Mail about evaluations, queued in the outbox inside the caller's transaction."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from network.evaluations.models import EvaluationInvitation
from network.main.site import site_url_for
from network.outbox.services import queue_mail_to


def queue_invitation(invitation: EvaluationInvitation) -> None:
    gathering = invitation.gathering
    queue_mail_to(
        invitation.person,
        _l("Hvordan var samling %(n)s? Gi en anonym evaluering", n=gathering.number),
        "evaluations/email/invitation",
        person=invitation.person,
        gathering=gathering,
        network=gathering.network,
        evaluation_url=site_url_for("evaluations.answer", network_id=gathering.network_id, gathering_id=gathering.id),
        my_page_url=site_url_for("main.my_page", _anchor="evaluations"),
    )
