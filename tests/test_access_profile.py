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

from network.api.models import ApiToken
from network.api.tokens import last_day_allowed
from network.auth.models import Person
from network.extensions import db
from network.models_base import utcnow
from network.outbox.models import OutboxMessage
from network.profile.models import EmailChange
from tests.conftest import built_once
from tests.factories import PASSWORD
from tests.api_helpers import make_token
from tests.test_access_matrix import CONFIRMED, ROLES, SIGNED_IN, Route, build, check_access, fuzz, public

NEW_PASSWORD = "blåbærsyltetøy på vaffel med brunost"
CONFIRM_TOKEN = "hege-sin-lenke-til-ny-adresse-" + "x" * 20


def _renamed(ids):
    return db.session.scalar(select(Person.id).where(Person.name == "Navn Endret")) is not None


def _password_mail(ids):
    return db.session.scalar(select(OutboxMessage.id).where(OutboxMessage.subject == "Passordet ditt er endret")) is not None


def _change_waiting(ids):
    return db.session.scalar(select(EmailChange.id).where(EmailChange.new_email == "ny.adresse@example.test")) is not None


def _token_made(ids):
    return db.session.scalar(select(ApiToken.id).where(ApiToken.name == "Power BI")) is not None


def _token_revoked(ids):
    return db.session.get(ApiToken, ids["participant_token"]).revoked_at is not None


ROUTES = [
    Route("profile", "profile.edit", "GET", "/me/profile", SIGNED_IN),
    # API tokens: everyone makes their own; only the owner (Dag Deltaker) may revoke one (404 for others).
    Route("tokens", "profile.tokens", "GET", "/me/profile/tokens", SIGNED_IN),
    Route("tokens", "profile.tokens", "POST", "/me/profile/tokens", SIGNED_IN,
          data={"name": "Power BI", "expires_on": "{token_last_day}", "network_id": ""}, effect=_token_made),
    Route("revoke_token", "profile.revoke_token", "POST", "/me/profile/tokens/{participant_token}/revoke",
          frozenset({"participant"}), data=CONFIRMED, effect=_token_revoked,
          statuses={role: 404 for role in SIGNED_IN - {"participant"}}),
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
        last_day = last_day_allowed().isoformat()
    token_id, _secret = make_token(app, people["participant"])
    return {**ids, "email_change_token": CONFIRM_TOKEN, "participant_token": token_id,
            "token_last_day": last_day}, people


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
