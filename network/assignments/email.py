"""Mail about assignments, queued in the outbox inside the caller's transaction."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from network.assignments import services
from network.assignments.models import Assignment, Submission
from network.auth.models import Person
from network.main.site import site_url_for
from network.networks.models import Membership
from network.outbox.services import queue_mail_to


def queue_reminder(assignment: Assignment, membership: Membership, person: Person, submission: Submission | None) -> None:
    queue_mail_to(
        person,
        _l("Påminnelse: frist for «%(title)s»", title=assignment.title),
        "assignments/email/reminder",
        person=person,
        assignment=assignment,
        network=assignment.network,
        organisation=membership.organisation,
        status=services.status_of(submission),
        submission_url=site_url_for("assignments.submission", network_id=assignment.network_id, assignment_id=assignment.id,
                               organisation_id=membership.organisation_id),
    )
