"""Signed, expiring, single-use links for invitations and password resets.

A token carries a fingerprint of the person's current password hash. Setting a
password changes the hash, so every earlier link stops working: each can be used once.
"""
from __future__ import annotations

import hashlib
from datetime import timedelta

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from network.auth.models import Person
from network.extensions import db

INVITATION = "invitation"
PASSWORD_RESET = "password-reset"


def _serializer(purpose: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=f"network.{purpose}")


def _fingerprint(person: Person) -> str:
    return hashlib.sha256((person.password_hash or "no-password").encode()).hexdigest()[:16]


def make_token(person: Person, purpose: str) -> str:
    return _serializer(purpose).dumps({"id": person.id, "fp": _fingerprint(person)})


def max_age(purpose: str) -> timedelta:
    key = "INVITATION_MAX_AGE" if purpose == INVITATION else "PASSWORD_RESET_MAX_AGE"
    return current_app.config[key]


def person_from_token(token: str, purpose: str) -> Person | None:
    """The person the token is for, or None if it is forged, expired or already used."""
    try:
        data = _serializer(purpose).loads(token, max_age=int(max_age(purpose).total_seconds()))
    except (SignatureExpired, BadSignature):
        return None
    if not isinstance(data, dict):
        return None
    person = db.session.get(Person, data.get("id"))
    if person is None or not person.active or data.get("fp") != _fingerprint(person):
        return None
    return person
