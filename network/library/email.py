"""Mail about the review of examples open to all, queued in the outbox inside the caller's transaction."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from network.library.models import Example, ExampleReview
from network.main.site import site_url_for
from network.outbox.models import OutboxMessage
from network.outbox.services import queue_mail_to


def queue_review_outcome(example: Example) -> OutboxMessage | None:
    """Tell the person who asked for the review that the example was approved or sent back.
    Nobody to tell when they have left (their account deleted)."""
    person = example.review_requested_by
    if person is None or not person.active or not person.email:
        return None
    approved = example.review is ExampleReview.APPROVED
    subject = (_l("Eksempelet ditt er godkjent: %(title)s", title=example.title) if approved
               else _l("Eksempelet ditt er sendt tilbake: %(title)s", title=example.title))
    return queue_mail_to(
        person, subject, "library/email/approved" if approved else "library/email/returned",
        person=person, example=example, network=example.network,
        example_url=site_url_for("library.show", network_id=example.network_id, example_id=example.id),
        edit_url=site_url_for("library.edit", network_id=example.network_id, example_id=example.id),
        public_url=site_url_for("library.public_show", example_id=example.id),
    )
