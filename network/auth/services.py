"""Sign-in, passwords and the mail that lets people set one."""
from __future__ import annotations

from urllib.parse import urlsplit

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from network.auth import sessions, tokens
from network.auth.models import PasswordResetRequest, Person, normalise_email
from network.auth.passwords import hash_password, needs_rehash, verify_password
from network.extensions import db
from network.main.site import site_url_for
from network.models_base import utcnow
from network.outbox.models import OutboxMessage
from network.outbox.services import queue_mail_to


def find_person_by_email(email: str) -> Person | None:
    return db.session.scalar(select(Person).where(Person.email == normalise_email(email)))


def authenticate(email: str, password: str) -> Person | None:
    """The person if e-mail and password match an active account; otherwise None.

    The caller shows one message for every failure, so nobody learns which accounts exist.
    """
    person = find_person_by_email(email)
    ok = verify_password(person.password_hash if person else None, password)
    if not ok or person is None or not person.active:
        return None
    if needs_rehash(person.password_hash):
        person.password_hash = hash_password(password)
    person.last_login_at = utcnow()
    person.accepted_at = person.accepted_at or person.last_login_at
    return person


def set_password(person: Person, password: str) -> None:
    """A new password ends every sign-in of the person's; the caller starts one for this browser."""
    person.password_hash = hash_password(password)
    person.accepted_at = person.accepted_at or utcnow()
    sessions.end_all(person)


def is_safe_next(target: str | None) -> bool:
    """Only same-site paths are followed after sign-in."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return False
    parts = urlsplit(target)
    return not parts.scheme and not parts.netloc


def queue_invitation(person: Person, network_name: str, invited_by: Person | None) -> None:
    db.session.flush()  # the token needs the person's id
    link = site_url_for("auth.accept_invitation", token=tokens.make_token(person, tokens.INVITATION))
    queue_mail_to(
        person,
        _l("Invitasjon til %(network)s", network=network_name),
        "auth/email/invitation",
        person=person,
        network_name=network_name,
        invited_by=invited_by,
        link=link,
        days=tokens.max_age(tokens.INVITATION).days,
    )


def queue_password_reset(email: str) -> OutboxMessage | None:
    """Queue a reset link if the address belongs to an account; do nothing otherwise."""
    person = find_person_by_email(email)
    if person is None or not person.active:
        return None
    link = site_url_for("auth.reset_password", token=tokens.make_token(person, tokens.PASSWORD_RESET))
    hours = int(tokens.max_age(tokens.PASSWORD_RESET).total_seconds() // 3600)
    return queue_mail_to(person, _l("Nytt passord"), "auth/email/reset_password", person=person, link=link,
                      hours=hours)


def request_password_reset(email: str) -> int:
    """Record a "Glemt passord" request and nothing else; returns its id.

    The same statement runs whether or not the address has an account, so the request takes the
    same time either way. ``handle_password_reset_requests`` does the rest, after the response."""
    row = PasswordResetRequest(email=normalise_email(email)[:254])
    db.session.add(row)
    db.session.flush()
    return row.id


def handle_password_reset_requests(ids: list[int] | None = None, limit: int = 100) -> list[int]:
    """Mail a reset link for each waiting request whose address has an active account, and delete
    the request, committing after each. Returns the ids of the queued mail, to be sent.

    Each request is claimed once: on PostgreSQL a request being handled elsewhere is skipped."""
    mail_ids = []
    for _ in range(limit):
        query = select(PasswordResetRequest).order_by(PasswordResetRequest.id).limit(1)
        if ids is not None:
            query = query.where(PasswordResetRequest.id.in_(ids))
        row = db.session.scalars(query.with_for_update(skip_locked=True)).first()
        if row is None:
            break
        message = queue_password_reset(row.email)
        db.session.delete(row)
        db.session.flush()
        if message is not None:
            mail_ids.append(message.id)
        db.session.commit()
    return mail_ids
