"""Issue 17, finding 2: links in mail come from SITE_URL, never from the request's Host header;
unknown hosts are refused when TRUSTED_HOSTS is set; behind a proxy, ProxyFix (when configured)
makes the forwarded scheme and address count."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from config import ProductionConfig
from network import create_app
from network.extensions import db
from network.outbox.models import OutboxMessage
from tests.comment_helpers import setup as comment_setup
from tests.factories import world
from tests.gathering_helpers import day_ids, open_gathering

EVIL = {"Host": "evil.example"}
LINK = re.compile(r"https?://[^\s\"'<>]+")


def _links(app) -> list[str]:
    with app.app_context():
        bodies = db.session.execute(select(OutboxMessage.body_text, OutboxMessage.body_html)).all()
    return [link for text, html in bodies for link in LINK.findall(f"{text}\n{html or ''}")]


def _as_evil(client):
    """The signed-in client's session cookie, sent to the evil host too (as a proxy would pass it)."""
    cookie = client.get_cookie("session")
    client.set_cookie("session", cookie.value, domain="evil.example")
    return client


def _only_site_links(app, site="http://localhost/"):
    links = _links(app)
    assert links, "no mail with links was queued"
    assert not [link for link in links if "evil.example" in link]
    assert all(link.startswith(site) for link in links), links


def test_reset_mail_links_to_the_site_whatever_the_host(app, factory, client):
    factory.person(email="glemsk@example.test")
    response = client.post("/forgot-password", data={"email": "glemsk@example.test"}, headers=EVIL)
    response.close()  # the server closes the response; the mail is made then
    assert response.status_code == 302
    _only_site_links(app)
    assert any("/reset-password/" in link for link in _links(app))


def test_registration_mail_links_to_the_site_whatever_the_host(app, factory, login):
    network, _, _, people = world(factory)
    gathering = open_gathering(factory, network)
    client = _as_evil(login(people["participant"]))
    response = client.post(f"/networks/{network.id}/gatherings/{gathering.id}/register",
                           data={"days": [str(day) for day in day_ids(app, gathering.id)]}, headers=EVIL)
    assert response.status_code == 302
    _only_site_links(app)


def test_comment_mail_links_to_the_site_whatever_the_host(app, factory, login):
    s = comment_setup(app, factory)
    response = _as_evil(login(s.people["other_contact"])).post(s.url("/comments"), data={"body": "Godt svar."}, headers=EVIL)
    assert response.status_code == 302
    _only_site_links(app)


@pytest.mark.parametrize("app_config", [{"SITE_URL": "https://nettverk.example/"}])
def test_links_follow_the_configured_site_url(app, factory, client, app_config):
    factory.person(email="glemsk@example.test")
    client.post("/forgot-password", data={"email": "glemsk@example.test"}).close()
    _only_site_links(app, "https://nettverk.example/reset-password/")


# --- trusted hosts -------------------------------------------------------------------------


@pytest.mark.parametrize("app_config", [{"TRUSTED_HOSTS": ["nettverk.example", "localhost"]}])
def test_an_unknown_host_is_refused(client, app_config):
    assert client.get("/", headers=EVIL).status_code == 400
    assert client.post("/forgot-password", data={"email": "x@example.test"}, headers=EVIL).status_code == 400
    assert client.get("/", headers={"Host": "nettverk.example"}).status_code == 200
    assert client.get("/", headers={"Host": "nettverk.example:443"}).status_code == 200


def _production(monkeypatch, tmp_path, **env):
    settings = {"SECRET_KEY": "a-long-random-secret", "DATABASE_URL": f"sqlite:///{tmp_path / 'prod.db'}",
                "SITE_URL": "https://nettverk.example", "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379", **env}
    for name, value in settings.items():
        if value is None:
            monkeypatch.delenv(name, raising=False)
        else:
            monkeypatch.setenv(name, value)
    return settings


def test_production_answers_only_to_its_own_host(monkeypatch, tmp_path):
    settings = _production(monkeypatch, tmp_path)
    app = create_app({"CONFIG_NAME": "production", "SITE_URL": settings["SITE_URL"], "TRUSTED_HOSTS": None})
    assert app.config["TRUSTED_HOSTS"] == ["nettverk.example"]
    client = app.test_client()
    assert client.get("/health", headers=EVIL).status_code == 400


@pytest.mark.parametrize("env, message", [
    ({"SITE_URL": None}, "SITE_URL"),
    ({"SITE_URL": "http://nettverk.example"}, "https"),
    ({"RATELIMIT_STORAGE_URI": None}, "RATELIMIT_STORAGE_URI"),
    ({"RATELIMIT_STORAGE_URI": "memory://"}, "RATELIMIT_STORAGE_URI"),
])
def test_production_refuses_to_start_without_a_site_url_and_a_shared_store(monkeypatch, tmp_path, env, message):
    _production(monkeypatch, tmp_path, **env)
    with pytest.raises(RuntimeError, match=message):
        ProductionConfig.check()


def test_production_starts_with_every_setting(monkeypatch, tmp_path):
    _production(monkeypatch, tmp_path)
    ProductionConfig.check()


# --- behind a proxy ----------------------------------------------------------------------------


def test_forwarded_headers_count_only_when_configured(app, client):
    app.config["HSTS_ENABLED"] = True
    forwarded = {"X-Forwarded-Proto": "https"}
    assert "Strict-Transport-Security" not in client.get("/", headers=forwarded).headers


@pytest.mark.parametrize("app_config", [{"PROXY_FIX_X_PROTO": 1, "PROXY_FIX_X_FOR": 1, "HSTS_ENABLED": True}])
def test_proxy_fix_makes_the_forwarded_scheme_count(client, app_config):
    response = client.get("/", headers={"X-Forwarded-Proto": "https"})
    assert "max-age=" in response.headers["Strict-Transport-Security"]


@pytest.mark.parametrize("app_config", [{"PROXY_FIX_X_FOR": 1, "RATELIMIT_ENABLED": True,
                                         "LOGIN_RATE_LIMIT": "2 per minute"}])
def test_rate_limits_count_the_forwarded_client_address(client, app_config):
    def attempt(address):
        return client.post("/login", data={"email": f"{address}@example.test", "password": "feil"},
                           headers={"X-Forwarded-For": address}).status_code

    assert [attempt("10.0.0.1") for _ in range(3)] == [422, 422, 429]
    assert attempt("10.0.0.2") == 422  # another client behind the same proxy has its own count


# --- cron commands ---------------------------------------------------------------------------


def test_cron_links_default_to_the_site_url(runner):
    result = runner.invoke(args=["comments", "send-digest"])
    assert result.exit_code == 0, result.output
