"""The access matrix for the profile (see tests/test_access_matrix.py).

Everyone signed in may see and change their own profile, password and e-mail address, nobody
else's (the routes take no one's id). The link that confirms a new address works for whoever
holds it, signed in or not: the link itself is the proof.
"""
from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
from sqlalchemy import select

from network.auth.models import Person
from network.extensions import db
from network.models_base import utcnow
from network.outbox.models import OutboxMessage
from network.profile.models import EmailChange
from tests.conftest import built_once
from tests.factories import PASSWORD
from tests.test_access_matrix import ROLES, SIGNED_IN, Route, build, check_access, fuzz, public

NEW_PASSWORD = "blåbærsyltetøy på vaffel med brunost"
CONFIRM_TOKEN = "hege-sin-lenke-til-ny-adresse-" + "x" * 20


def _renamed(ids):
    return db.session.scalar(select(Person.id).where(Person.name == "Navn Endret")) is not None


def _password_mail(ids):
    return db.session.scalar(select(OutboxMessage.id).where(OutboxMessage.subject == "Passordet ditt er endret")) is not None


def _change_waiting(ids):
    return db.session.scalar(select(EmailChange.id).where(EmailChange.new_email == "ny.adresse@example.test")) is not None


ROUTES = [
    Route("profile", "profile.edit", "GET", "/me/profile", SIGNED_IN),
    Route("profile", "profile.edit", "POST", "/me/profile", SIGNED_IN,
          data={"name": "Navn Endret", "job_title": "Rådgiver", "phone": "912 34 567", "preferred_contact": "phone"},
          effect=_renamed),
    Route("password", "profile.password", "GET", "/me/profile/password", SIGNED_IN),
    Route("password", "profile.password", "POST", "/me/profile/password", SIGNED_IN,
          data={"current_password": PASSWORD, "password": NEW_PASSWORD, "confirm": NEW_PASSWORD}, effect=_password_mail),
    Route("email", "profile.email", "GET", "/me/profile/email", SIGNED_IN),
    Route("email", "profile.email", "POST", "/me/profile/email", SIGNED_IN,
          data={"email": "ny.adresse@example.test", "current_password": PASSWORD}, effect=_change_waiting),
    Route("confirm_email", "profile.confirm_email", "GET", "/me/profile/email/confirm/{email_change_token}", None,
          login_required=False, statuses=public(200)),
    # Whoever opens the link confirms Hege's change (tests/test_profile.py follows where each goes).
    Route("confirm_email", "profile.confirm_email", "POST", "/me/profile/email/confirm/{email_change_token}", None,
          login_required=False, statuses=public(302)),
]


def build_profile(app, factory):
    """The matrix's world, with a new address waiting for Hege Hjelper, and its link."""
    ids, people = build(app, factory)
    with app.app_context():
        helper = db.session.scalar(select(Person).where(Person.name == "Hege Hjelper"))
        db.session.add(EmailChange(person_id=helper.id, new_email="hege.ny@example.test",
                                   token_hash=hashlib.sha256(CONFIRM_TOKEN.encode()).hexdigest(),
                                   expires_at=utcnow() + timedelta(days=3650)))
        db.session.commit()
    return {**ids, "email_change_token": CONFIRM_TOKEN}, people


built = built_once(build_profile)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("route", ROUTES, ids=lambda route: f"{route.method}-{route.name}")
def test_access(app, built, client, login, route, role):
    ids, people = built
    check_access(app, route, role, ids, people, client, login)


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_an_unknown_confirmation_link_is_gone(app, built, client, method):
    path = "/me/profile/email/confirm/" + "y" * 40
    response = client.get(path) if method == "GET" else client.post(path)
    assert response.status_code == 410 and "Lenken virker ikke lenger" in response.get_data(as_text=True)


@pytest.mark.parametrize("route", ROUTES, ids=lambda route: f"{route.method}-{route.name}")
def test_fuzzed_input_never_gives_a_server_error(app, built, login, db_connection, route):
    fuzz(app, ROUTES, route, *built, login, db_connection)
