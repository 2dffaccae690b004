import pytest

from config import ProductionConfig
from network import create_app


def test_production_refuses_to_start_without_secret_key_and_database(monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.delenv("DATABASE_URL", raising=False)
    with pytest.raises(RuntimeError, match="SECRET_KEY, DATABASE_URL"):
        create_app("production")


def test_production_starts_with_both_and_uses_secure_cookies(monkeypatch, tmp_path):
    monkeypatch.setenv("SECRET_KEY", "a-long-random-secret")
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'prod.db'}")
    app = create_app("production")
    assert app.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path / 'prod.db'}"
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["SESSION_COOKIE_HTTPONLY"] is True
    assert app.config["SESSION_COOKIE_SAMESITE"] == "Lax"
    assert not app.debug


@pytest.mark.parametrize("name", ["development", "testing", "production"])
def test_database_url_chooses_the_database_in_every_config(monkeypatch, tmp_path, name):
    url = f"sqlite:///{tmp_path / 'chosen.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("SECRET_KEY", "x" * 32)
    assert create_app(name).config["SQLALCHEMY_DATABASE_URI"] == url


def test_unknown_config_name_is_refused():
    with pytest.raises(RuntimeError, match="Unknown FLASK_CONFIG"):
        create_app("staging")


def test_production_check_is_a_class_method_that_reads_the_environment(monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "s")
    monkeypatch.delenv("DATABASE_URL", raising=False)
    with pytest.raises(RuntimeError, match="DATABASE_URL"):
        ProductionConfig.check()


def test_wsgi_exposes_app():
    import wsgi

    assert wsgi.app.name == "network"


def test_session_cookie_is_httponly_and_lax(factory, app):
    person = factory.person(email="cookie@example.test")
    client = app.test_client()
    response = client.post("/login", data={"email": person.email, "password": "riktig-passord"})
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie


def test_security_headers_forbid_external_sources(client):
    response = client.get("/")
    csp = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp
    assert "script-src 'self'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
