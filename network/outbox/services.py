"""Queue mail inside the caller's transaction; deliver it after the commit, with retries.

A message is only ever sent once its row is committed, so a rolled-back request
sends nothing, and an SMTP outage leaves the message waiting for the next run of
``flask mail send-pending`` (cron), the job queue's sweep (network/jobs) or the next request.
"""
from __future__ import annotations

import smtplib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from flask import current_app, g, has_request_context, render_template
from flask_babel import force_locale
from flask_mail import Connection, Message
from sqlalchemy import event, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from network.auth.models import Person
from network.extensions import db
from network.main.hygiene import one_line
from network.main.language import babel_locale, for_person
from network.main.language import known as known_language
from network.main.site import site_url
from network.models_base import utcnow
from network.outbox.models import OutboxAttachment, OutboxMessage, OutboxStatus

_SESSION_KEY = "outbox_new_ids"
# RFC 3834: mail the system writes by itself (confirmations, reminders, digests, notices) says
# so, and auto-responders leave it alone. Mail a person wrote (a reply to feedback) does not;
# that is stored on the message (``written_by_person``), so a retry from cron knows it too.
AUTO_SUBMITTED = "auto-generated"
# iMIP (RFC 6047): an invitation or cancellation goes in the message body as well, as a
# text/calendar alternative with its METHOD, which is what makes Outlook show it as an invitation.
IMIP_METHODS = ("REQUEST", "CANCEL")


@dataclass(frozen=True)
class Attachment:
    filename: str
    content_type: str
    data: bytes


def queue_mail(
    recipient: str, subject, template: str, attachments: Iterable[Attachment] = (),
    written_by_person: bool = False, language: str | None = None, **context
) -> OutboxMessage:
    """Render ``<template>.txt`` and ``<template>.html`` and queue them for ``recipient``.

    The mail is in the recipient's language (``language``, or the one the person with that
    address chose), not the sender's: give the subject as a lazy string (``_l``), so it is
    translated here, and build attachments inside ``in_language`` when they hold text.
    ``written_by_person=True`` for mail a person wrote: it goes without ``Auto-Submitted``, on
    every attempt. By default the mail is the system's own and says so."""
    with in_language(language or language_of(recipient)):
        message = OutboxMessage(
            recipient=recipient,
            # A subject is one header line: a network name or title with a line break must not end it.
            subject=one_line(str(subject))[:300],
            body_text=render_template(f"{template}.txt", **context),
            body_html=render_template(f"{template}.html", **context),
            attachments=[OutboxAttachment(filename=a.filename, content_type=a.content_type, data=a.data)
                         for a in attachments],
            written_by_person=written_by_person,
        )
    db.session.add(message)
    return message


def queue_mail_to(to, subject, template: str, /, **kwargs) -> OutboxMessage:
    """``queue_mail`` to a person (``to``), in the language they chose (no query for it). The
    arguments before ``/`` are positional, so templates may still be given ``person=…``."""
    return queue_mail(to.email, subject, template, language=for_person(to), **kwargs)


def language_of(recipient: str) -> str:
    """The language the person with this address chose (bokmål without a choice or an account).
    Remembered for the request or command, so mail to many people reads each address once."""
    remembered = g.setdefault("mail_languages", {})
    address = recipient.strip().lower()
    if address not in remembered:
        chosen = db.session.scalar(select(Person.language).where(Person.email == address))
        remembered[address] = known_language(chosen) or current_app.config["BABEL_DEFAULT_LOCALE"]
    return remembered[address]


def in_language(code: str):
    """Translate and format in ``code`` (nb, nn or en) for a while (Flask-Babel's ``force_locale``)."""
    return force_locale(babel_locale(code))


def in_language_of(person):
    """Translate and format in the language ``person`` chose, for text built before
    ``queue_mail_to`` renders the mail: a calendar attachment, a subject put together here."""
    return in_language(for_person(person))


def retry_delay(attempts: int) -> timedelta:
    """Back off 1, 2, 4 … minutes, capped at six hours."""
    return timedelta(minutes=min(2 ** max(attempts - 1, 0), 360))


class _TimedConnection(Connection):
    """Flask-Mail's connection with a socket timeout, so a hanging server can't hang a request."""

    def configure_host(self):
        timeout = current_app.config["MAIL_TIMEOUT_SECONDS"]
        cls = smtplib.SMTP_SSL if self.mail.use_ssl else smtplib.SMTP
        host = cls(self.mail.server, self.mail.port, timeout=timeout)
        if self.mail.use_tls:
            host.starttls()
        if self.mail.username and self.mail.password:
            host.login(self.mail.username, self.mail.password)
        return host


class _BatchConnection:
    """One SMTP connection for a whole batch, opened at its first message. A failure drops it, and
    the next message opens a new one: one broken connection costs one message's attempt, not the batch's."""

    def __init__(self):
        self._connection: _TimedConnection | None = None

    def send(self, message: Message) -> None:
        if self._connection is None:
            connection = _TimedConnection(current_app.extensions["mail"])
            connection.host = None if connection.mail.suppress else connection.configure_host()
            self._connection = connection
        self._connection.send(message)

    def drop(self) -> None:
        connection, self._connection = self._connection, None
        if connection is not None and connection.host is not None:
            try:
                connection.host.quit()
            except (OSError, smtplib.SMTPException):  # already broken: just let the socket go
                connection.host.close()


def mail_domain() -> str:
    """The site's own host (SITE_URL), for Message-IDs: never the machine's name or ``localhost``."""
    return urlsplit(site_url()).hostname or "localhost"


def message_id(row: OutboxMessage) -> str:
    """The same on every attempt, so a retry of a message that did arrive is seen as a duplicate."""
    created = row.created_at.strftime("%Y%m%d%H%M%S%f") if row.created_at else "0"
    return f"<outbox.{row.id}.{created}@{mail_domain()}>"


def _imip_method(content_type: str) -> str | None:
    params = dict(part.strip().lower().split("=", 1) for part in content_type.split(";")[1:] if "=" in part)
    method = params.get("method", "").upper()
    return method if method in IMIP_METHODS else None


class _Message(Message):
    """Flask-Mail's message, with the METHOD on the calendar alternative (Flask-Mail sets only the charset)."""

    calendar_method: str | None = None

    def _message(self):
        message = super()._message()
        if self.calendar_method:
            for part in message.walk():
                if part.get_content_type() == "text/calendar" and part.get_filename() is None:
                    part.set_param("method", self.calendar_method, requote=False)
        return message


def _as_mail_message(row: OutboxMessage) -> Message:
    message = _Message(subject=row.subject, recipients=[row.recipient], body=row.body_text, html=row.body_html,
                       extra_headers=None if row.written_by_person else {"Auto-Submitted": AUTO_SUBMITTED})
    message.msgId = message_id(row)
    for attachment in row.attachments:
        method = _imip_method(attachment.content_type)
        if method and message.calendar_method is None:
            # The invitation itself (first one only: a mail is one iTIP message); the file stays attached
            # as application/ics for programs that only save attachments, as Google and Outlook send it.
            message.calendar_method = method
            message.alts["calendar"] = attachment.data.decode("utf-8")
            message.attach(attachment.filename, "application/ics", attachment.data)
        else:
            message.attach(attachment.filename, attachment.content_type, attachment.data)
    return message


def _due_query(now: datetime, ids: list[int] | None):
    query = (
        select(OutboxMessage)
        .where(OutboxMessage.status == OutboxStatus.PENDING, OutboxMessage.next_attempt_at <= now)
        .order_by(OutboxMessage.id)
    )
    if ids is not None:
        query = query.where(OutboxMessage.id.in_(ids))
    # Two workers never send the same message: rows being sent elsewhere are skipped.
    return query.with_for_update(skip_locked=True)


def send_pending(ids: list[int] | None = None, limit: int = 100) -> tuple[int, int]:
    """Send due messages one at a time over one SMTP connection, committing after each.
    Returns (sent, failed)."""
    sent = failed = 0
    use_console = not current_app.config.get("MAIL_SERVER")
    smtp = _BatchConnection()
    try:
        for _ in range(limit):
            row = db.session.scalars(_due_query(utcnow(), ids).limit(1)).first()
            if row is None:
                break
            sent_now, failed_now = _send_one(row, smtp, use_console)
            sent, failed = sent + sent_now, failed + failed_now
            db.session.commit()
    finally:
        smtp.drop()
    return sent, failed


def _send_one(row: OutboxMessage, smtp: _BatchConnection, use_console: bool) -> tuple[int, int]:
    """Send ``row`` and record how it went on it (the caller commits). Returns (sent, failed)."""
    try:
        if use_console:
            _print_to_console(row)
        else:
            smtp.send(_as_mail_message(row))
    except (OSError, smtplib.SMTPException) as exc:  # the server or the network: try again later
        smtp.drop()  # the connection may be broken: the next message opens a new one
        row.attempts += 1
        row.last_error = f"{type(exc).__name__}: {exc}"[:2000]
        if row.attempts >= current_app.config["OUTBOX_MAX_ATTEMPTS"]:
            row.status = OutboxStatus.FAILED
        else:
            row.next_attempt_at = utcnow() + retry_delay(row.attempts)
        return 0, 1
    except SQLAlchemyError:
        raise
    except Exception as exc:  # noqa: BLE001  the message itself (a bad header, text that can't be encoded)
        # It will never go, so give up on it at once and go on: one bad message never blocks the rest.
        current_app.logger.warning("Outbox message %s can't be sent: %r", row.id, exc)
        row.attempts += 1
        row.last_error = f"{type(exc).__name__}: {exc}"[:2000]
        row.status = OutboxStatus.FAILED
        return 0, 1
    row.attempts += 1
    row.status = OutboxStatus.SENT
    row.sent_at = utcnow()
    return 1, 0


def _print_to_console(row: OutboxMessage) -> None:
    current_app.logger.info(
        "E-post (ikke sendt, MAIL_SERVER er ikke satt)\nTil: %s\nEmne: %s\n\n%s",
        row.recipient,
        row.subject,
        row.body_text,
    )


# --- delivery after commit -------------------------------------------------------------


@event.listens_for(Session, "after_flush")
def _remember_new_messages(session: Session, _flush_context) -> None:
    new = [obj for obj in session.new if isinstance(obj, OutboxMessage)]
    if new:
        session.info.setdefault(_SESSION_KEY, []).extend(obj.id for obj in new)


@event.listens_for(Session, "after_commit")
def _schedule_delivery(session: Session) -> None:
    ids = session.info.pop(_SESSION_KEY, None)
    if ids and has_request_context():
        g.setdefault("outbox_ids", []).extend(ids)


@event.listens_for(Session, "after_soft_rollback")
def _forget_rolled_back(session: Session, _previous_transaction) -> None:
    session.info.pop(_SESSION_KEY, None)


def deliver_after_request(response):
    """Deliver what this request committed: on the job queue when there is one, else here and
    now (network/jobs/services.py). Failures stay queued for the next run."""
    from network.jobs.services import deliver_mail  # the jobs build on the outbox

    ids = g.pop("outbox_ids", None)
    if ids:
        try:
            deliver_mail(ids)
        except Exception:  # never turn a successful request into an error page
            current_app.logger.exception("Outbox delivery failed; messages stay queued")
            db.session.rollback()
    return response
