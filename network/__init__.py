"""KS learning and development networks: the application factory."""
from __future__ import annotations

import os
from typing import Any, Mapping

from flask import Flask, g, request
from flask_babel import get_locale
from flask_login import current_user
from sqlalchemy import event
from sqlalchemy.engine import Engine

from config import PROJECT_ROOT, config_class
from network.extensions import babel, csrf, db, limiter, login_manager, mail, migrate


def create_app(config: str | type | Mapping[str, Any] | None = None) -> Flask:
    """Build the app. ``config`` is a config name, a config class, or a dict of overrides."""
    app = Flask(__name__, instance_path=str(PROJECT_ROOT / "instance"))
    register_config(app, config)
    register_assets(app)  # first, so that compression is the last thing done to a response
    register_proxy(app)
    register_input_hygiene(app)
    register_extensions(app)
    register_blueprints(app)
    register_jobs(app)
    register_templates(app)
    register_request_hooks(app)
    return app


def register_config(app: Flask, config) -> None:
    overrides: Mapping[str, Any] = {}
    if isinstance(config, Mapping):
        overrides, config = config, config.get("CONFIG_NAME")
    cls = config if isinstance(config, type) else config_class(config)
    cls.check()
    app.config.from_object(cls)
    if os.environ.get("DATABASE_URL"):
        app.config["SQLALCHEMY_DATABASE_URI"] = os.environ["DATABASE_URL"]
    app.config.update(overrides)
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite:///"):
        os.makedirs(app.instance_path, exist_ok=True)
    from network.main.site import trusted_hosts

    trusted_hosts(app)


def register_assets(app: Flask) -> None:
    from network import assets

    assets.register(app)  # fingerprinted static file names and compressed responses


def register_proxy(app: Flask) -> None:
    """Behind nginx or a load balancer: trust as many X-Forwarded-* values as PROXY_FIX_* say, so
    that ``request.scheme`` and ``request.remote_addr`` (rate limits) are the client's. Off by default:
    without a proxy those headers are the client's own invention."""
    counts = {name: app.config.get(f"PROXY_FIX_{name.upper()}", 0) or 0
              for name in ("x_for", "x_proto", "x_host", "x_port", "x_prefix")}
    if any(counts.values()):
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, **{name: int(count) for name, count in counts.items()})


def register_input_hygiene(app: Flask) -> None:
    from network.main import hygiene

    hygiene.register(app)


def register_extensions(app: Flask) -> None:
    from network import models  # noqa: F401  (the whole schema, for mappers and Alembic)

    db.init_app(app)
    migrate.init_app(app, db, directory=str(PROJECT_ROOT / "migrations"), render_as_batch=True)
    csrf.init_app(app)
    mail.init_app(app)
    limiter.init_app(app)
    from network.main.language import select_locale

    babel.init_app(app, locale_selector=select_locale)

    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = None  # the login page explains itself
    login_manager.session_protection = "basic"

    from network.auth import sessions

    # The cookie names a sign-in (network/auth/sessions.py), which signing out or a new password ends.
    login_manager.user_loader(sessions.person_for)


def register_blueprints(app: Flask) -> None:
    from network.api import bp as api_bp
    from network.archive.views import bp as archive_bp
    from network.assignments.views import bp as assignments_bp
    from network.auth.views import bp as auth_bp
    from network.calendar.views import bp as calendar_bp
    from network.challenges.views import bp as challenges_bp
    from network.comments.views import bp as comments_bp
    from network.costs.views import bp as costs_bp
    from network.dashboard.views import bp as dashboard_bp
    from network.demo.cli import bp as demo_bp
    from network.evaluations.views import bp as evaluations_bp
    from network.feedback.views import bp as feedback_bp
    from network.gatherings.views import bp as gatherings_bp
    from network.groups.views import bp as groups_bp
    from network.library.views import bp as library_bp
    from network.growth.views import bp as growth_bp
    from network.main.views import bp as main_bp
    from network.networks.views import bp as networks_bp
    from network.organisations.cli import bp as organisations_bp
    from network.outbox.views import bp as outbox_bp
    from network.planning.views import bp as planning_bp
    from network.privacy.views import bp as privacy_bp
    from network.profile.views import bp as profile_bp
    from network.programme.views import bp as programme_bp
    from network.resources.views import bp as resources_bp

    for blueprint in (main_bp, auth_bp, networks_bp, gatherings_bp, programme_bp, calendar_bp, costs_bp,
                      growth_bp, groups_bp, challenges_bp, planning_bp, assignments_bp, library_bp, resources_bp,
                      outbox_bp, organisations_bp, demo_bp, comments_bp, feedback_bp, evaluations_bp, dashboard_bp,
                      archive_bp, privacy_bp, profile_bp, api_bp):
        app.register_blueprint(blueprint)

    from network.main import errors

    errors.register(app)


def register_jobs(app: Flask) -> None:
    """The job queue (network/jobs): its Celery app, and ``flask jobs worker`` / ``scheduler``."""
    from network.jobs import celery_app
    from network.jobs.cli import bp as jobs_bp

    celery_app.init_app(app)
    app.register_blueprint(jobs_bp)


def register_templates(app: Flask) -> None:
    from network.main import formatting, navigation, text, translations
    from network.main.site import site_url_for
    from network.networks import access
    from network.validators import is_web_address

    formatting.register(app)
    text.register(app)
    translations.register(app)  # the request's catalogue found once, not for every string
    navigation.register(app)
    app.jinja_env.globals.update(get_locale=get_locale, access=access, site_url_for=site_url_for)
    # `{% if url is web_address %}`: a stored address becomes a link only if it is http(s).
    app.jinja_env.tests["web_address"] = is_web_address
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True


# The browser features the site never uses, denied to it and to anything it might embed.
PERMISSIONS_POLICY = ", ".join(f"{feature}=()" for feature in (
    "accelerometer", "camera", "display-capture", "geolocation", "gyroscope", "magnetometer",
    "microphone", "midi", "payment", "usb",
))
# Static assets stay cacheable for everyone.
CACHEABLE_ENDPOINTS = {"static", "main.designsystem"}
# Pages whose address carries a secret: never cached, even for someone signed out.
TOKEN_ENDPOINTS = {"auth.accept_invitation", "auth.reset_password", "profile.confirm_email"}


def register_request_hooks(app: Flask) -> None:
    from network.outbox.services import deliver_after_request

    app.after_request(deliver_after_request)

    from network.networks import readonly

    readonly.register(app)  # a closed network refuses every POST inside it

    @app.after_request
    def security_headers(response):
        response.headers.setdefault(
            "Content-Security-Policy",
            "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
            "object-src 'none'; base-uri 'self'; frame-ancestors 'none'; form-action 'self'",
        )
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        if app.config.get("HSTS_ENABLED") and request.is_secure:
            response.headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
        if request.blueprint == "api" and "Cache-Control" in response.headers:
            pass  # the API sets its own (private, revalidated with the ETag; network/api/framework.py)
        elif request.endpoint not in CACHEABLE_ENDPOINTS and (
            # is_anonymous, not is_authenticated: the latter reads Person.active, which a commit has
            # expired, so every write request paid one more query here to reload the person.
            request.endpoint in TOKEN_ENDPOINTS or not current_user.is_anonymous
        ):
            # Nothing a signed-in person sees, and no page with a secret link, stays in a cache.
            response.headers["Cache-Control"] = "private, no-store"
        return response

    @app.before_request
    def reset_request_cache():
        g.pop("_network_roles", None)

    from network.main import page_cache

    page_cache.register(app)  # last: it needs the person and the language, and sees the page before compression


def _unicode_lower(value):
    return value.lower() if isinstance(value, str) else value


@event.listens_for(Engine, "connect")
def _sqlite_connect(dbapi_connection, _record) -> None:
    """Foreign keys on, and let SQLAlchemy (not pysqlite) manage transactions and savepoints."""
    if type(dbapi_connection).__module__.startswith("sqlite3"):
        dbapi_connection.isolation_level = None
        # SQLite's own lower() only folds A–Z; Norwegian needs Æ, Ø and Å too, as on PostgreSQL.
        dbapi_connection.create_function("lower", 1, _unicode_lower, deterministic=True)
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()


@event.listens_for(Engine, "do_connect")
def _postgresql_without_jit(dialect, _record, _cargs, cparams) -> None:
    """PostgreSQL's JIT compiler is for long analytic queries; here it fired on the dashboard's cost
    totals (estimated above ``jit_above_cost``), spending some 70 ms compiling a query that runs
    in 10. Every query here is a web request's: off for the app's connections."""
    if dialect.name == "postgresql":
        cparams["options"] = f"{cparams.get('options', '')} -c jit=off".strip()


@event.listens_for(Engine, "begin")
def _sqlite_begin(connection) -> None:
    if connection.dialect.name == "sqlite":
        connection.exec_driver_sql("BEGIN")
