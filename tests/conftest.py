"""Test fixtures: a real database (SQLite, or PostgreSQL when DATABASE_URL says so), migrated once
per run, one app per distinct configuration, and every test inside a savepoint that is rolled back.

How the layers fit (tests/README.md tells the whole story):

- ``migrated_database``: one database per pytest-xdist worker, upgraded through Alembic once.
- ``app_for(config)``: one app per distinct configuration for the whole run, built before its
  first request, so test-only routes can still be added by an ``INSTALL`` entry.
- ``db_connection``: one connection per test module, holding a transaction that is never committed.
  Data a module builds once (``built_once``) lives in it.
- ``app``: per test, a savepoint on that connection with ``db.session`` bound to it, the app's
  config restored afterwards and the rate limiter reset.
"""
from __future__ import annotations

import os
from contextlib import contextmanager
from types import MappingProxyType
from typing import Any, Callable

import pytest
from flask import Flask
from flask_login import FlaskLoginClient
from flask_migrate import upgrade
from flask_sqlalchemy.session import Session as FlaskSession
from jinja2 import MemcachedBytecodeCache
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.exc import OperationalError

from network import create_app
from network.auth import sessions
from network.auth.models import Person
from network.extensions import db, limiter
from network.organisations.services import import_national_list
from tests.factories import Factory
from tests.smtp_server import SMTP_PORT, SMTPServer


class BoundSession(FlaskSession):
    """Flask-SQLAlchemy's session picks an engine per model and would ignore ``bind``."""

    def get_bind(self, *args, **kwargs):
        return self.bind


# --- the database: one per xdist worker -------------------------------------------------


def _fail_unreachable(error: Exception) -> None:
    # When CI asks for PostgreSQL and cannot reach it, the run fails; it never skips.
    pytest.fail(f"PostgreSQL at DATABASE_URL is not reachable: {error}", pytrace=False)


def _own_postgres(url: str, worker: str | None) -> str:
    """The run's PostgreSQL database, created when missing. Each xdist worker gets one of its own
    (``test_gw0`` beside ``test``), so parallel runs never reset each other's schema."""
    base = make_url(url)
    name = f"{base.database}_{worker}" if worker else base.database
    engine = create_engine(base.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            if not connection.scalar(text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": name}):
                connection.execute(text(f'CREATE DATABASE "{name}"'))
    except OperationalError as error:
        _fail_unreachable(error)
    finally:
        engine.dispose()
    return base.set(database=name).render_as_string(hide_password=False)


def _reset_postgres(url: str) -> None:
    engine = create_engine(url)
    try:
        with engine.begin() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
    except OperationalError as error:
        _fail_unreachable(error)
    finally:
        engine.dispose()


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> str:
    url = os.environ.get("DATABASE_URL")
    if url:
        if url.startswith("postgresql"):
            url = _own_postgres(url, os.environ.get("PYTEST_XDIST_WORKER"))
            _reset_postgres(url)
        return url
    # Under xdist, tmp_path_factory is already a folder of the worker's own.
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"


def make_app(database_url: str, **overrides) -> Flask:
    """A new app on the test database. Tests that need an engine of their own (concurrency, live
    servers) use this; everything else shares apps through ``app_for``."""
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


# --- one app per configuration ------------------------------------------------------------


class _MemoryClient(dict):
    def set(self, key, value, timeout=None):
        self[key] = value


# Each configuration's app has a Jinja environment of its own; share the compiled templates.
COMPILED_TEMPLATES = MemcachedBytecodeCache(_MemoryClient())

# ``app_config`` may name functions that add test-only routes: they must run before the app's
# first request, so such an app is built for them and never shared with the others.
INSTALL = "INSTALL"


def _config_key(config: dict) -> str:
    def plain(value):
        if callable(value):
            return f"{value.__module__}.{value.__qualname__}"
        if isinstance(value, (list, tuple)):
            return [plain(item) for item in value]
        return repr(value)

    return repr(sorted((key, plain(value)) for key, value in config.items()))


@pytest.fixture(scope="session")
def app_for(migrated_database) -> Callable[[dict], Flask]:
    """``app_for(config)``: the run's one app for that configuration, built on first use."""
    apps: dict[str, Flask] = {}

    def get(config: dict) -> Flask:
        key = _config_key(config)
        if key not in apps:
            settings = {name: value for name, value in config.items() if name != INSTALL}
            app = make_app(migrated_database, **settings)
            app.test_client_class = FlaskLoginClient
            app.jinja_env.bytecode_cache = COMPILED_TEMPLATES
            for install in config.get(INSTALL, ()):
                install(app)
            apps[key] = app
        return apps[key]

    yield get
    for app in apps.values():
        with app.app_context():
            db.engine.dispose()


@pytest.fixture(scope="module")
def db_connection(app_for) -> Connection:
    """One connection per module, in a transaction that is rolled back when the module is done."""
    base = app_for({})
    with base.app_context():
        connection = db.engine.connect()
    transaction = connection.begin()
    yield connection
    transaction.rollback()
    connection.close()


@contextmanager
def bound_session(connection: Connection, app: Flask):
    """Every ``db.session`` in the block joins ``connection``'s transaction through savepoints of its
    own (SQLAlchemy's "joining a session into an external transaction" recipe)."""
    original = db.session
    db.session = db._make_scoped_session(
        {"class_": BoundSession, "bind": connection, "join_transaction_mode": "create_savepoint"}
    )
    try:
        yield
    finally:
        with app.app_context():
            db.session.remove()
        db.session = original


def _reset_rate_limits(app: Flask) -> None:
    # The limiter is one object for every app: its switch follows the app of this test, and no
    # test sees another's counts.
    limiter.enabled = app.config["RATELIMIT_ENABLED"]
    if limiter.enabled:
        limiter.reset()


@pytest.fixture
def app_config() -> dict:
    """Override in a test module (or parametrize) to change the app's configuration."""
    return {}


@pytest.fixture
def app(app_for, app_config, db_connection):
    """The shared app for ``app_config``; what the test writes is rolled back afterwards, and so is
    any change it makes to ``app.config``."""
    app = app_for(app_config)
    saved_config = dict(app.config)
    savepoint = db_connection.begin_nested()
    _reset_rate_limits(app)
    try:
        with bound_session(db_connection, app):
            yield app
    finally:
        if savepoint.is_active:
            savepoint.rollback()
        app.config.clear()
        app.config.update(saved_config)


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def factory(app) -> Factory:
    return Factory(app)


def signed_in_client(app: Flask, person) -> FlaskLoginClient:
    """A test client signed in as ``person``: a sign-in row started and committed (into the test's
    savepoint) and its token in the session cookie, as the sign-in page would leave it. An
    inactive person gets a client that is signed in as nobody."""
    client = app.test_client()
    with app.app_context():
        row = db.session.get(Person, person.id)
        token = sessions.create(row) if row is not None and row.active else ""
        db.session.commit()
    with client.session_transaction() as cookie:
        cookie["_user_id"] = token
        cookie["_fresh"] = True
    return client


@pytest.fixture
def login(app):
    """``login(person)`` returns a test client signed in as that person."""

    def _login(person):
        return signed_in_client(app, person)

    return _login


# --- data built once per module -------------------------------------------------------------


def _read_only(value: Any) -> Any:
    """Dicts as read-only views, so that no test can change what the next test of the module sees."""
    if isinstance(value, dict):
        return MappingProxyType({key: _read_only(item) for key, item in value.items()})
    if type(value) is tuple:
        return tuple(_read_only(item) for item in value)
    return value


def built_once(build: Callable[[Flask, Factory], Any]):
    """A module-scoped fixture of what ``build(app, factory)`` returns (``world = built_once(build)``).

    It is built once, in the module's transaction and before any test's savepoint, so each test
    starts from it and its own changes are rolled back. Dicts come back read-only."""

    @pytest.fixture(scope="module")
    def fixture(app_for, db_connection):
        base = app_for({})
        with bound_session(db_connection, base):
            return _read_only(build(base, Factory(base)))

    return fixture


@pytest.fixture(scope="session")
def smtp_server():
    """One real SMTP server for the session; a module sends its mail there by importing
    ``app_config`` and ``smtp`` from tests/smtp_server.py."""
    server = SMTPServer(SMTP_PORT).start()
    yield server
    server.stop()
