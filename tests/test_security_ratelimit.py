"""Issue 17, finding 8: failed sign-ins are limited per e-mail address as well as per IP address.
A locked address can still get in through «Glemt passordet?», so an attacker can't keep the real
person out, and the lock looks the same for addresses without an account."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from network.extensions import db
from network.outbox.models import OutboxMessage
from tests.factories import PASSWORD

LIMITED = {"RATELIMIT_ENABLED": True, "LOGIN_ACCOUNT_RATE_LIMIT": "3 per hour", "LOGIN_RATE_LIMIT": "100 per minute"}
limited = pytest.mark.parametrize("app_config", [LIMITED])


def _sign_in(client, email, password, address="10.0.0.1"):
    # Each attempt from another IP address: the per-IP limit never comes into it.
    return client.post("/login", data={"email": email, "password": password}, environ_base={"REMOTE_ADDR": address})


def _fail(client, email, times):
    return [_sign_in(client, email, "feil-passord", f"10.0.1.{n}").status_code for n in range(times)]


def _text(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.get_data(as_text=True))).strip()


@limited
def test_failed_sign_ins_lock_the_address_from_any_ip(factory, client, app_config):
    factory.person(email="kari@example.test")
    assert _fail(client, "kari@example.test", 3) == [422, 422, 422]
    locked = _sign_in(client, "KARI@example.test", PASSWORD, "10.9.9.9")  # the right password, another IP
    assert locked.status_code == 429
    body = locked.get_data(as_text=True)
    assert "for mange mislykkede forsøk" in body
    assert "Glemt passordet?" in body and 'href="/forgot-password"' in body
    assert client.get("/me").status_code == 302  # not signed in


@limited
def test_an_unknown_address_is_locked_the_same_way(factory, client, app_config):
    factory.person(email="kari@example.test")
    known = _fail(client, "kari@example.test", 4)
    unknown = _fail(client, "ukjent@example.test", 4)
    assert known == unknown == [422, 422, 422, 429]
    assert _text(_sign_in(client, "kari@example.test", "x", "10.7.7.7")) == \
        _text(_sign_in(client, "ukjent@example.test", "x", "10.7.7.7"))


@limited
def test_successful_sign_ins_do_not_count_and_clear_the_failures(factory, client, app_config):
    factory.person(email="kari@example.test")
    assert _fail(client, "kari@example.test", 2) == [422, 422]
    for _ in range(4):
        assert _sign_in(client, "kari@example.test", PASSWORD).status_code == 302
        client.post("/logout")
    assert _fail(client, "kari@example.test", 3) == [422, 422, 422]  # counted from nothing again


@limited
def test_other_addresses_are_not_affected(factory, client, app_config):
    factory.person(email="kari@example.test")
    factory.person(email="ola@example.test")
    _fail(client, "kari@example.test", 4)
    assert _sign_in(client, "ola@example.test", PASSWORD).status_code == 302


@limited
def test_the_reset_link_signs_a_locked_out_person_in(app, factory, client, app_config):
    factory.person(email="kari@example.test")
    _fail(client, "kari@example.test", 4)
    client.post("/forgot-password", data={"email": "kari@example.test"}).close()
    with app.app_context():
        body = db.session.scalar(select(OutboxMessage.body_text).where(OutboxMessage.recipient == "kari@example.test"))
    link = re.search(r"http://localhost(/reset-password/\S+)", body).group(1)
    response = client.post(link, data={"password": "et-nytt-og-langt-passord", "confirm": "et-nytt-og-langt-passord"})
    assert response.location == "/me"
    assert client.get("/me").status_code == 200
    client.post("/logout")
    # The new password works at once: the lock was on the old attempts.
    assert _sign_in(client, "kari@example.test", "et-nytt-og-langt-passord").status_code == 302


@pytest.mark.parametrize("app_config", [{**LIMITED, "LOGIN_RATE_LIMIT": "2 per minute"}])
def test_the_per_ip_limit_still_applies(factory, client, app_config):
    factory.person(email="kari@example.test")
    statuses = [_sign_in(client, f"person{n}@example.test", "feil", "10.0.0.5").status_code for n in range(3)]
    assert statuses == [422, 422, 429]
    assert "for mange mislykkede forsøk" not in _sign_in(client, "kari@example.test", PASSWORD, "10.0.0.5").get_data(
        as_text=True)


def test_a_person_can_still_sign_in_when_limits_are_off(factory, client):
    factory.person(email="kari@example.test")
    _fail(client, "kari@example.test", 12)
    assert _sign_in(client, "kari@example.test", PASSWORD).status_code == 302
