import pytest
from argon2 import Type, extract_parameters, profiles

from config import CONFIGS, ProductionConfig, TestingConfig
from network import create_app
from network.auth.passwords import STRONG_PROFILE, hash_password, needs_rehash, verify_password


def test_production_refuses_to_start_without_secret_key_and_database(monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.delenv("DATABASE_URL", raising=False)
    with pytest.raises(RuntimeError, match="SECRET_KEY, DATABASE_URL"):
        create_app("production")


def _production_env(monkeypatch):
    """What production needs besides SECRET_KEY and DATABASE_URL (issue 17)."""
    monkeypatch.setenv("SITE_URL", "https://nettverk.example")
    monkeypatch.setenv("RATELIMIT_STORAGE_URI", "redis://127.0.0.1:6379")


def test_production_starts_with_both_and_uses_secure_cookies(monkeypatch, tmp_path):
    _production_env(monkeypatch)
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
    _production_env(monkeypatch)
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


@pytest.mark.parametrize("name", ["production", "development"])
def test_passwords_outside_the_tests_are_hashed_with_strong_argon2id(monkeypatch, tmp_path, name):
    """The suite hashes with argon2's cheapest parameters; production must never get them."""
    _production_env(monkeypatch)
    monkeypatch.setenv("SECRET_KEY", "a-long-random-secret")
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'prod.db'}")
    app = create_app(name)
    with app.app_context():
        stored = hash_password("et langt passord")
        assert verify_password(stored, "et langt passord")
    parameters = extract_parameters(stored)
    strong = profiles.RFC_9106_LOW_MEMORY
    assert parameters.type is Type.ID
    assert (parameters.time_cost, parameters.memory_cost, parameters.parallelism) == (3, 65536, 4)
    assert (parameters.time_cost, parameters.memory_cost) == (strong.time_cost, strong.memory_cost)
    assert parameters.salt_len >= 16 and parameters.hash_len >= 32


def test_only_the_test_configuration_has_cheap_password_hashing():
    assert TestingConfig.PASSWORD_HASH_PROFILE == "CHEAPEST"
    for name, config in CONFIGS.items():
        if config is not TestingConfig:
            assert config.PASSWORD_HASH_PROFILE == STRONG_PROFILE, name
    # Outside any app (a script, a shell) the strong parameters apply too.
    assert extract_parameters(hash_password("uten app")).memory_cost == 65536


def test_a_hash_with_other_parameters_is_replaced_at_the_next_sign_in(app):
    strong = hash_password("riktig-passord")  # no app context: production's parameters
    with app.app_context():
        assert needs_rehash(strong)
        assert not needs_rehash(hash_password("riktig-passord"))


def test_postgresql_connections_run_without_jit(app):
    """JIT compiling cost the dashboard's cost totals some 70 ms for a 10 ms query (issue 16)."""
    from sqlalchemy import text

    from network.extensions import db

    with app.app_context():
        if db.session.get_bind().dialect.name != "postgresql":
            pytest.skip("JIT is PostgreSQL's; the PostgreSQL run tests it")
        assert db.session.scalar(text("SHOW jit")) == "off"
