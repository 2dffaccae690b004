"""Mail about registrations, queued in the outbox inside the caller's transaction.

Mail to someone with a seat carries the gathering's ``.ics`` (their own days), so the
calendar entry can be added, and updated again when the date or venue changes.
"""
from __future__ import annotations

from flask_babel import gettext as _

from network.calendar import ics
from network.gatherings.models import SEAT_STATUSES, Gathering, Registration, RegistrationStatus
from network.main.site import site_url_for
from network.outbox.services import Attachment, queue_mail


def links(registration: Registration) -> dict:
    gathering = registration.gathering
    return {
        "gathering_url": site_url_for("gatherings.show", network_id=gathering.network_id, gathering_id=gathering.id),
        # The cancel button (a POST) is on the change page.
        "change_url": site_url_for("gatherings.edit_registration", network_id=gathering.network_id,
                              gathering_id=gathering.id, registration_id=registration.id),
        "my_page_url": site_url_for("main.my_page", _anchor="calendar-feed"),
    }


def calendar_attachments(registration: Registration) -> list[Attachment]:
    """The ``.ics`` for people with a seat; nobody on the waiting list gets a calendar entry."""
    if registration.status not in SEAT_STATUSES:
        return []
    return [ics.mail_attachment(registration.gathering, registration.days)]


def queue_registration_mail(registration: Registration, subject: str, template: str, with_calendar: bool = True,
                            **context) -> None:
    attachments = calendar_attachments(registration) if with_calendar else []
    queue_mail(registration.person.email, subject, f"gatherings/email/{template}", attachments=attachments,
               registration=registration, gathering=registration.gathering, calendar_attached=bool(attachments),
               **links(registration), **context)


def queue_confirmation(registration: Registration) -> None:
    title = registration.gathering.title
    subject = (_("Påmeldt: %(title)s", title=title) if registration.status is RegistrationStatus.CONFIRMED
               else _("Venteliste: %(title)s", title=title))
    queue_registration_mail(registration, subject, "confirmation")


def queue_promotion(registration: Registration) -> None:
    queue_registration_mail(registration, _("Du har fått plass: %(title)s", title=registration.gathering.title),
                            "promotion")


def queue_cancellation(registration: Registration) -> None:
    queue_registration_mail(registration, _("Avmeldt: %(title)s", title=registration.gathering.title),
                            "cancellation", with_calendar=False)


def queue_reminder(registration: Registration) -> None:
    queue_registration_mail(registration, _("Påminnelse: %(title)s", title=registration.gathering.title), "reminder")


def queue_change_notice(gathering: Gathering, registrations: list[Registration], changes: list[str]) -> None:
    """The attached ``.ics`` keeps the events' UIDs with a higher SEQUENCE, so calendars update the entry."""
    for registration in registrations:
        queue_registration_mail(registration, _("Endring: %(title)s", title=gathering.title), "changed",
                                changes=changes)
