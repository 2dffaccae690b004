"""Revocable sign-ins: one ``LoginSession`` row per sign-in, its token in the session cookie.

Flask's session is a signed cookie, so without a row on the server a copied cookie would stay
valid until it expires, whatever the person does. Here the cookie only names a sign-in; signing
out deletes that row, and a new password deletes every row of the person.
"""
from __future__ import annotations

import hashlib
import secrets
from functools import cache

from flask import current_app
from sqlalchemy import bindparam, delete, select
from sqlalchemy.orm import joinedload

from network.auth.models import LoginSession, Person
from network.extensions import db
from network.models_base import utcnow

MAX_TOKEN_LENGTH = 100


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create(person: Person) -> str:
    """Add a sign-in for an active person, in the caller's transaction; returns its token."""
    if not person.active:
        raise ValueError("an inactive person cannot sign in")
    now = utcnow()
    db.session.execute(delete(LoginSession).where(LoginSession.expires_at <= now))
    token = secrets.token_urlsafe(32)
    db.session.add(LoginSession(token_hash=_hash(token), person_id=person.id, created_at=now,
                                expires_at=now + current_app.config["LOGIN_SESSION_LIFETIME"]))
    return token


def start(person: Person) -> None:
    """A new sign-in for this browser: Flask-Login's ``login_user(person)`` then stores its token."""
    person.login_token = create(person)


@cache
def _signed_in_person():
    """The user loader's statement, built once: every signed-in request runs it, and a statement
    object reused keeps its cache key, so SQLAlchemy neither rebuilds nor re-keys it per request."""
    return (
        select(Person).options(joinedload(Person.organisation))  # most pages name it; one query, not two
        .join(LoginSession, LoginSession.person_id == Person.id)
        .where(LoginSession.token_hash == bindparam("token_hash"), LoginSession.expires_at > bindparam("now"),
               Person.active.is_(True))
    )


def person_for(token: str | None) -> Person | None:
    """The active person whose unexpired sign-in the token names, or None (Flask-Login's user loader)."""
    if not token or len(token) > MAX_TOKEN_LENGTH:
        return None
    person = db.session.scalar(_signed_in_person(), {"token_hash": _hash(token), "now": utcnow()})
    if person is not None:
        person.login_token = token
    return person


def end(person: Person) -> None:
    """Sign out the sign-in the person was loaded for."""
    if person.login_token:
        db.session.execute(delete(LoginSession).where(LoginSession.token_hash == _hash(person.login_token)))
    person.login_token = None


def end_all(person: Person) -> None:
    """Sign the person out everywhere (a new password, a deactivated account)."""
    db.session.execute(delete(LoginSession).where(LoginSession.person_id == person.id))
    person.login_token = None


def end_others(person: Person) -> None:
    """Sign the person out everywhere but here (a new password or e-mail address chosen while
    signed in): every sign-in except the one the person was loaded for."""
    query = delete(LoginSession).where(LoginSession.person_id == person.id)
    if person.login_token:
        query = query.where(LoginSession.token_hash != _hash(person.login_token))
    db.session.execute(query)
