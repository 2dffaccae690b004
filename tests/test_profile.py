"""The profile page through the HTTP client and the real database: details with a checked phone
number, a new password (every other sign-in ends, this one stays, a mail says so) and a new e-mail
address (a link to the new address, a notice to the old, the change only when the link is opened)."""
from __future__ import annotations

import re
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from sqlalchemy import func, select, update

from network.auth.models import ContactPreference, LoginSession, Person
from network.extensions import db
from network.models_base import utcnow
from network.networks.models import RoleKind
from network.outbox.models import OutboxMessage
from network.profile.models import EmailChange
from tests.conftest import built_once
from tests.factories import PASSWORD, world
from tests.html import error_summary, field_error, input_value, main, text

NEW_PASSWORD = "tyttebær og multer i kjelleren"
NEW_EMAIL = "pia.ny@hamar.kommune.no"


def build(app, factory):
    network, hamar, _lillehammer, people = world(factory)
    pia = factory.person(name="Pia Profil", email="pia@hamar.kommune.no", organisation=hamar, job_title="Rådgiver")
    factory.role(network, pia, RoleKind.PARTICIPANT)
    taken = factory.person(name="Tora Tatt", email="tora@hamar.kommune.no", organisation=hamar)
    return {"network": network.id, "hamar": hamar.id, "pia": pia.id, "taken_email": taken.email}, {
        **people, "pia": pia}


built = built_once(build)


def pia_row() -> Person:
    return db.session.scalar(select(Person).where(Person.name.in_(["Pia Profil", "Pia P. Profil"])))


def mail_to(address: str) -> list[OutboxMessage]:
    return list(db.session.scalars(select(OutboxMessage).where(OutboxMessage.recipient == address)
                                   .order_by(OutboxMessage.id)))


def opens_my_page(client) -> bool:
    return client.get("/me").status_code == 200


# --- the page and its links ------------------------------------------------------------------


def test_the_profile_is_linked_from_my_page_and_the_header(built, login):
    _ids, people = built
    client = login(people["pia"])
    page = client.get("/me")
    assert 'href="/me/profile"' in main(page)
    header = text(page).split("<main")[0]
    assert 'href="/me/profile"' in header and "Pia Profil" in header
    profile = client.get("/me/profile")
    assert profile.status_code == 200
    assert input_value(profile, "name") == "Pia Profil" and input_value(profile, "job_title") == "Rådgiver"
    assert "pia@hamar.kommune.no" in main(profile)


def test_the_profile_needs_sign_in(built, client):
    response = client.get("/me/profile")
    assert response.status_code == 302 and urlsplit(response.location).path == "/login"


# --- details and the phone number --------------------------------------------------------------


@pytest.mark.parametrize("typed, stored, shown", [
    ("912 34 567", "+4791234567", "91 23 45 67"),
    ("+47 912 34 567", "+4791234567", "91 23 45 67"),
    ("0047 62 55 10 00", "+4762551000", "62 55 10 00"),
    ("+46 70 123 45 67", "+46701234567", "+46 70 123 45 67"),
])
def test_details_are_saved_with_the_phone_in_e164(app, built, login, typed, stored, shown):
    _ids, people = built
    client = login(people["pia"])
    response = client.post("/me/profile", data={"name": " Pia P. Profil ", "job_title": "Seniorrådgiver",
                                                "phone": typed, "preferred_contact": "phone"})
    assert response.status_code == 302 and response.location == "/me/profile"
    with app.app_context():
        pia = pia_row()
        assert (pia.name, pia.job_title, pia.phone, pia.preferred_contact) == (
            "Pia P. Profil", "Seniorrådgiver", stored, ContactPreference.PHONE)
    page = client.get(response.location)
    assert "Profilen er lagret." in text(page)
    assert input_value(page, "phone") == shown


@pytest.mark.parametrize("typed", ["12345678", "9123456", "telefon", "+47 123", "+999 1234", "9" * 31])
def test_a_bad_phone_number_is_refused_with_the_typed_values_kept(app, built, login, typed):
    _ids, people = built
    client = login(people["pia"])
    response = client.post("/me/profile", data={"name": "Pia Nytt Navn", "job_title": "Leder", "phone": typed,
                                                "preferred_contact": "email"})
    assert response.status_code == 422
    message = field_error(response, "phone")
    assert message and message.startswith("Skriv et gyldig telefonnummer: 8 sifre for et norsk nummer")
    assert message in error_summary(response)
    assert input_value(response, "name") == "Pia Nytt Navn" and input_value(response, "phone") == typed
    with app.app_context():
        pia = pia_row()
        assert (pia.name, pia.phone) == ("Pia Profil", None)


def test_phone_as_preferred_contact_needs_a_number(app, built, login):
    _ids, people = built
    response = login(people["pia"]).post("/me/profile", data={"name": "Pia Profil", "phone": "",
                                                             "preferred_contact": "phone"})
    assert response.status_code == 422
    assert "Skriv telefonnummeret ditt hvis du vil bli kontaktet på telefon." in error_summary(response)


@pytest.mark.parametrize("data, field", [({"name": "", "preferred_contact": "email"}, "name"),
                                         ({"name": "Pia", "preferred_contact": "brevdue"}, "preferred_contact")])
def test_missing_name_or_an_unknown_contact_choice_is_refused(built, login, data, field):
    _ids, people = built
    response = login(people["pia"]).post("/me/profile", data=data)
    assert response.status_code == 422 and field_error(response, field)


def test_the_phone_and_preference_are_shown_to_the_team(app, built, login):
    ids, people = built
    login(people["pia"]).post("/me/profile", data={"name": "Pia Profil", "phone": "91234567",
                                                   "preferred_contact": "phone"})
    page = main(login(people["contact"]).get(f"/networks/{ids['network']}/municipalities/{ids['hamar']}"))
    assert 'href="tel:+4791234567"' in page and "91 23 45 67" in page and "Foretrekker telefon" in page


# --- a new password --------------------------------------------------------------------------


def test_a_new_password_signs_out_every_other_browser_but_this_one(app, built, login, client):
    _ids, people = built
    laptop, phone = login(people["pia"]), login(people["pia"])
    assert opens_my_page(laptop) and opens_my_page(phone)
    response = laptop.post("/me/profile/password", data={
        "current_password": PASSWORD, "password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert response.status_code == 302 and response.location == "/me/profile"
    assert "Du er logget ut alle andre steder" in text(laptop.get(response.location))
    assert opens_my_page(laptop)
    assert not opens_my_page(phone)
    with app.app_context():
        pia = pia_row()
        assert db.session.scalar(select(func.count()).select_from(LoginSession)
                                 .where(LoginSession.person_id == pia.id)) == 1
        [mail] = mail_to(pia.email)
        assert mail.subject == "Passordet ditt er endret"
        assert "/forgot-password" in mail.body_text and NEW_PASSWORD not in mail.body_text
    # The new password signs in; the old one no longer does.
    assert client.post("/login", data={"email": "pia@hamar.kommune.no", "password": PASSWORD}).status_code == 422
    assert client.post("/login", data={"email": "pia@hamar.kommune.no", "password": NEW_PASSWORD}).location == "/me"


@pytest.mark.parametrize("data, field, message", [
    ({"current_password": "feil-passord-123", "password": NEW_PASSWORD, "confirm": NEW_PASSWORD},
     "current_password", "Passordet er feil."),
    ({"current_password": PASSWORD, "password": "password1234", "confirm": "password1234"},
     "password", "mest brukte"),
    ({"current_password": PASSWORD, "password": "kort", "confirm": "kort"}, "password", "minst 12 tegn"),
    ({"current_password": PASSWORD, "password": NEW_PASSWORD, "confirm": NEW_PASSWORD + "x"},
     "confirm", "Passordene er ikke like."),
    ({"current_password": PASSWORD, "password": PASSWORD, "confirm": PASSWORD},
     "password", "et annet enn det du har nå"),
    ({"current_password": PASSWORD, "password": "Pia Profil sitt passord", "confirm": "Pia Profil sitt passord"},
     "password", "navnet ditt"),
])
def test_a_bad_password_change_is_refused_and_no_password_is_echoed(app, built, login, data, field, message):
    _ids, people = built
    client = login(people["pia"])
    response = client.post("/me/profile/password", data=data)
    assert response.status_code == 422
    assert message in (field_error(response, field) or "")
    body = response.get_data(as_text=True)
    for typed in {data["current_password"], data["password"], data["confirm"]}:
        assert f'value="{typed}"' not in body
    assert opens_my_page(client)
    with app.app_context():
        assert mail_to(pia_row().email) == []


# --- a new e-mail address --------------------------------------------------------------------


def _ask_for_new_address(client, email=NEW_EMAIL, password=PASSWORD):
    return client.post("/me/profile/email", data={"email": email, "current_password": password})


def _link(app, address=NEW_EMAIL) -> str:
    with app.app_context():
        mail = mail_to(address)[-1]
    return urlsplit(re.search(r"https?://\S*/me/profile/email/confirm/\S+", mail.body_text).group(0)).path


def test_a_new_address_is_used_only_once_its_link_is_opened(app, built, login, client):
    _ids, people = built
    browser, other = login(people["pia"]), login(people["pia"])
    response = _ask_for_new_address(browser)
    assert response.status_code == 302 and response.location == "/me/profile"
    page = text(browser.get(response.location))
    assert f"Vi har sendt en lenke til {NEW_EMAIL}." in page and f"Du har bedt om å bytte til {NEW_EMAIL}." in page
    with app.app_context():
        assert pia_row().email == "pia@hamar.kommune.no"  # not yet
        [confirm] = mail_to(NEW_EMAIL)
        [notice] = mail_to("pia@hamar.kommune.no")
        assert confirm.subject == "Bekreft den nye e-postadressen din" and "24 timer" in confirm.body_text
        assert notice.subject == "Du har bedt om å bytte e-postadresse" and NEW_EMAIL in notice.body_text
        assert "/me/profile/email/confirm/" not in notice.body_text  # the link goes to the new address only

    # The link, opened in a browser that is not signed in (a phone's mail app).
    link = _link(app)
    shown = client.get(link)
    assert shown.status_code == 200 and "no-store" in shown.headers["Cache-Control"]
    assert f"Ta i bruk {NEW_EMAIL}" in text(shown)
    response = client.post(link)
    assert response.status_code == 302 and urlsplit(response.location).path == "/login"
    with app.app_context():
        assert pia_row().email == NEW_EMAIL
        assert db.session.scalar(select(func.count()).select_from(EmailChange)) == 0
    # Every sign-in of hers ended (none of them opened the link); the new address signs in.
    assert not opens_my_page(browser) and not opens_my_page(other)
    assert client.post("/login", data={"email": NEW_EMAIL, "password": PASSWORD}).location == "/me"
    # The link works once.
    assert app.test_client().get(link).status_code == 410
    assert app.test_client().post(link).status_code == 410


def test_the_link_opened_where_she_is_signed_in_keeps_that_sign_in(app, built, login):
    _ids, people = built
    browser, other = login(people["pia"]), login(people["pia"])
    _ask_for_new_address(browser)
    response = browser.post(_link(app))
    assert response.status_code == 302 and response.location == "/me/profile"
    assert f"E-postadressen er byttet til {NEW_EMAIL}." in text(browser.get("/me/profile"))
    assert opens_my_page(browser) and not opens_my_page(other)


def test_an_expired_link_is_refused(app, built, login):
    _ids, people = built
    browser = login(people["pia"])
    _ask_for_new_address(browser)
    link = _link(app)
    with app.app_context():
        db.session.execute(update(EmailChange).values(expires_at=utcnow() - timedelta(seconds=1)))
        db.session.commit()
    assert browser.get(link).status_code == 410
    response = browser.post(link)
    assert response.status_code == 410 and "Lenken virker ikke lenger" in text(response)
    with app.app_context():
        assert pia_row().email == "pia@hamar.kommune.no"


def test_a_newer_request_ends_the_earlier_link(app, built, login):
    _ids, people = built
    browser = login(people["pia"])
    _ask_for_new_address(browser)
    first = _link(app)
    _ask_for_new_address(browser, email="pia.annen@hamar.kommune.no")
    assert browser.post(first).status_code == 410
    assert browser.post(_link(app, "pia.annen@hamar.kommune.no")).status_code == 302
    with app.app_context():
        assert pia_row().email == "pia.annen@hamar.kommune.no"


def test_an_address_taken_after_the_request_is_not_given_to_her(app, built, login, factory):
    _ids, people = built
    browser = login(people["pia"])
    _ask_for_new_address(browser)
    factory.person(name="Rask Rolf", email=NEW_EMAIL)
    response = browser.post(_link(app))
    assert response.status_code == 409 and "tatt i bruk på en annen konto" in text(response)
    with app.app_context():
        assert pia_row().email == "pia@hamar.kommune.no"


@pytest.mark.parametrize("email, password, field, message", [
    ("{taken}", PASSWORD, "email", "allerede i bruk på en annen konto"),
    ("PIA@hamar.kommune.no", PASSWORD, "email", "allerede e-postadressen din"),
    ("ikke-en-adresse", PASSWORD, "email", "gyldig e-postadresse"),
    (NEW_EMAIL, "feil-passord-123", "current_password", "Passordet er feil."),
    (NEW_EMAIL, "", "current_password", "Skriv passordet ditt."),
])
def test_a_bad_address_change_is_refused_with_the_address_kept(app, built, login, email, password, field, message):
    ids, people = built
    email = email.format(taken=ids["taken_email"])
    response = _ask_for_new_address(login(people["pia"]), email=email, password=password)
    assert response.status_code == 422
    assert message in (field_error(response, field) or "")
    assert input_value(response, "email") == email
    assert "Tora" not in text(response)  # whose address it is, is not said
    body = response.get_data(as_text=True)
    assert not password or f'value="{password}"' not in body
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 0
        assert db.session.scalar(select(func.count()).select_from(EmailChange)) == 0


# --- limits, CSRF, Mine data --------------------------------------------------------------------


@pytest.mark.parametrize("app_config", [{"RATELIMIT_ENABLED": True, "PROFILE_RATE_LIMIT": "3 per hour"}])
@pytest.mark.parametrize("path, data", [
    ("/me/profile/password", {"current_password": "gjetning-nummer-n", "password": NEW_PASSWORD, "confirm": NEW_PASSWORD}),
    ("/me/profile/email", {"email": NEW_EMAIL, "current_password": "gjetning-nummer-n"}),
])
def test_guessing_the_current_password_is_limited(built, login, app_config, path, data):
    _ids, people = built
    client = login(people["pia"])
    assert [client.post(path, data=data).status_code for _ in range(3)] == [422, 422, 422]
    assert client.post(path, data=data).status_code == 429
    # Another person is counted apart.
    assert login(people["participant"]).post(path, data=data).status_code == 422


@pytest.mark.parametrize("app_config", [{"WTF_CSRF_ENABLED": True}])
@pytest.mark.parametrize("path", ["/me/profile", "/me/profile/password", "/me/profile/email"])
def test_each_form_needs_its_csrf_token(app, built, login, app_config, path):
    _ids, people = built
    response = login(people["pia"]).post(path, data={"name": "Pia Uten Token", "email": NEW_EMAIL,
                                                     "current_password": PASSWORD})
    assert response.status_code == 400 and "Skjemaet er utløpt" in text(response)
    with app.app_context():
        assert pia_row() is not None and db.session.scalar(select(func.count()).select_from(EmailChange)) == 0


def test_mine_data_has_the_new_columns_and_the_waiting_address(app, built, login):
    _ids, people = built
    client = login(people["pia"])
    client.post("/me/profile", data={"name": "Pia Profil", "phone": "91234567", "preferred_contact": "phone"})
    _ask_for_new_address(client)
    data = client.get("/me/data.json").get_json()
    [account] = data["account"]
    assert (account["phone"], account["preferred_contact"], account["preferred_contact_label"]) == (
        "+4791234567", "phone", "Telefon")
    [waiting] = data["email_changes"]
    assert waiting["new_email"] == NEW_EMAIL and waiting["expires_at"]
    assert "token_hash" not in str(data)
