"""Test fixtures: a real database (SQLite, or PostgreSQL when DATABASE_URL says so),
migrated once per run, and one rolled-back transaction per test."""
from __future__ import annotations

import os

import pytest
from flask_login import FlaskLoginClient
from flask_migrate import upgrade
from jinja2 import MemcachedBytecodeCache
from sqlalchemy import create_engine, text
from sqlalchemy.exc import OperationalError
from flask_sqlalchemy.session import Session as FlaskSession

from network import create_app
from network.extensions import db
from network.organisations.services import import_national_list
from tests.factories import Factory
from tests.smtp_server import SMTP_PORT, SMTPServer


class BoundSession(FlaskSession):
    """Flask-SQLAlchemy's session picks an engine per model and would ignore ``bind``."""

    def get_bind(self, *args, **kwargs):
        return self.bind


def _reset_postgres(url: str) -> None:
    engine = create_engine(url)
    try:
        with engine.begin() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
    except OperationalError as error:
        # When CI asks for PostgreSQL and cannot reach it, the run fails; it never skips.
        pytest.fail(f"PostgreSQL at DATABASE_URL is not reachable: {error}", pytrace=False)
    finally:
        engine.dispose()


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> str:
    url = os.environ.get("DATABASE_URL")
    if url:
        if url.startswith("postgresql"):
            _reset_postgres(url)
        return url
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"


def make_app(database_url: str, **overrides):
    return create_app({"CONFIG_NAME": "testing", "SQLALCHEMY_DATABASE_URI": database_url, **overrides})


@pytest.fixture(scope="session")
def migrated_database(database_url) -> str:
    """Upgrade the empty database to head through Alembic, and load the national municipality list."""
    app = make_app(database_url)
    with app.app_context():
        upgrade()
        import_national_list()
        db.session.commit()
        db.engine.dispose()
    return database_url


class _MemoryClient(dict):
    def set(self, key, value, timeout=None):
        self[key] = value


# Every test builds a new app, and so a new Jinja environment that would compile each
# template again. Sharing the compiled templates across the run halves its time.
COMPILED_TEMPLATES = MemcachedBytecodeCache(_MemoryClient())


@pytest.fixture
def app_config() -> dict:
    """Override in a test module (or parametrize) to change the app's configuration."""
    return {}


@pytest.fixture
def app(migrated_database, app_config):
    """An app whose every session joins one outer transaction, rolled back after the test
    (SQLAlchemy's "joining a session into an external transaction" recipe)."""
    app = make_app(migrated_database, **app_config)
    app.test_client_class = FlaskLoginClient
    app.jinja_env.bytecode_cache = COMPILED_TEMPLATES
    original_session = db.session
    with app.app_context():
        connection = db.engine.connect()
        transaction = connection.begin()
        db.session = db._make_scoped_session(
            {"class_": BoundSession, "bind": connection, "join_transaction_mode": "create_savepoint"}
        )
    try:
        yield app
    finally:
        with app.app_context():
            db.session.remove()
            db.session = original_session
            transaction.rollback()
            connection.close()
            db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def factory(app) -> Factory:
    return Factory(app)


@pytest.fixture
def login(app):
    """``login(person)`` returns a test client signed in as that person."""

    def _login(person):
        with app.app_context():
            return app.test_client(user=person)

    return _login


@pytest.fixture(scope="session")
def smtp_server():
    """One real SMTP server for the session; a module sends its mail there by importing
    ``app_config`` and ``smtp`` from tests/smtp_server.py."""
    server = SMTPServer(SMTP_PORT).start()
    yield server
    server.stop()
