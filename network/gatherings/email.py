"""Mail about registrations, queued in the outbox inside the caller's transaction.

Mail to someone with a seat carries the gathering's ``.ics`` (their own days), so the
calendar entry can be added, and updated again when the date or venue changes.
"""
from __future__ import annotations

from collections.abc import Collection

from flask_babel import lazy_gettext as _l

from network.calendar import ics
from network.gatherings.models import SEAT_STATUSES, Gathering, GatheringDay, Registration, RegistrationStatus
from network.main.site import site_url_for
from network.outbox.models import OutboxMessage
from network.outbox.services import Attachment, in_language_of, queue_mail_to


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
    """The invitation (``.ics``) for people with a seat; nobody on the waiting list gets a calendar entry."""
    if registration.status not in SEAT_STATUSES:
        return []
    return [ics.mail_attachment(registration.gathering, registration.days, registration)]


def had_seat(registration: Registration) -> bool:
    """A cancelled registration that held a seat got an invitation; one cancelled from the waiting
    list never did (``waiting_since`` stays set for them, see ``services.cancel``)."""
    return registration.waiting_since is None


def queue_registration_mail(registration: Registration, subject: str, template: str, with_calendar: bool = True,
                            **context) -> OutboxMessage:
    with in_language_of(registration.person):  # the .ics text too
        attachments = calendar_attachments(registration) if with_calendar else []
    return queue_mail_to(registration.person, subject, f"gatherings/email/{template}", attachments=attachments,
               registration=registration, gathering=registration.gathering, calendar_attached=bool(attachments),
               **links(registration), **context)


def queue_confirmation(registration: Registration) -> OutboxMessage:
    title = registration.gathering.title
    subject = (_l("Påmeldt: %(title)s", title=title) if registration.status is RegistrationStatus.CONFIRMED
               else _l("Venteliste: %(title)s", title=title))
    return queue_registration_mail(registration, subject, "confirmation")


def queue_promotion(registration: Registration) -> None:
    queue_registration_mail(registration, _l("Du har fått plass: %(title)s", title=registration.gathering.title),
                            "promotion")


def queue_cancellation(registration: Registration) -> None:
    """With METHOD:CANCEL for the person's days, so the entry leaves the calendar that took the invitation."""
    with in_language_of(registration.person):
        attachments = [ics.registration_cancellation(registration)] if had_seat(registration) else []
    queue_mail_to(registration.person, _l("Avmeldt: %(title)s", title=registration.gathering.title),
               "gatherings/email/cancellation", attachments=attachments, registration=registration,
               gathering=registration.gathering, calendar_attached=bool(attachments), **links(registration))


def queue_gathering_cancelled(registration: Registration) -> None:
    """Everyone registered hears that the gathering is off; those who got a calendar invitation
    (a seat) get the cancellation of the same events."""
    with in_language_of(registration.person):
        attachments = ([ics.gathering_cancellation(registration.gathering, registration)]
                       if registration.status in SEAT_STATUSES else [])
    queue_mail_to(registration.person, _l("Avlyst: %(title)s", title=registration.gathering.title),
               "gatherings/email/gathering_cancelled", attachments=attachments, registration=registration,
               gathering=registration.gathering, calendar_attached=bool(attachments), **links(registration))


def queue_reminder(registration: Registration) -> None:
    queue_registration_mail(registration, _l("Påminnelse: %(title)s", title=registration.gathering.title), "reminder")


def queue_change_notice(gathering: Gathering, registrations: list[Registration], changes: list[str],
                        removed_day: GatheringDay | None = None, had_day: Collection[int] = ()) -> None:
    """The attached ``.ics`` keeps the event's UID with a higher SEQUENCE, so calendars update the entry.
    A removed day can't be in that file (one METHOD per file): those who had it (``had_day``, ids of
    registrations) get the METHOD:CANCEL of that instance as a second attachment, first so Outlook
    acts on it, and the invitation after it with a higher SEQUENCE still."""
    for registration in registrations:
        with in_language_of(registration.person):
            attachments = calendar_attachments(registration)
            if removed_day is not None and registration.id in had_day and attachments:
                attachments = [ics.day_cancellation(gathering, removed_day, registration),
                               ics.mail_attachment(gathering, registration.days, registration, after_cancel=True)]
        queue_mail_to(registration.person, _l("Endring: %(title)s", title=gathering.title),
                   "gatherings/email/changed", attachments=attachments, registration=registration,
                   gathering=gathering, calendar_attached=bool(attachments), changes=changes, **links(registration))
