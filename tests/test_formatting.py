"""Dates the Norwegian way and amounts in kroner, for the locale of each request."""
from datetime import date, datetime, timezone
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from flask import render_template_string
from flask_babel import force_locale
from sqlalchemy import select

from network.extensions import db
from network.feedback.models import Feedback
from network.main import clock
from network.main.formatting import date_range, date_time, kroner, long_date, number, short_date, signed_percent
from network.models_base import utcnow
from tests.factories import world
from tests.gathering_helpers import register


@pytest.mark.parametrize("amount, expected", [
    (900, "900\u00a0kr"),
    (1800, "1\u00a0800\u00a0kr"),
    (Decimal("1234.50"), "1\u00a0234,50\u00a0kr"),
    (0, "0\u00a0kr"),
])
def test_kroner(app, amount, expected):
    with app.test_request_context():
        assert kroner(amount) == expected


def test_dates(app):
    with app.test_request_context():
        assert long_date(date(2019, 9, 12)) == "12. september 2019"
        assert short_date(date(2019, 4, 10)) == "10.04.2019"
        assert long_date(None) == ""


def test_numbers_and_percent(app):
    with app.test_request_context():
        assert number(31369) == "31\u00a0369"
        assert signed_percent(10.67) == "+10,7\u00a0%"
        assert signed_percent(-3.0) == "-3,0\u00a0%"


def test_literal_in_template_follows_each_requests_locale(app):
    template = "{{ 1800|kroner }} {{ day|long_date }}"
    with app.test_request_context():
        with force_locale("nb"):
            nb = render_template_string(template, day=date(2019, 4, 10))
        with force_locale("en_GB"):
            en = render_template_string(template, day=date(2019, 4, 10))
    assert nb == "1\u00a0800\u00a0kr 10. april 2019"
    assert en == "NOK\u00a01,800 10 April 2019"


@pytest.mark.parametrize("header, expected", [
    ("nb-NO,no;q=0.9,en;q=0.8", "nb"),
    ("no", "nb"),
    ("nn-NO,nn;q=0.9", "nn"),
    ("en-GB,en;q=0.9", "en"),
    ("de-DE", "nb"),
])
def test_locale_from_accept_language(client, header, expected):
    html = client.get("/login", headers={"Accept-Language": header}).get_data(as_text=True)
    assert f'<html lang="{expected}">' in html


@pytest.mark.parametrize("app_config", [{"LANGUAGES": ("nb",)}])
def test_an_installation_may_offer_bokmal_alone(client, app_config):
    html = client.get("/login", headers={"Accept-Language": "en-GB,en;q=0.9"}).get_data(as_text=True)
    assert '<html lang="nb">' in html
    assert 'class="language-choice"' not in html  # no switcher with one language


def test_datetime_is_shown_in_oslo_time(app):
    from network.main.formatting import date_time

    with app.test_request_context():
        assert date_time(datetime(2019, 4, 10, 8, 0, tzinfo=timezone.utc)) == "10. april 2019 kl. 10:00"


# --- date ranges and Oslo dates -------------------------------------------------------------

OSLO = ZoneInfo("Europe/Oslo")


@pytest.mark.parametrize("start, end, expected", [
    (date(2027, 9, 1), date(2027, 9, 2), "1.–2. september 2027"),
    (date(2027, 9, 1), date(2027, 9, 30), "1.–30. september 2027"),
    (date(2027, 9, 30), date(2027, 10, 1), "30. september–1. oktober 2027"),
    (date(2027, 1, 31), date(2027, 2, 1), "31. januar–1. februar 2027"),
    (date(2027, 12, 30), date(2028, 1, 2), "30. desember 2027–2. januar 2028"),
    (date(2027, 12, 31), date(2028, 1, 1), "31. desember 2027–1. januar 2028"),
    (date(2027, 9, 1), date(2027, 9, 1), "1. september 2027"),
    (date(2027, 9, 1), None, "1. september 2027"),
    (None, None, ""),
    # A gathering saved with its days out of order still reads forwards.
    (date(2027, 9, 2), date(2027, 9, 1), "1.–2. september 2027"),
])
def test_date_range_is_compact(app, start, end, expected):
    with app.test_request_context():
        assert date_range(start, end) == expected


@pytest.mark.parametrize("locale, expected", [
    ("nn", "30. september–1. oktober 2027"),
    ("en", "September 30\u2009–\u2009October 1, 2027"),
])
def test_date_range_follows_the_locale(app, locale, expected):
    """Built from the locale's own interval patterns, so other catalogues get their own order."""
    with app.test_request_context(), force_locale(locale):
        assert date_range(date(2027, 9, 30), date(2027, 10, 1)) == expected


def test_date_range_in_a_template_follows_each_requests_locale(app):
    template = "{{ start|date_range(end) }}"
    with app.test_request_context():
        with force_locale("nb"):
            nb = render_template_string(template, start=date(2027, 9, 1), end=date(2027, 9, 2))
        with force_locale("en"):
            en = render_template_string(template, start=date(2027, 9, 1), end=date(2027, 9, 2))
    assert nb == "1.–2. september 2027"
    assert en == "September 1\u2009–\u20092, 2027"


def test_a_moment_late_on_new_years_eve_in_utc_is_new_years_day_in_oslo(app):
    moment = datetime(2027, 12, 31, 23, 30, tzinfo=timezone.utc)
    with app.test_request_context():
        assert long_date(moment) == "1. januar 2028"
        assert short_date(moment) == "01.01.2028"
        assert date_time(moment) == "1. januar 2028 kl. 00:30"
        assert date_range(moment) == "1. januar 2028"
        assert date_range(datetime(2027, 12, 30, 12, 0, tzinfo=timezone.utc), moment) == \
            "30. desember 2027–1. januar 2028"
        # Summer time: 22:30 UTC is already the next day in Oslo.
        assert long_date(datetime(2027, 6, 30, 22, 30, tzinfo=timezone.utc)) == "1. juli 2027"
    # SQLite hands back naive values: they are UTC.
    assert clock.oslo_date(datetime(2027, 12, 31, 23, 30)) == date(2028, 1, 1)


def test_every_configuration_shows_times_in_oslo():
    from config import DevelopmentConfig, ProductionConfig, TestingConfig

    for config in (DevelopmentConfig, ProductionConfig, TestingConfig):
        assert config.BABEL_DEFAULT_TIMEZONE == "Europe/Oslo"


def test_the_clock_can_be_stopped_for_one_app(app):
    stopped = datetime(2027, 3, 9, 23, 30, tzinfo=OSLO)
    with app.app_context():
        app.config["CLOCK_NOW"] = stopped
        assert clock.utc_now() == stopped and clock.utc_now().tzinfo == timezone.utc
        assert clock.oslo_today() == date(2027, 3, 9)
        assert utcnow() == stopped
        app.config["CLOCK_NOW"] = None
        assert abs(clock.utc_now() - datetime.now(timezone.utc)).total_seconds() < 5


@pytest.mark.parametrize("sent_at, dated", [
    # Late in the evening in Oslo, winter (UTC+1) and summer (UTC+2): still that day.
    (datetime(2027, 3, 9, 23, 30, tzinfo=OSLO), date(2027, 3, 9)),
    (datetime(2027, 6, 30, 23, 30, tzinfo=OSLO), date(2027, 6, 30)),
    # Just after midnight in Oslo, when UTC still says the day before.
    (datetime(2027, 3, 10, 0, 30, tzinfo=OSLO), date(2027, 3, 10)),
    (datetime(2028, 1, 1, 0, 30, tzinfo=OSLO), date(2028, 1, 1)),
])
def test_feedback_is_dated_by_the_day_in_oslo(app, factory, login, sent_at, dated):
    network, _hamar, _lillehammer, people = world(factory)
    app.config["CLOCK_NOW"] = sent_at  # before signing in: the sign-in starts at the same moment
    http = login(people["participant"])
    response = http.post(f"/networks/{network.id}/feedback/new", data={
        "topic": "other", "works": "Sendt sent på kvelden.", "does_not_work": "", "suggestion": "",
    })
    assert response.status_code in (200, 302, 303)
    with app.app_context():
        feedback = db.session.scalar(select(Feedback).where(Feedback.network_id == network.id))
        assert feedback.received_on == dated
        feedback_id = feedback.id
    with app.test_request_context():
        shown = long_date(dated)
    coordinator = login(people["coordinator"])
    page = coordinator.get(f"/networks/{network.id}/feedback/{feedback_id}").get_data(as_text=True)
    assert shown in page


def test_gathering_pages_show_compact_ranges(app, factory, login):
    network, _hamar, _lillehammer, people = world(factory)
    two_days = factory.gathering(network, 1, date(2027, 9, 1), title="Høstsamling", days=2)
    factory.gathering(network, 2, date(2027, 9, 30), title="Over månedsskiftet", days=2)
    factory.gathering(network, 3, date(2027, 12, 31), title="Over nyttår", days=2)
    factory.gathering(network, 4, date(2028, 2, 3), title="Én dag")
    http = login(people["participant"])
    for path in (f"/networks/{network.id}/gatherings/", f"/networks/{network.id}"):
        page = http.get(path).get_data(as_text=True)
        for expected in ("1.–2. september 2027", "30. september–1. oktober 2027", "31. desember 2027–1. januar 2028",
                         "3. februar 2028"):
            assert expected in page, (path, expected)
        assert "1. september 2027–2. september 2027" not in page
    page = http.get(f"/networks/{network.id}/gatherings/{two_days.id}").get_data(as_text=True)
    assert "1.–2. september 2027" in page
    assert "1. september 2027 kl. 10:00–16:00; 2. september 2027 kl. 10:00–16:00" in page
    # "Min påmelding" names the person's own days the same way.
    register(app, two_days.id, people["participant"].id)
    page = http.get(f"/networks/{network.id}/gatherings/{two_days.id}").get_data(as_text=True)
    assert "Dager: 1.–2. september 2027." in page
