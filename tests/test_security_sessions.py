"""Issue 17, finding 3: a copied session cookie stops working when the person signs out or sets a
new password. The cookie names a sign-in (``login_session``); the server can end it."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from network.auth import tokens
from network.auth.models import LoginSession, Person
from network.extensions import db
from network.models_base import utcnow
from tests.conftest import signed_in_client
from tests.factories import PASSWORD

NEW_PASSWORD = "et-nytt-og-langt-passord"


def _signed_in(client, person) -> None:
    response = client.post("/login", data={"email": person.email, "password": PASSWORD})
    assert response.location == "/me"


def _copy_cookie(app, source):
    """A second browser with the same session cookie (as a thief would have it)."""
    thief = app.test_client()
    thief.set_cookie("session", source.get_cookie("session").value)
    return thief


def _opens_my_page(client) -> bool:
    return client.get("/me").status_code == 200


def test_a_copied_cookie_works_only_while_signed_in(app, factory, client):
    person = factory.person()
    _signed_in(client, person)
    thief = _copy_cookie(app, client)
    assert _opens_my_page(thief)
    client.post("/logout")
    assert not _opens_my_page(thief)
    assert not _opens_my_page(client)


def test_signing_out_ends_only_that_sign_in(app, factory, client):
    person = factory.person()
    _signed_in(client, person)
    other_browser = app.test_client()
    _signed_in(other_browser, person)
    client.post("/logout")
    assert _opens_my_page(other_browser)


def test_a_new_password_signs_out_every_other_browser(app, factory, client):
    person = factory.person(email="glemsk@example.test")
    laptop = app.test_client()
    _signed_in(laptop, person)
    thief = _copy_cookie(app, laptop)
    with app.app_context():
        token = tokens.make_token(db.session.get(Person, person.id), tokens.PASSWORD_RESET)
    response = client.post(f"/reset-password/{token}", data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert response.location == "/me"
    assert _opens_my_page(client)  # the browser that set the password is signed in
    assert not _opens_my_page(laptop)
    assert not _opens_my_page(thief)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(LoginSession)
                                 .where(LoginSession.person_id == person.id)) == 1


def test_an_expired_sign_in_is_refused(app, factory, client):
    person = factory.person()
    _signed_in(client, person)
    with app.app_context():
        db.session.execute(update(LoginSession).values(expires_at=utcnow() - timedelta(seconds=1)))
        db.session.commit()
    assert not _opens_my_page(client)


def test_a_deactivated_person_is_signed_out(app, factory, client):
    person = factory.person()
    _signed_in(client, person)
    with app.app_context():
        db.session.get(Person, person.id).active = False
        db.session.commit()
    assert not _opens_my_page(client)


def test_the_cookie_holds_no_person_id_and_the_table_no_token(app, factory, client):
    person = factory.person()
    _signed_in(client, person)
    cookie = app.session_interface.get_signing_serializer(app).loads(client.get_cookie("session").value)
    token = cookie["_user_id"]
    assert token != str(person.id) and len(token) >= 40
    with app.app_context():
        hashes = db.session.scalars(select(LoginSession.token_hash)).all()
    assert token not in hashes and len(hashes) == 1 and re.fullmatch(r"[0-9a-f]{64}", hashes[0])


def test_an_inactive_person_gets_no_sign_in(app, factory):
    person = factory.person(active=False)
    client = signed_in_client(app, person)
    assert not _opens_my_page(client)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(LoginSession)) == 0


@pytest.mark.parametrize("value", ["{id}", "", "x" * 500])
def test_a_forged_session_value_signs_nobody_in(app, factory, value):
    """The old cookie held the person's id; a cookie signed with the secret key but naming no
    sign-in opens nothing."""
    person = factory.person()
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = value.format(id=person.id)
    assert not _opens_my_page(client)
