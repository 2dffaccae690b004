import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from network.auth import tokens
from network.auth.models import Person
from network.extensions import db
from network.outbox.models import OutboxMessage
from tests.factories import PASSWORD

SAME_MESSAGE = "Feil e-postadresse eller passord."


def _sign_in(client, email, password, next_url=None):
    data = {"email": email, "password": password}
    if next_url is not None:
        data["next"] = next_url
    return client.post("/login", data=data)


def test_sign_in_lands_on_my_page(factory, client):
    factory.person(email="kari@example.test", name="Kari")
    response = _sign_in(client, "kari@example.test", PASSWORD)
    assert response.status_code == 302
    assert response.location == "/me"
    assert "Kari" in client.get("/me").get_data(as_text=True)


def test_email_is_case_insensitive(factory, client):
    factory.person(email="Kari.Nordmann@Example.test")
    response = _sign_in(client, "KARI.NORDMANN@example.TEST", PASSWORD)
    assert response.location == "/me"


@pytest.mark.parametrize("email, password", [
    ("kari@example.test", "feil-passord"),
    ("ukjent@example.test", PASSWORD),
])
def test_same_message_for_unknown_email_and_wrong_password(factory, client, email, password):
    factory.person(email="kari@example.test")
    response = _sign_in(client, email, password)
    body = response.get_data(as_text=True)
    assert response.status_code == 422
    assert SAME_MESSAGE in body
    assert "ds-error-summary" in body
    assert f'value="{email}"' in body  # what was typed is kept
    assert client.get("/me").status_code == 302  # still signed out


def test_invited_person_without_password_cannot_sign_in(factory, client):
    factory.person(email="ny@example.test", password=None)
    assert SAME_MESSAGE in _sign_in(client, "ny@example.test", "noe-som-helst").get_data(as_text=True)


def test_deactivated_person_cannot_sign_in(factory, client):
    factory.person(email="sluttet@example.test", active=False)
    assert SAME_MESSAGE in _sign_in(client, "sluttet@example.test", PASSWORD).get_data(as_text=True)


@pytest.mark.parametrize("field, value, message", [
    ("email", "", "Skriv e-postadressen din."),
    ("email", "ikke-en-adresse", "Skriv en gyldig e-postadresse"),
    ("password", "", "Skriv passordet ditt."),
])
def test_bad_input_shows_norwegian_message_by_the_field(client, field, value, message):
    data = {"email": "kari@example.test", "password": "x"}
    data[field] = value
    response = client.post("/login", data=data)
    body = response.get_data(as_text=True)
    assert response.status_code == 422
    assert message in body
    assert f'id="{field}-error"' in body
    assert 'aria-invalid="true"' in body


@pytest.mark.parametrize("next_url, expected", [
    ("/networks/", "/networks/"),
    ("/networks/1?x=1", "/networks/1?x=1"),
    ("https://evil.example/", "/me"),
    ("//evil.example/", "/me"),
    ("/\\evil.example", "/me"),
    ("javascript:alert(1)", "/me"),
    ("", "/me"),
])
def test_next_redirect_is_checked(factory, client, next_url, expected):
    factory.person(email="kari@example.test")
    assert _sign_in(client, "kari@example.test", PASSWORD, next_url).location == expected


def test_login_page_carries_next_from_the_query(client):
    body = client.get("/login?next=/networks/").get_data(as_text=True)
    assert 'value="/networks/"' in body


def test_password_is_hashed_with_argon2(factory, app):
    person = factory.person(email="hash@example.test")
    with app.app_context():
        stored = db.session.get(Person, person.id).password_hash
    assert stored.startswith("$argon2id$")
    assert PASSWORD not in stored


def test_logout_is_a_post(factory, login):
    client = login(factory.person())
    assert client.get("/logout").status_code == 405
    response = client.post("/logout")
    assert response.location == "/"
    assert client.get("/me").status_code == 302


# --- rate limiting -------------------------------------------------------------------------


@pytest.mark.parametrize("app_config", [{"RATELIMIT_ENABLED": True, "LOGIN_RATE_LIMIT": "3 per minute"}])
def test_sign_in_is_rate_limited(factory, client, app_config):
    from network.extensions import limiter

    limiter.reset()
    factory.person(email="kari@example.test")
    statuses = [_sign_in(client, "kari@example.test", "feil").status_code for _ in range(4)]
    assert statuses == [422, 422, 422, 429]
    blocked = _sign_in(client, "kari@example.test", PASSWORD)
    assert blocked.status_code == 429
    assert "For mange forsøk" in blocked.get_data(as_text=True)
    limiter.reset()


# --- invitations and password resets ------------------------------------------------------


def _token_link(app, recipient, path):
    with app.app_context():
        message = db.session.scalars(
            select(OutboxMessage).where(OutboxMessage.recipient == recipient).order_by(OutboxMessage.id.desc())
        ).first()
    match = re.search(rf"http://localhost(/{path}/[^\s\"<]+)", message.body_text)
    assert match, message.body_text
    return match.group(1)


def _invite(app, factory, email="ny@example.test"):
    from network.auth.services import queue_invitation

    person = factory.person(email=email, password=None, name="Nina Ny")
    with app.test_request_context():
        queue_invitation(db.session.get(Person, person.id), "Bolignettverket", None)
        db.session.commit()
    return person


def test_invitation_link_sets_password_once(app, factory, client):
    _invite(app, factory)
    link = _token_link(app, "ny@example.test", "invitation")
    page = client.get(link)
    assert page.status_code == 200
    assert "Velkommen, Nina Ny" in page.get_data(as_text=True)
    response = client.post(link, data={"password": "et-godt-passord", "confirm": "et-godt-passord"})
    assert response.location == "/me"
    client.post("/logout")
    assert _sign_in(client, "ny@example.test", "et-godt-passord").location == "/me"
    client.post("/logout")
    reused = client.get(link)
    assert reused.status_code == 410
    assert "Lenken virker ikke lenger" in reused.get_data(as_text=True)


def test_invitation_mail_says_the_link_lasts_seven_days(app, factory):
    _invite(app, factory)
    with app.app_context():
        body = db.session.scalar(select(OutboxMessage.body_text).where(OutboxMessage.recipient == "ny@example.test"))
    assert "7 dager" in body


def test_set_password_form_validates_and_keeps_the_page(app, factory, client):
    _invite(app, factory)
    link = _token_link(app, "ny@example.test", "invitation")
    response = client.post(link, data={"password": "kort", "confirm": "annet"})
    body = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "minst 12 tegn" in body  # issue 17: ASVS 2.1.1
    assert "Passordene er ikke like." in body


@pytest.mark.parametrize("app_config", [{"INVITATION_MAX_AGE": timedelta(seconds=-1)}])
def test_expired_invitation_is_refused(app, factory, client, app_config):
    _invite(app, factory)
    link = _token_link(app, "ny@example.test", "invitation")
    assert client.get(link).status_code == 410


def test_forged_token_is_refused(client):
    assert client.get("/invitation/not-a-real-token").status_code == 410
    assert client.get("/reset-password/not-a-real-token").status_code == 410


def test_invitation_token_is_not_a_reset_token(app, factory):
    person = _invite(app, factory)
    with app.test_request_context():
        token = tokens.make_token(db.session.get(Person, person.id), tokens.INVITATION)
        assert tokens.person_from_token(token, tokens.PASSWORD_RESET) is None
        assert tokens.person_from_token(token, tokens.INVITATION).id == person.id


def test_password_reset_flow(app, factory, client):
    factory.person(email="glemsk@example.test")
    response = client.post("/forgot-password", data={"email": "GLEMSK@example.test"})
    assert response.location == "/login"
    response.close()  # the mail is made once the response has been sent
    link = _token_link(app, "glemsk@example.test", "reset-password")
    client.post(link, data={"password": "nytt-passord-1", "confirm": "nytt-passord-1"})
    client.post("/logout")
    assert _sign_in(client, "glemsk@example.test", PASSWORD).status_code == 422
    assert _sign_in(client, "glemsk@example.test", "nytt-passord-1").location == "/me"
    client.post("/logout")
    assert client.get(link).status_code == 410  # used once


def test_password_reset_for_unknown_address_looks_the_same_and_sends_nothing(app, client):
    response = client.post("/forgot-password", data={"email": "ingen@example.test"}, follow_redirects=True)
    assert "Hvis adressen hører til en konto" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalars(select(OutboxMessage)).all() == []
