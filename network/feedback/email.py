"""Mail about feedback, queued in the outbox inside the caller's transaction."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from network.auth.models import Person
from network.feedback.models import Feedback, FeedbackReply
from network.main.site import site_url_for
from network.networks.models import Network
from network.outbox.models import OutboxMessage
from network.outbox.services import queue_mail


def notice_recipient(network: Network) -> str:
    """Where news of feedback goes: the network's feedback address, else its KS contact."""
    return network.feedback_email or network.ks_contact_email or ""


def queue_anonymous_summary(network: Network, count: int) -> OutboxMessage | None:
    """The daily count of new anonymous feedback: nothing from the items themselves."""
    recipient = notice_recipient(network)
    if not recipient:
        return None
    return queue_mail(recipient, _l("Nye anonyme tilbakemeldinger til KS"), "feedback/email/new_anonymous",
                      network=network, count=count,
                      inbox_url=site_url_for("feedback.inbox", network_id=network.id))


def queue_new_feedback(feedback: Feedback) -> OutboxMessage | None:
    """Named feedback is announced at once, with its content."""
    network = feedback.network
    recipient = notice_recipient(network)
    if not recipient:
        return None
    inbox_url = site_url_for("feedback.inbox", network_id=network.id)
    return queue_mail(
        recipient, _l("Ny tilbakemelding til KS: %(topic)s", topic=feedback.topic.label), "feedback/email/new_named",
        network=network, feedback=feedback, inbox_url=inbox_url,
        feedback_url=site_url_for("feedback.show", network_id=network.id, feedback_id=feedback.id),
    )


def queue_reply(feedback: Feedback, reply: FeedbackReply, author: Person) -> OutboxMessage:
    return queue_mail(
        reply.recipient, _l("Svar fra KS på tilbakemeldingen din"), "feedback/email/reply",
        network=feedback.network, feedback=feedback, reply=reply, author=author,
        written_by_person=True,  # a coordinator wrote it: no Auto-Submitted, so auto-responders may answer it
    )
