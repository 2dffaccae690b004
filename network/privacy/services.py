"""Privacy: what the platform holds about a person ("Mine data"), deleting an account, the retention
jobs, and the log of personal-data exports.

Free of ``request``, ``flash`` and templates, so tests and the cron command call it directly. The
caller commits, except in ``record_export`` and the purge jobs, which each own their transaction.

This capability reads and changes other capabilities' tables directly: deleting a person, and
listing everything about them, must reach every table, and is written to keep working when a
table is added (the foreign keys to ``person`` are found from the schema, not listed by hand).
"""
from __future__ import annotations

import csv
import html
import io
import json
import re
import secrets
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from enum import Enum
from typing import Any

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from icalendar import Calendar
from icalendar.parser import Contentline
from zoneinfo import ZoneInfo

from sqlalchemy import Table, delete, exists, func, or_, select, update
from sqlalchemy.orm import contains_eager, joinedload, selectinload

from network.assignments.models import (
    Comment, NotificationMode, NotificationPreference, PendingCommentNotice, Submission, SubmissionEvent,
)
from network.auth.models import LoginSession, PasswordResetRequest, Person, normalise_email
from network.calendar import ics
from network.evaluations.models import EvaluationInvitation
from network.extensions import db
from network.main import clock, language
from network.feedback.models import Feedback, FeedbackReply
from network.gatherings.models import GatheringDay, ProgrammeItem, Registration
from network.main.spreadsheets import csv_cell
from network.models_base import utcnow
from network.networks.models import Membership, Network, NetworkInvitation, NetworkRole
from network.outbox.models import OutboxAttachment, OutboxMessage, OutboxStatus
from network.outbox.services import queue_mail_to
from network.privacy.models import DeletionRequest, DeletionStatus, ExportKind, ExportLog
from network.profile.models import EmailChange

# What a deleted person is called wherever their account is still referred to (an invoice line).
DELETED_NAME = "Slettet person"
OSLO = ZoneInfo("Europe/Oslo")
DELETED_EMAIL_DOMAIN = "slettet.invalid"
REASON_MAX = 2000


class PrivacyError(ValueError):
    """A broken rule; the message is shown to the user."""


# --- settings, shared by the jobs and the privacy page ----------------------------------


@dataclass(frozen=True)
class Retention:
    diet_days: int
    outbox_days: int
    invitation_days: int        # how long an invitation link works
    invitation_margin_days: int
    export_log_days: int

    @property
    def invitation_total_days(self) -> int:
        return self.invitation_days + self.invitation_margin_days


def retention() -> Retention:
    config = current_app.config
    return Retention(
        diet_days=int(config["PRIVACY_DIET_RETENTION_DAYS"]),
        outbox_days=int(config["PRIVACY_OUTBOX_RETENTION_DAYS"]),
        invitation_days=config["INVITATION_MAX_AGE"].days,
        invitation_margin_days=int(config["PRIVACY_INVITATION_MARGIN_DAYS"]),
        export_log_days=int(config["PRIVACY_EXPORT_LOG_RETENTION_DAYS"]),
    )


# --- the schema's links to a person ------------------------------------------------------

# Rows that are the person's own settings or traces, deleted with the account; every other
# table that points at a person keeps its rows (with the link cleared, or to the anonymous row).
OWN_ROWS = {"network_role", "notification_preference", "pending_comment_notice", "network_invitation", "email_change"}
# Rows that keep pointing at the anonymous person: the invoice and the counts stay right.
KEPT_LINKS = {("registration", "person_id"), ("evaluation_invitation", "person_id"),
              ("deletion_request", "person_id"), ("export_log", "person_id")}


@dataclass(frozen=True)
class PersonLink:
    table: Table
    column: str
    cascade: bool


def person_links() -> list[PersonLink]:
    """Every foreign-key column in the schema that points at ``person.id``."""
    links = []
    for table in db.metadata.sorted_tables:
        for column in table.columns:
            for key in column.foreign_keys:
                if key.column.table.name == "person" and table.name != "person":
                    links.append(PersonLink(table, column.name, (key.ondelete or "").upper() == "CASCADE"))
    return links


def _own_row_tables() -> list[PersonLink]:
    """Tables whose rows are the person's own: the known ones, and any other table (sign-in sessions,
    say) whose rows go with the person when a person is deleted."""
    return [link for link in person_links()
            if (link.table.name, link.column) not in KEPT_LINKS
            and (link.table.name in OWN_ROWS or link.cascade)]


# --- "Mine data" -------------------------------------------------------------------------


def _plain(value: Any) -> Any:
    """A value as JSON has it."""
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, bytes):
        return None
    return value


@dataclass
class Section:
    key: str
    title: str
    rows: list[dict] = field(default_factory=list)


def _network_names() -> dict[int, str]:
    return dict(db.session.execute(select(Network.id, Network.name)).all())


def my_data(person: Person) -> list[Section]:
    """Everything the platform holds about the person, in sections of flat rows.

    Never their anonymous evaluation answers or anonymous feedback: nothing links those to them."""
    networks = _network_names()
    organisation = person.organisation
    account = Section("account", _("Konto"), [{
        "id": person.id, "name": person.name, "email": person.email, "job_title": person.job_title or "",
        "phone": person.phone or "", "organisation": organisation.name if organisation else "",
        "ks_administrator": bool(person.is_admin), "active": bool(person.active),
        "has_password": person.has_password, "calendar_feed": person.calendar_token is not None,
        "created_at": _plain(person.created_at), "last_login_at": _plain(person.last_login_at),
        "preferred_contact": person.preferred_contact.value, "preferred_contact_label": str(person.preferred_contact.label),
        "accepted_at": _plain(person.accepted_at), "language": person.language or "",
        "language_label": language.NAMES.get(person.language or "", ""),
    }])
    network_invitations = Section("network_invitations", _("Invitasjoner til nettverk"), [
        {"network": networks.get(row.network_id, ""), "invited_at": _plain(row.invited_at),
         "sent_at": _plain(row.sent_at), "times_sent": row.times_sent}
        for row in db.session.scalars(select(NetworkInvitation).where(NetworkInvitation.person_id == person.id)
                                      .order_by(NetworkInvitation.invited_at))
    ])
    email_changes = Section("email_changes", _("Ny e-postadresse som venter på bekreftelse"), [
        {"new_email": row.new_email, "created_at": _plain(row.created_at), "expires_at": _plain(row.expires_at)}
        for row in db.session.scalars(select(EmailChange).where(EmailChange.person_id == person.id))
    ])

    roles = Section("roles", _("Roller"), [
        {"network": networks.get(role.network_id, ""), "role": role.role.value, "role_label": str(role.role.label),
         "since": _plain(role.created_at)}
        for role in db.session.scalars(select(NetworkRole).where(NetworkRole.person_id == person.id)
                                       .order_by(NetworkRole.created_at))
    ])

    registrations = Section("registrations", _("Påmeldinger"))
    for registration in db.session.scalars(
        select(Registration).where(Registration.person_id == person.id)
        .options(joinedload(Registration.gathering), selectinload(Registration.days),
                 joinedload(Registration.registered_by))
        .order_by(Registration.created_at)
    ):
        gathering = registration.gathering
        registrations.rows.append({
            "network": networks.get(gathering.network_id, ""), "gathering": gathering.number,
            "gathering_title": gathering.title, "status": registration.status.value,
            "status_label": str(registration.status.label),
            "days": ", ".join(day.day.isoformat() for day in registration.days),
            "diet": registration.diet, "allergies": registration.allergies,
            "accessibility": registration.accessibility, "comment": registration.comment,
            "registered_by": registration.registered_by.name if registration.registered_by else "",
            "created_at": _plain(registration.created_at), "updated_at": _plain(registration.updated_at),
            "waiting_since": _plain(registration.waiting_since), "cancelled_at": _plain(registration.cancelled_at),
            "late_cancellation": registration.late_cancellation,
            "reminder_sent_at": _plain(registration.reminder_sent_at),
        })

    submission_ids = set(db.session.scalars(
        select(SubmissionEvent.submission_id).where(SubmissionEvent.person_id == person.id)))
    submission_ids |= set(db.session.scalars(select(Submission.id).where(Submission.updated_by_id == person.id)))
    submissions = Section("submissions", _("Besvarelser du har skrevet i"))
    for submission in db.session.scalars(
        select(Submission).where(Submission.id.in_(submission_ids))
        .options(joinedload(Submission.assignment), joinedload(Submission.membership).joinedload(Membership.organisation),
                 selectinload(Submission.events))
        .order_by(Submission.id)
    ):
        mine = [event for event in submission.events if event.person_id == person.id]
        submissions.rows.append({
            "network": networks.get(submission.assignment.network_id, ""), "assignment": submission.assignment.title,
            "organisation": submission.membership.organisation.name, "status": submission.status.value,
            "status_label": str(submission.status.label), "text": submission.text, "submitted_at": _plain(submission.submitted_at),
            "your_changes": "; ".join(f"{_plain(event.at)} {event.kind.label}" for event in mine),
        })

    comments = Section("comments", _("Kommentarer"), [
        {"network": networks.get(comment.submission.assignment.network_id, ""),
         "assignment": comment.submission.assignment.title,
         "organisation": comment.submission.membership.organisation.name,
         "body": comment.body, "created_at": _plain(comment.created_at)}
        for comment in db.session.scalars(
            select(Comment).where(Comment.author_id == person.id)
            .options(joinedload(Comment.submission).joinedload(Submission.assignment),
                     joinedload(Comment.submission).joinedload(Submission.membership).joinedload(Membership.organisation))
            .order_by(Comment.created_at))
    ])

    feedback = Section("feedback", _("Tilbakemeldinger med navn, og svarene fra KS"))
    for item in db.session.scalars(
        select(Feedback).where(Feedback.anonymous.is_(False), or_(
            Feedback.sender_id == person.id, func.lower(Feedback.sender_email) == person.email))
        .options(selectinload(Feedback.replies).joinedload(FeedbackReply.author))
        .order_by(Feedback.received_on)
    ):
        feedback.rows.append({
            "network": networks.get(item.network_id, ""), "topic": item.topic.value,
            "topic_label": str(item.topic.label), "received_on": _plain(item.received_on),
            "status": item.status.value, "status_label": str(item.status.label), "works": item.works, "does_not_work": item.does_not_work,
            "suggestion": item.suggestion, "sender_name": item.sender_name, "sender_email": item.sender_email,
            "attachments": ", ".join(attachment.filename for attachment in item.attachments),
            "replies": [{"sent_at": _plain(reply.sent_at), "from": reply.author.name if reply.author else "KS",
                         "body": reply.body} for reply in item.replies],
        })

    invitations = Section("evaluation_invitations", _("Invitasjoner til evaluering"), [
        {"network": networks.get(invitation.gathering.network_id, ""), "gathering": invitation.gathering.number,
         "gathering_title": invitation.gathering.title, "invited_at": _plain(invitation.invited_at),
         "answered": invitation.answered}
        for invitation in db.session.scalars(
            select(EvaluationInvitation).where(EvaluationInvitation.person_id == person.id)
            .options(joinedload(EvaluationInvitation.gathering)).order_by(EvaluationInvitation.invited_at))
    ])

    preference = db.session.get(NotificationPreference, person.id)
    mode = preference.comment_mode if preference else NotificationMode.IMMEDIATE
    pending_notices = db.session.scalar(
        select(func.count()).select_from(PendingCommentNotice).where(PendingCommentNotice.person_id == person.id))
    notifications = Section("notifications", _("Varslinger"), [{
        "comment_mode": mode.value, "comment_mode_label": str(mode.label),
        "comments_waiting_for_digest": pending_notices,
    }])

    mail = Section("mail", _("E-post til deg som ligger i utboksen"), [
        {"subject": message.subject, "status": message.status.value,
         "status_label": message.status.label, "created_at": _plain(message.created_at),
         "sent_at": _plain(message.sent_at), "text": message.body_text}
        for message in db.session.scalars(
            select(OutboxMessage).where(OutboxMessage.recipient == person.email).order_by(OutboxMessage.created_at))
    ])

    sign_ins = Section("sign_ins", _("Innlogginger"), [
        {"created_at": _plain(session.created_at), "expires_at": _plain(session.expires_at)}
        for session in db.session.scalars(select(LoginSession).where(LoginSession.person_id == person.id)
                                          .order_by(LoginSession.created_at))
    ] + [
        {"password_reset_requested_at": _plain(created)}
        for created in db.session.scalars(select(PasswordResetRequest.created_at)
                                          .where(func.lower(PasswordResetRequest.email) == person.email))
    ])

    exports = Section("exports", _("Personopplysninger du har lastet ned"), [
        {"at": _plain(entry.at), "kind": entry.kind.value, "kind_label": str(entry.kind.label), "network": networks.get(entry.network_id, ""),
         "path": entry.path}
        for entry in db.session.scalars(select(ExportLog).where(ExportLog.person_id == person.id)
                                        .order_by(ExportLog.at))
    ])
    deletion = Section("deletion_requests", _("Forespørsler om sletting"), [
        {"status": request.status.value, "status_label": str(request.status.label),
         "requested_at": _plain(request.requested_at),
         "decided_at": _plain(request.decided_at), "reason": request.reason}
        for request in db.session.scalars(select(DeletionRequest).where(DeletionRequest.person_id == person.id)
                                          .order_by(DeletionRequest.requested_at))
    ])

    sections = [account, roles, network_invitations, email_changes, registrations, submissions, comments, feedback, invitations, notifications,
                mail, sign_ins, exports, deletion]
    sections.append(_other_records(person))
    return sections


# Covered by a section above, or not about the person (feedback they did not send, say).
_COVERED = {("network_role", "person_id"), ("registration", "person_id"), ("submission_event", "person_id"),
            ("submission", "updated_by_id"), ("comment", "author_id"), ("feedback", "sender_id"),
            ("evaluation_invitation", "person_id"), ("notification_preference", "person_id"),
            ("pending_comment_notice", "person_id"), ("export_log", "person_id"), ("login_session", "person_id"),
            ("deletion_request", "person_id"), ("network_invitation", "person_id"), ("email_change", "person_id")}
# Secrets that are no one's to read, not even the person's own (they are hashes or tokens).
_SECRET_WORDS = ("token", "hash", "secret", "password")


def _other_records(person: Person) -> Section:
    """Every other row that points at the person: who added a file, set a growth class, led a group,
    signed in where (sign-in sessions) … found from the schema, so a new table is never left out."""
    section = Section("other_records", _("Annet der du er nevnt"))
    for link in person_links():
        if (link.table.name, link.column) in _COVERED:
            continue
        columns = [column for column in link.table.columns
                   if not any(word in column.name.lower() for word in _SECRET_WORDS)
                   and not isinstance(column.type, db.LargeBinary)]
        # A row another section shows already (a registration the person made for themselves).
        shown_by = [name for table, name in _COVERED if table == link.table.name and name != link.column]
        for row in db.session.execute(select(*columns).where(link.table.c[link.column] == person.id)).mappings():
            if any(row.get(name) == person.id for name in shown_by):
                continue
            section.rows.append({"table": link.table.name, "column": link.column,
                                 "record": {key: _plain(value) for key, value in row.items()}})
    # Where the name or address is written in as text: the same copies a deletion removes.
    copies = (
        (Network.__table__, "ks_contact_name", Network.ks_contact_name == person.name),
        (Network.__table__, "ks_contact_email", func.lower(Network.ks_contact_email) == person.email),
        (Membership.__table__, "executive_name", Membership.executive_name == person.name),
        (ProgrammeItem.__table__, "presenter", ProgrammeItem.presenter == person.name),
    )
    for table, column, condition in copies:
        for row in db.session.execute(select(table).where(condition)).mappings():
            section.rows.append({"table": table.name, "column": column,
                                 "record": {key: _plain(value) for key, value in row.items()}})
    return section


def my_data_json(sections: list[Section]) -> bytes:
    document = {"format": "ks-nettverk/mine-data", "version": 1, "created_at": utcnow().isoformat(),
                **{section.key: section.rows for section in sections}}
    return json.dumps(document, ensure_ascii=False, indent=2, default=str).encode()


def _csv_value(value: Any) -> Any:
    if isinstance(value, (list, dict)):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, bool):
        return _("Ja") if value else _("Nei")
    return "" if value is None else csv_cell(value)


def section_csv(section: Section) -> str:
    keys: list[str] = []
    for row in section.rows:
        keys += [key for key in row if key not in keys]
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";")
    writer.writerow([field_label(key) for key in keys])
    for row in section.rows:
        writer.writerow([_csv_value(row.get(key)) for key in keys])
    return "\ufeff" + buffer.getvalue()


def my_data_zip(sections: list[Section], html: str) -> bytes:
    """The JSON, a readable HTML page and one CSV per section, in one ZIP."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("mine-data.json", my_data_json(sections))
        archive.writestr("mine-data.html", html.encode())
        for section in sections:
            archive.writestr(f"csv/{section.key.replace('_', '-')}.csv", section_csv(section).encode())
    return buffer.getvalue()


def field_label(key: str) -> str:
    labels = {
        "id": _("Id"), "name": _("Navn"), "email": _("E-post"), "job_title": _("Stilling"), "phone": _("Telefon"),
        "organisation": _("Organisasjon"), "ks_administrator": _("KS-administrator"), "active": _("Aktiv"),
        "has_password": _("Har passord"), "calendar_feed": _("Har kalenderlenke"), "created_at": _("Opprettet"),
        "last_login_at": _("Sist innlogget"), "network": _("Nettverk"), "role": _("Rolle (kode)"),
        "role_label": _("Rolle"), "since": _("Fra"), "gathering": _("Samling"), "gathering_title": _("Tittel"),
        "status": _("Status (kode)"), "status_label": _("Status"), "days": _("Dager"), "diet": _("Kosthold"),
        "allergies": _("Allergier"), "accessibility": _("Tilrettelegging"), "comment": _("Kommentar"),
        "registered_by": _("Påmeldt av"), "updated_at": _("Sist endret"), "waiting_since": _("På venteliste fra"),
        "cancelled_at": _("Avmeldt"), "late_cancellation": _("Avmeldt etter fristen"), "assignment": _("Oppgave"),
        "text": _("Tekst"), "submitted_at": _("Levert"), "your_changes": _("Dine endringer"), "body": _("Tekst"),
        "topic": _("Emne (kode)"), "received_on": _("Mottatt"), "works": _("Hva fungerer"),
        "does_not_work": _("Hva fungerer ikke"), "suggestion": _("Forslag"), "sender_name": _("Avsendernavn"),
        "sender_email": _("Avsenderadresse"), "attachments": _("Vedlegg"), "replies": _("Svar fra KS"),
        "invited_at": _("Invitert"), "answered": _("Har svart"), "comment_mode": _("Varsel om kommentarer (kode)"),
        "comment_mode_label": _("Varsel om kommentarer"), "topic_label": _("Emne"), "kind_label": _("Hva"),
        "comments_waiting_for_digest": _("Kommentarer som venter på samlet e-post"), "subject": _("Emne"),
        "sent_at": _("Sendt"), "at": _("Tidspunkt"), "kind": _("Hva (kode)"), "path": _("Adresse"),
        "requested_at": _("Bedt om"), "decided_at": _("Avgjort"), "reason": _("Begrunnelse"),
        "table": _("Tabell"), "column": _("Kolonne"), "record": _("Opplysninger"),
        "expires_at": _("Utløper"), "preferred_contact": _("Foretrukket kontakt (kode)"),
        "preferred_contact_label": _("Foretrukket kontakt"), "accepted_at": _("Tok imot invitasjonen"),
        "language": _("Språk (kode)"), "language_label": _("Språk"),
        "times_sent": _("Antall ganger sendt"), "new_email": _("Ny e-postadresse"), "reminder_sent_at": _("Påminnelse sendt"), "password_reset_requested_at": _("Bedt om nytt passord"),
    }
    return str(labels.get(key, key))


# --- deletion ----------------------------------------------------------------------------


def pending_request(person: Person) -> DeletionRequest | None:
    return db.session.scalar(select(DeletionRequest).where(
        DeletionRequest.person_id == person.id, DeletionRequest.status == DeletionStatus.PENDING))


def latest_request(person: Person) -> DeletionRequest | None:
    return db.session.scalar(select(DeletionRequest).where(DeletionRequest.person_id == person.id)
                             .order_by(DeletionRequest.requested_at.desc(), DeletionRequest.id.desc()).limit(1))


def request_deletion(person: Person) -> DeletionRequest:
    """The person asks for their account to be deleted. A second request while one waits is refused."""
    if not person.active:
        raise PrivacyError(_("Kontoen er ikke aktiv."))
    if pending_request(person) is not None:
        raise PrivacyError(_("Du har allerede bedt om å få kontoen slettet. KS behandler forespørselen."))
    request = DeletionRequest(person_id=person.id)
    db.session.add(request)
    db.session.flush()
    return request


def withdraw_request(request: DeletionRequest) -> None:
    if request.status is not DeletionStatus.PENDING:
        raise PrivacyError(_("Forespørselen er allerede behandlet."))
    request.status = DeletionStatus.WITHDRAWN
    request.decided_at = utcnow()


def deletion_requests(status: DeletionStatus | None = DeletionStatus.PENDING) -> list[DeletionRequest]:
    query = (select(DeletionRequest)
             .options(joinedload(DeletionRequest.person).joinedload(Person.organisation),
                      joinedload(DeletionRequest.decided_by))
             .order_by(DeletionRequest.requested_at.desc(), DeletionRequest.id.desc()))
    if status is not None:
        query = query.where(DeletionRequest.status == status)
    return list(db.session.scalars(query).unique())


def decline_request(request: DeletionRequest, admin: Person, reason: str) -> None:
    reason = (reason or "").strip()
    if request.status is not DeletionStatus.PENDING:
        raise PrivacyError(_("Forespørselen er allerede behandlet."))
    if not reason:
        raise PrivacyError(_("Skriv hvorfor KS ikke sletter kontoen. Begrunnelsen sendes til personen."))
    if len(reason) > REASON_MAX:
        raise PrivacyError(_("Begrunnelsen kan være høyst %(max)s tegn.", max=REASON_MAX))
    request.status = DeletionStatus.DECLINED
    request.reason = reason
    request.decided_at = utcnow()
    request.decided_by_id = admin.id
    person = request.person
    queue_mail_to(person, _l("Forespørselen om sletting av kontoen din"), "privacy/email/deletion_declined",
               reason=reason)


def confirm_request(request: DeletionRequest, admin: Person) -> None:
    """Delete the account: mail the person first (the address is gone afterwards), then erase."""
    if request.status is not DeletionStatus.PENDING:
        raise PrivacyError(_("Forespørselen er allerede behandlet."))
    # Only one administrator's confirmation gets through when two click at once.
    claimed = db.session.execute(
        update(DeletionRequest).where(DeletionRequest.id == request.id, DeletionRequest.status == DeletionStatus.PENDING)
        .values(status=DeletionStatus.COMPLETED, decided_at=utcnow(), decided_by_id=admin.id)
    ).rowcount
    if claimed != 1:
        raise PrivacyError(_("Forespørselen er allerede behandlet."))
    db.session.refresh(request)
    person = request.person
    notice = queue_mail_to(person, _l("Kontoen din er slettet"), "privacy/email/deletion_done")
    db.session.flush()
    request.notice_message_id = notice.id
    erase_person(person, keep_message_ids={notice.id})


def _replace(text: str | None, needles: list[str]) -> str | None:
    if not text:
        return text
    for needle in needles:
        if needle:
            text = _replace_folded(text, needle)
    return text


def _replace_folded(text: str, needle: str) -> str:
    """Every occurrence of ``needle``, in any case, replaced by the deleted person's label."""
    lowered, target = text.lower(), needle.lower()
    out, start = [], 0
    while (found := lowered.find(target, start)) >= 0:
        out.append(text[start:found])
        out.append(DELETED_NAME)
        start = found + len(needle)
    out.append(text[start:])
    return "".join(out)


def erase_person(person: Person, keep_message_ids: set[int] = frozenset()) -> None:
    """Remove the person's name and contact details from every table, keep what invoices and counts need.

    - Their own rows go: roles, notification settings, comment digests, sign-ins (every table whose
      rows are deleted with a person), and any "Glemt passord" request for their address.
    - Registrations stay (organisation and days), without diet, allergies, accessibility or comment.
    - Evaluation invitations stay, so response rates stay right; the answers were never linked.
    - Whatever they wrote (comments, submissions, files) stays; every link to them as author,
      sender or editor is cleared, so it shows as written by a former user.
    - Copies of their name or address elsewhere go: a named feedback's sender, a reply's address,
      a network's KS contact, a municipality's recorded executive, a programme item's presenter.
    - Mail: what was sent to them or mentions them leaves the outbox; mail still to be sent to
      others has their name replaced. ``keep_message_ids`` (the notice that the deletion is done) stays
      until it is sent, and the purge job removes it then.
    - The account itself stays as an anonymous "deleted person" that can't sign in: its name,
      address, phone, job title, password, calendar link and administrator right are gone.
    """
    name, email = person.name, normalise_email(person.email)
    person_id = person.id
    own = _own_row_tables()
    for link in own:
        db.session.execute(delete(link.table).where(link.table.c[link.column] == person_id))
    skip = KEPT_LINKS | {(link.table.name, link.column) for link in own}
    for link in person_links():
        if (link.table.name, link.column) in skip:
            continue
        if link.table.c[link.column].nullable:
            db.session.execute(update(link.table).where(link.table.c[link.column] == person_id)
                               .values({link.column: None}))

    db.session.execute(update(Registration).where(Registration.person_id == person_id)
                       .values(diet="", allergies="", accessibility="", comment=""))
    db.session.execute(update(Feedback).where(Feedback.anonymous.is_(False), or_(
        Feedback.sender_id == person_id, func.lower(Feedback.sender_email) == email))
        .values(sender_id=None, sender_name="", sender_email=""))
    db.session.execute(update(FeedbackReply).where(func.lower(FeedbackReply.recipient) == email).values(recipient=""))
    db.session.execute(update(Network).where(func.lower(Network.ks_contact_email) == email)
                       .values(ks_contact_email="", ks_contact_name=""))
    db.session.execute(update(Network).where(Network.ks_contact_name == name).values(ks_contact_name=""))
    db.session.execute(update(Network).where(func.lower(Network.feedback_email) == email).values(feedback_email=""))
    db.session.execute(update(Membership).where(Membership.executive_name == name).values(executive_name=DELETED_NAME))
    db.session.execute(update(ProgrammeItem).where(ProgrammeItem.presenter == name).values(presenter=""))

    db.session.execute(delete(PasswordResetRequest).where(func.lower(PasswordResetRequest.email) == email))
    _scrub_outbox(name, email, keep_message_ids)

    person.name = DELETED_NAME
    person.email = f"slettet-{secrets.token_hex(8)}@{DELETED_EMAIL_DOMAIN}"
    person.job_title = None
    person.phone = None
    person.language = None
    person.password_hash = None
    person.calendar_token = None
    person.is_admin = False
    person.active = False
    person.last_login_at = None
    db.session.expire(person, ["roles"])


def _scrub_outbox(name: str, email: str, keep: set[int]) -> None:
    # The HTML bodies hold the name as HTML: "O'Brien" is "O&#39;Brien" there.
    needles = list(dict.fromkeys([name, html.escape(name), email]))

    def mentions(column):
        return or_(*(func.lower(column).contains(needle.lower(), autoescape=True) for needle in needles))

    columns = (OutboxMessage.subject, OutboxMessage.body_text, OutboxMessage.body_html, OutboxMessage.last_error)
    about = or_(func.lower(OutboxMessage.recipient) == email, *(mentions(column) for column in columns))
    messages = db.session.scalars(select(OutboxMessage).where(about, OutboxMessage.id.not_in(keep or {0})))
    for message in messages:
        if message.status is not OutboxStatus.PENDING or message.recipient.lower() == email:
            db.session.delete(message)  # delivered (or given up), or to the deleted person: not needed
        else:
            for column in ("subject", "body_text", "body_html", "last_error"):
                setattr(message, column, _replace(getattr(message, column), needles))
    db.session.flush()
    _scrub_attachments(needles, email, keep)


def _unfold(data: bytes) -> str:
    """A text attachment as one string, calendar lines folded at 75 octets (RFC 5545) joined again."""
    return re.sub(r"\r?\n[ \t]", "", data.decode("utf-8", errors="replace"))


def _scrub_attachments(needles: list[str], email: str, keep: set[int]) -> None:
    """Text attachments, which the search above can't read: a calendar invitation mailed to someone
    else names the network's KS contact as its ORGANIZER. Sent mail goes; in mail still to be sent
    the organiser becomes the address the mail comes from, as for a network without a KS contact."""
    lowered = [needle.lower() for needle in needles if needle]
    attachments = db.session.scalars(
        select(OutboxAttachment).join(OutboxAttachment.message)
        .where(OutboxAttachment.content_type.like("text/%"), OutboxMessage.id.not_in(keep or {0}))
        .options(contains_eager(OutboxAttachment.message)))
    for attachment in attachments:
        message = attachment.message
        text = _unfold(attachment.data)
        if message in db.session.deleted or not any(needle in text.lower() for needle in lowered):
            continue
        if message.status is not OutboxStatus.PENDING or message.recipient.lower() == email:
            db.session.delete(message)
        elif attachment.content_type.startswith("text/calendar"):
            attachment.data = _calendar_without(text, needles, email)
        else:
            attachment.data = _replace(text, needles).encode()


def _calendar_without(text: str, needles: list[str], email: str) -> bytes:
    calendar = Calendar.from_ical(text)
    for component in calendar.walk():
        for name in ("ORGANIZER", "ATTENDEE"):
            values = component.get(name)
            if values is None:
                continue
            listed = values if isinstance(values, list) else [values]
            if any(str(value).lower() == f"mailto:{email}" for value in listed):
                del component[name]
                if name == "ORGANIZER":
                    component.add(name, ics.default_organizer())
                else:
                    for value in listed:
                        if str(value).lower() != f"mailto:{email}":
                            component.add(name, value)
    data = calendar.to_ical()
    text = _unfold(data)
    if not any(needle.lower() in text.lower() for needle in needles if needle):
        return data
    # Anything else that names the person (a description, say) keeps its text but not the name.
    return b"\r\n".join(Contentline(line).to_ical() for line in _replace(text, needles).split("\r\n"))


# --- retention jobs ------------------------------------------------------------------------


@dataclass
class PurgeResult:
    diets: int = 0
    messages: int = 0
    invitations: int = 0
    export_log: int = 0

    def __str__(self) -> str:
        return (f"Erased diet details on {self.diets} registration(s), removed {self.messages} mail(s), "
                f"{self.invitations} expired invitation(s) and {self.export_log} old export log entry(ies).")


def purge_diets(today: date | None = None) -> int:
    """Erase diet, allergies and accessibility on registrations for gatherings whose last day is more
    than the retention period ago. One UPDATE: safe to repeat, and two runs at once do the same."""
    today = today or clock.oslo_today()
    cutoff = today - timedelta(days=retention().diet_days)
    ended = select(GatheringDay.gathering_id).group_by(GatheringDay.gathering_id).having(
        func.max(GatheringDay.day) < cutoff)
    return db.session.execute(
        update(Registration).where(
            Registration.gathering_id.in_(ended),
            or_(Registration.diet != "", Registration.allergies != "", Registration.accessibility != ""))
        .values(diet="", allergies="", accessibility="")
        .execution_options(synchronize_session=False)
    ).rowcount


def purge_outbox(now: datetime | None = None) -> int:
    """Remove sent and failed mail (and its attachments) older than the retention period, and any
    sent notice of a deletion at once: it is the last thing holding the deleted person's address."""
    now = now or utcnow()
    cutoff = now - timedelta(days=retention().outbox_days)
    done = (OutboxStatus.SENT, OutboxStatus.FAILED)
    notices = select(DeletionRequest.notice_message_id).where(DeletionRequest.notice_message_id.is_not(None))
    old = or_(
        func.coalesce(OutboxMessage.sent_at, OutboxMessage.created_at) < cutoff,
        OutboxMessage.id.in_(notices),
    )
    ids = list(db.session.scalars(select(OutboxMessage.id).where(OutboxMessage.status.in_(done), old)))
    if not ids:
        return 0
    # The attachments go with their message (ON DELETE CASCADE).
    return db.session.execute(delete(OutboxMessage).where(OutboxMessage.id.in_(ids), OutboxMessage.status.in_(done))
                              .execution_options(synchronize_session=False)).rowcount


def _has_other_data():
    """True for a person someone or something else refers to: anything beyond the invitation's roles."""
    checks = []
    for link in person_links():
        if link.table.name in OWN_ROWS:
            continue
        checks.append(exists().where(link.table.c[link.column] == Person.id))
    return or_(*checks)


def purge_invitations(now: datetime | None = None) -> int:
    """Delete people who were invited but never set a password, once the invitation has expired
    plus a margin, if nothing but the invitation's roles refers to them. The mail to them goes too."""
    now = now or utcnow()
    settings = retention()
    cutoff = now - timedelta(days=settings.invitation_total_days)
    latest_role = (select(func.max(NetworkRole.created_at)).where(NetworkRole.person_id == Person.id)
                   .scalar_subquery())
    candidates = (
        select(Person).where(
            Person.password_hash.is_(None), Person.last_login_at.is_(None), Person.is_admin.is_(False),
            Person.created_at < cutoff,
            # A later invitation (a new role, or the invitation sent again) starts the clock again.
            or_(latest_role.is_(None), latest_role < cutoff),
            ~exists().where(NetworkInvitation.person_id == Person.id, NetworkInvitation.sent_at >= cutoff),
            ~_has_other_data(),
        )
        # Locked, so that nobody registers the person while they are being deleted; a run that
        # overlaps skips what another run holds.
        .with_for_update(skip_locked=True)
    )
    removed = 0
    for person in db.session.scalars(candidates).all():
        db.session.execute(delete(OutboxMessage).where(func.lower(OutboxMessage.recipient) == person.email))
        db.session.delete(person)
        removed += 1
    db.session.flush()
    return removed


def purge_export_log(now: datetime | None = None) -> int:
    now = now or utcnow()
    cutoff = now - timedelta(days=retention().export_log_days)
    return db.session.execute(delete(ExportLog).where(ExportLog.at < cutoff)
                              .execution_options(synchronize_session=False)).rowcount


def purge(today: date | None = None, now: datetime | None = None) -> PurgeResult:
    """Every retention job, each committed on its own so a failure in one keeps the others' work."""
    result = PurgeResult()
    for name, job in (("diets", lambda: purge_diets(today)), ("messages", lambda: purge_outbox(now)),
                      ("invitations", lambda: purge_invitations(now)), ("export_log", lambda: purge_export_log(now))):
        try:
            setattr(result, name, job())
            db.session.commit()
        except Exception:
            db.session.rollback()
            raise
    return result


# --- the export log ------------------------------------------------------------------------


def record_export(kind: ExportKind, person_id: int | None, network_id: int | None, path: str) -> ExportLog:
    """Write one row of the export log and commit it, in a transaction that carries nothing else.

    An export only reads; should the view have changed anything, that is rolled back first, so the
    log's commit never carries it. If the commit fails the caller must not hand out the export."""
    session = db.session()
    if session.new or session.dirty or session.deleted:
        session.rollback()
    entry = ExportLog(kind=kind, person_id=person_id, network_id=network_id, path=path[:300])
    session.add(entry)
    # What the view loaded stays loaded: the response may still read it, and need not fetch it again.
    expire, session.expire_on_commit = session.expire_on_commit, False
    try:
        session.commit()
    finally:
        session.expire_on_commit = expire
    return entry


EXPORT_LOG_SORTS = ("at", "person", "kind", "network")
EXPORT_LOG_LIMIT = 500


@dataclass(frozen=True)
class ExportLogFilter:
    kind: ExportKind | None = None
    network_id: int | None = None
    person: str = ""
    since: date | None = None
    until: date | None = None
    sort: str = "at"
    descending: bool = True


def export_log(filters: ExportLogFilter) -> tuple[list[ExportLog], int]:
    """The log, newest first unless asked otherwise, and how many rows match in all."""
    query = select(ExportLog).outerjoin(ExportLog.person).outerjoin(ExportLog.network)
    if filters.kind is not None:
        query = query.where(ExportLog.kind == filters.kind)
    if filters.network_id is not None:
        query = query.where(ExportLog.network_id == filters.network_id)
    if filters.person:
        needle = filters.person.lower()
        query = query.where(or_(func.lower(Person.name).contains(needle, autoescape=True),
                                func.lower(Person.email).contains(needle, autoescape=True)))
    # Days are Oslo's days, as the page shows the times.
    if filters.since is not None:
        query = query.where(ExportLog.at >= datetime.combine(filters.since, datetime.min.time(), OSLO))
    if filters.until is not None:
        query = query.where(ExportLog.at < datetime.combine(filters.until + timedelta(days=1), datetime.min.time(), OSLO))
    total = db.session.scalar(select(func.count()).select_from(query.subquery()))
    column = {"person": func.lower(Person.name), "kind": ExportLog.kind, "network": func.lower(Network.name)}.get(
        filters.sort)
    if column is None:  # by time
        order = [ExportLog.at.desc(), ExportLog.id.desc()] if filters.descending else [ExportLog.at, ExportLog.id]
    else:  # then newest first within each
        order = [column.desc() if filters.descending else column.asc(), ExportLog.at.desc(), ExportLog.id.desc()]
    # The rows' person and network come from the joins above, not from a second pair of joins.
    rows = db.session.scalars(query.options(contains_eager(ExportLog.person), contains_eager(ExportLog.network))
                              .order_by(*order).limit(EXPORT_LOG_LIMIT)).all()
    return list(rows), total


def networks_in_export_log() -> list[Network]:
    return list(db.session.scalars(select(Network).where(
        Network.id.in_(select(ExportLog.network_id).where(ExportLog.network_id.is_not(None))))
        .order_by(Network.name)))
