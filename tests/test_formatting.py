"""Dates the Norwegian way and amounts in kroner, for the locale of each request."""
from datetime import date, datetime, timezone
from decimal import Decimal

import pytest
from flask import render_template_string
from flask_babel import force_locale

from network.main.formatting import kroner, long_date, number, short_date, signed_percent


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
        with force_locale("en"):
            en = render_template_string(template, day=date(2019, 4, 10))
    assert nb == "1\u00a0800\u00a0kr 10. april 2019"
    assert en.startswith("1,800\u00a0kr")
    assert "April" in en


@pytest.mark.parametrize("header", ["nb-NO,no;q=0.9,en;q=0.8", "no", "en-GB,en;q=0.9", "de-DE", ""])
def test_pages_are_bokmal_until_other_catalogues_exist(client, header):
    html = client.get("/login", headers={"Accept-Language": header}).get_data(as_text=True)
    assert '<html lang="nb">' in html


@pytest.mark.parametrize("app_config", [{"LANGUAGES": ("nb", "nn", "en")}])
@pytest.mark.parametrize("header, expected", [
    ("nb-NO,no;q=0.9,en;q=0.8", "nb"),
    ("no", "nb"),
    ("nn-NO,nn;q=0.9", "nn"),
    ("en-GB,en;q=0.9", "en"),
    ("de-DE", "nb"),
])
def test_locale_from_accept_language_when_catalogues_exist(client, app_config, header, expected):
    html = client.get("/login", headers={"Accept-Language": header}).get_data(as_text=True)
    assert f'<html lang="{expected}">' in html


def test_datetime_is_shown_in_oslo_time(app):
    from network.main.formatting import date_time

    with app.test_request_context():
        assert date_time(datetime(2019, 4, 10, 8, 0, tzinfo=timezone.utc)) == "10. april 2019 kl. 10:00"
