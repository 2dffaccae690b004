"""The rules of a person's own profile: details, a new password, a new e-mail address.

Free of ``request``, ``flash`` and templates; the caller commits. Mail goes through the outbox, so
it leaves only if the change is committed.
"""
from __future__ import annotations

import hashlib
import secrets

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, select

from network.auth import sessions
from network.auth.models import ContactPreference, Person, normalise_email
from network.auth.passwords import hash_password, verify_password
from network.auth.services import find_person_by_email
from network.extensions import db
from network.main import language
from network.main.site import site_url_for
from network.models_base import utcnow
from network.outbox.services import queue_mail, queue_mail_to
from network.profile.models import EmailChange
from network.validators import normalise_phone

MAX_TOKEN_LENGTH = 100


class ProfileError(ValueError):
    """A broken rule; the message is shown on the form."""


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


# --- details -------------------------------------------------------------------------------


def save_details(person: Person, *, name: str, job_title: str | None, phone: str | None,
                 preferred_contact: ContactPreference) -> None:
    phone = normalise_phone(phone)
    if preferred_contact is ContactPreference.PHONE and not phone:
        raise ProfileError(_("Skriv telefonnummeret ditt hvis du vil bli kontaktet på telefon."))
    person.name = name.strip()
    person.job_title = (job_title or "").strip() or None
    person.phone = phone
    person.preferred_contact = preferred_contact


# --- password ------------------------------------------------------------------------------


def check_password(person: Person, password: str) -> bool:
    return verify_password(person.password_hash, password or "")


def change_password(person: Person, new_password: str) -> None:
    """A new password for a person who gave the current one: every other sign-in ends (a stolen
    cookie stops working), this one stays, and a mail says what happened."""
    person.password_hash = hash_password(new_password)
    person.accepted_at = person.accepted_at or utcnow()
    sessions.end_others(person)
    queue_mail_to(person, _l("Passordet ditt er endret"), "profile/email/password_changed", person=person,
               changed_at=utcnow(), reset_link=site_url_for("auth.forgot_password"))


# --- e-mail address ------------------------------------------------------------------------


def pending_email_change(person: Person) -> EmailChange | None:
    change = db.session.scalar(select(EmailChange).where(EmailChange.person_id == person.id))
    return change if change is not None and change.expires_at > utcnow() else None


def request_email_change(person: Person, new_email: str) -> EmailChange:
    """Mail a link to the new address and a notice to the old one; the address changes only when
    the link is opened (``confirm_email_change``). A new request replaces an earlier one."""
    new_email = normalise_email(new_email)
    if new_email == person.email:
        raise ProfileError(_("Dette er allerede e-postadressen din."))
    if find_person_by_email(new_email) is not None:
        # Only that it is taken: never whose it is.
        raise ProfileError(_("Denne adressen er allerede i bruk på en annen konto. Velg en annen adresse."))
    db.session.execute(delete(EmailChange).where(EmailChange.person_id == person.id))
    token = secrets.token_urlsafe(32)
    now = utcnow()
    max_age = current_app.config["EMAIL_CHANGE_MAX_AGE"]
    change = EmailChange(person_id=person.id, new_email=new_email, token_hash=_hash(token), created_at=now,
                         expires_at=now + max_age)
    db.session.add(change)
    hours = int(max_age.total_seconds() // 3600)
    # To an address no account has yet: in the language the person chose, not bokmål by default.
    queue_mail(new_email, _l("Bekreft den nye e-postadressen din"), "profile/email/confirm_email", person=person,
               new_email=new_email, link=site_url_for("profile.confirm_email", token=token), hours=hours,
               language=language.for_person(person))
    queue_mail_to(person, _l("Du har bedt om å bytte e-postadresse"), "profile/email/email_change_notice",
               person=person, new_email=new_email, hours=hours, reset_link=site_url_for("auth.forgot_password"))
    return change


def email_change_for(token: str | None) -> EmailChange | None:
    """The waiting change the link is for, or None if it is unknown, used, replaced or expired."""
    if not token or len(token) > MAX_TOKEN_LENGTH:
        return None
    change = db.session.scalar(select(EmailChange).where(EmailChange.token_hash == _hash(token)))
    if change is None or change.expires_at <= utcnow():
        return None
    person = db.session.get(Person, change.person_id)
    return change if person is not None and person.active else None


def confirm_email_change(change: EmailChange, signed_in: Person | None) -> Person:
    """Move the account to the new address and end the link. Every sign-in of the person ends but
    the one that opened the link, if that was the person's own."""
    person = db.session.get(Person, change.person_id)
    if find_person_by_email(change.new_email) is not None:
        raise ProfileError(_("Adressen er tatt i bruk på en annen konto etter at du ba om å bytte. "
                             "Velg en annen adresse."))
    person.email = change.new_email
    db.session.delete(change)
    if signed_in is not None and signed_in.id == person.id:
        person.login_token = signed_in.login_token
        sessions.end_others(person)
    else:
        sessions.end_all(person)
    db.session.flush()
    return person
