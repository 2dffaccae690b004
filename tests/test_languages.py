"""Bokmål, nynorsk and English (issue 14): who gets which language, the switcher, mail in the
recipient's language, and dates and money as each language writes them.

Expected texts come from the catalogues themselves (``translated``), so these tests follow the
wording a translator chooses and fail only when the wrong language is used.
"""
from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from email import message_from_bytes, policy
from functools import cache

import pytest
from babel.support import Translations
from flask_babel import force_locale
from flask_wtf import FlaskForm
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from wtforms import IntegerField

from network.auth.models import Person
from network.extensions import db
from network.main import formatting
from network.main.catalogues import DIRECTORY
from network.main.language import babel_locale
from network.networks.services import norwegian_key
from network.outbox.models import OutboxMessage
from tests.smtp_server import app_config, smtp  # noqa: F401  (fixtures: a real SMTP server)
from tests.test_assignments import setting_for


@cache
def _catalogue(language: str) -> Translations:
    return Translations.load(str(DIRECTORY), [language])


def translated(language: str, message: str, **values) -> str:
    text = _catalogue(language).gettext(message)
    return text % values if values else text


def lang_of(response) -> str:
    return re.search(r'<html lang="([^"]+)"', response.get_data(as_text=True)).group(1)


def text_of(response) -> str:
    return response.get_data(as_text=True)


# --- which language a page is in ------------------------------------------------------------


@pytest.mark.parametrize(("header", "language"), [
    ("nn-NO,nn;q=0.9,nb;q=0.8", "nn"),
    ("nn", "nn"),
    ("no", "nb"),
    ("nb-NO,nb;q=0.9", "nb"),
    ("en-GB,en;q=0.9", "en"),
    ("en-US", "en"),
    ("sv-SE,en;q=0.5", "en"),
    ("de-DE", "nb"),
    ("", "nb"),
])
def test_the_browser_chooses_the_language_of_a_first_visit(client, header, language):
    response = client.get("/login", headers={"Accept-Language": header} if header else {})
    assert response.status_code == 200
    assert lang_of(response) == language
    assert translated(language, "Logg inn") in text_of(response)


def test_a_visitor_switches_language_and_stays_on_the_page(client):
    response = client.post("/language", data={"language": "nn", "next": "/privacy"})
    assert response.status_code == 302 and response.headers["Location"] == "/privacy"
    page = client.get("/privacy", headers={"Accept-Language": "en"})  # the choice beats the browser
    assert lang_of(page) == "nn"
    assert translated("nn", "Personvern") in text_of(page)


def test_a_signed_in_person_keeps_the_language_on_their_account(app, factory, login):
    person = factory.person()
    client = login(person)
    assert client.post("/language", data={"language": "en", "next": "/me"}).headers["Location"] == "/me"
    with app.app_context():
        assert db.session.get(Person, person.id).language == "en"
    # Another browser, signed in afresh and asking for bokmål: English, as chosen.
    other = login(person)
    page = other.get("/me", headers={"Accept-Language": "nb"})
    assert lang_of(page) == "en"
    assert translated("en", "Min side") in text_of(page)


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/x", "javascript:alert(1)", ""])
def test_the_switcher_returns_only_to_a_page_of_this_site(client, target):
    response = client.post("/language", data={"language": "en", "next": target})
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


def test_an_unknown_language_changes_nothing(client):
    client.post("/language", data={"language": "de", "next": "/login"})
    assert lang_of(client.get("/login")) == "nb"


@pytest.mark.parametrize("app_config", [{"WTF_CSRF_ENABLED": True}])
def test_the_switcher_is_a_form_with_its_csrf_token_on_every_page(client, app_config):
    page = text_of(client.get("/login"))
    form = page.split('class="language-choice"', 1)[1].split("</form>", 1)[0]
    token = re.search(r'name="csrf_token" value="([^"]+)"', form).group(1)
    # Each language is named in itself, marked with its own lang, and the current one is marked.
    assert re.search(r'value="nn" lang="nn"[^>]*>Norsk nynorsk<', form)
    assert re.search(r'value="en" lang="en"[^>]*>English<', form)
    assert re.search(r'value="nb" lang="nb" aria-current="true">Norsk bokmål<', form)
    assert client.post("/language", data={"language": "en", "next": "/login"}).status_code == 400
    assert client.post("/language", data={"language": "en", "next": "/login", "csrf_token": token}).status_code == 302
    assert lang_of(client.get("/login")) == "en"


# --- mail in the recipient's language -------------------------------------------------------


def _outbox(app, recipient: str) -> list[OutboxMessage]:
    with app.app_context():
        rows = db.session.scalars(select(OutboxMessage).where(OutboxMessage.recipient == recipient)
                                  .options(selectinload(OutboxMessage.attachments)).order_by(OutboxMessage.id)).all()
        for row in rows:
            db.session.expunge(row)
        return rows


def test_a_confirmation_is_in_the_language_of_the_registered_person_not_of_who_registered_them(app, factory, login):
    from tests.gathering_helpers import open_gathering, register
    from tests.factories import world

    network, _, _, people = world(factory)
    gathering = open_gathering(factory, network, title="Boligsamling")
    with app.app_context():
        db.session.get(Person, people["participant"].id).language = "en"
        db.session.get(Person, people["coordinator"].id).language = "nb"
        db.session.commit()
    register(app, gathering.id, people["participant"].id, by_id=people["coordinator"].id)
    register(app, gathering.id, people["contact"].id, by_id=people["coordinator"].id)
    english = _outbox(app, people["participant"].email)[-1]
    bokmal = _outbox(app, people["contact"].email)[-1]
    title = gathering.title
    assert english.subject == translated("en", "Påmeldt: %(title)s", title=title)
    assert bokmal.subject == f"Påmeldt: {title}"
    assert translated("en", "Hei, %(name)s!", name=people["participant"].name) in english.body_text
    assert "Hei, Dag Deltaker!" not in english.body_text
    # The invitation's own text (the .ics, unfolded) is English too.
    ics = english.attachments[0].data.decode().replace("\r\n ", "")
    assert translated("en", "Samling %(n)s i %(network)s", n=gathering.number, network=network.name) in ics
    assert f"Samling {gathering.number} i {network.name}" not in ics


def test_the_link_to_a_new_address_is_in_the_language_of_who_asked_for_it(app, factory, login):
    # The new address belongs to no account yet, so the person's choice, not the address, decides.
    from tests.factories import PASSWORD

    person = factory.person(language="en")
    login(person).post("/me/profile/email", data={"email": "ny.adresse@example.no", "current_password": PASSWORD})
    [confirm] = _outbox(app, "ny.adresse@example.no")
    assert confirm.subject == translated("en", "Bekreft den nye e-postadressen din")
    assert confirm.subject != "Bekreft den nye e-postadressen din"


def test_a_reminder_from_cron_reaches_an_english_speaking_person_in_english(app, factory, runner, smtp):
    setting = setting_for(app, factory)
    with app.app_context():
        db.session.get(Person, setting.people["participant"].id).language = "en"
        db.session.commit()
    result = runner.invoke(args=["assignments", "send-reminders", "--today", "2031-02-28",
                                 "--base-url", "https://nettverk.test"])
    assert result.exit_code == 0, result.output
    by_recipient = {mail["To"]: message_from_bytes(mail.as_bytes(), policy=policy.default) for mail in smtp.messages}
    english = by_recipient[setting.people["participant"].email]
    bokmal = by_recipient[setting.people["contact"].email]
    with app.app_context():
        from network.assignments.models import Assignment
        title = db.session.get(Assignment, setting.assignment_id).title
    assert english["Subject"] == translated("en", "Påminnelse: frist for «%(title)s»", title=title)
    assert bokmal["Subject"] == f"Påminnelse: frist for «{title}»"
    body = english.get_body(("plain",)).get_content()
    assert translated("en", "Hilsen KS") in body and "Hilsen KS" not in body


# --- dates, numbers and money ------------------------------------------------------------------


@pytest.mark.parametrize(("language", "long", "money", "whole", "span"), [
    ("nb", "10. februar 2027", "1\u00a0234,50\u00a0kr", "1\u00a0800\u00a0kr", "1.–2. september 2027"),
    ("nn", "10. februar 2027", "1\u00a0234,50\u00a0kr", "1\u00a0800\u00a0kr", "1.–2. september 2027"),
    ("en", "10 February 2027", "NOK\u00a01,234.50", "NOK\u00a01,800", "1–2 September 2027"),
])
def test_dates_and_money_are_written_as_each_language_writes_them(app, language, long, money, whole, span):
    with app.test_request_context(), force_locale(babel_locale(language)):
        assert formatting.long_date(date(2027, 2, 10)) == long
        assert formatting.kroner(Decimal("1234.50")) == money
        assert formatting.kroner(1800) == whole
        assert formatting.date_range(date(2027, 9, 1), date(2027, 9, 2)) == span


def test_names_sort_the_norwegian_way_in_every_language(app):
    names = ["Østre Toten", "Aurskog-Høland", "Ålesund", "Ærøy", "Zeta"]
    for language in ("nb", "nn", "en"):
        with app.test_request_context(), force_locale(babel_locale(language)):
            assert sorted(names, key=norwegian_key) == ["Aurskog-Høland", "Zeta", "Ærøy", "Østre Toten", "Ålesund"]


# --- exports ------------------------------------------------------------------------------------


def test_an_english_coordinator_gets_export_headings_in_english(app, factory, login):
    """Column headings and sheet names follow the language of whoever downloads; the data is as stored."""
    import csv
    import io

    from openpyxl import load_workbook

    from tests.factories import world

    network, _, _, people = world(factory)
    client = login(people["coordinator"])
    client.post("/language", data={"language": "en", "next": "/me"})
    rows = list(csv.reader(io.StringIO(client.get(f"/networks/{network.id}/costs/invoice-basis.csv")
                                       .get_data(as_text=True).lstrip("\ufeff")), delimiter=";"))
    assert rows[0][:2] == [translated("en", "Kommune/organisasjon"), translated("en", "Organisasjonsnummer")]
    assert "Kommune/organisasjon" not in rows[0]
    workbook = load_workbook(io.BytesIO(client.get(f"/networks/{network.id}/costs/invoice-basis.xlsx").data))
    assert translated("en", "Fakturagrunnlag")[:31] in workbook.sheetnames


def test_my_data_names_the_chosen_language_not_its_code(app, factory, login):
    person = factory.person(language="nn")
    page = text_of(login(person).get("/me/data"))
    assert "Norsk nynorsk" in page and not re.search(r"<dd[^>]*>\s*nn\s*</dd>", page)


@pytest.mark.parametrize("header, message", [
    ("nb", "Ikke en gyldig heltallsverdi"),
    ("nn", "Ikke en gyldig heltallsverdi"),  # WTForms has no nynorsk: bokmål, not English
    ("en", "Not a valid integer value."),
])
def test_wtforms_own_messages_follow_the_language(app, header, message):
    class CountForm(FlaskForm):
        count = IntegerField("Antall")

    with app.test_request_context("/", method="POST", data={"count": "mange"}, headers={"Accept-Language": header}):
        app.preprocess_request()
        form = CountForm(meta={"csrf": False})
        assert not form.validate()
        assert form.count.errors == [message]
