"""Configuration classes, read from environment variables.

``DATABASE_URL`` chooses the database in every config when it is set.
"""
from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def _bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _int(name: str, default: int = 0) -> int:
    value = os.environ.get(name, "").strip()
    return int(value) if value else default


def _list(name: str) -> list[str] | None:
    """A comma-separated list, or None when the variable is unset or empty."""
    items = [item.strip() for item in os.environ.get(name, "").split(",") if item.strip()]
    return items or None


class BaseConfig:
    SECRET_KEY = os.environ.get("SECRET_KEY", "dev-only-not-secret")
    SQLALCHEMY_DATABASE_URI = os.environ.get("DATABASE_URL") or (
        f"sqlite:///{PROJECT_ROOT / 'instance' / 'network.db'}"
    )
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}

    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = False
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    PERMANENT_SESSION_LIFETIME = timedelta(hours=12)
    # A sign-in lasts this long at most; signing out or a new password ends it sooner.
    LOGIN_SESSION_LIFETIME = timedelta(hours=12)

    # The site's own address: every link in mail is built from it, never from the request's Host.
    SITE_URL = os.environ.get("SITE_URL", "http://localhost:5000")
    # Hosts the app answers to (Werkzeug refuses others with 400). Unset: any host, except in
    # production, where it defaults to SITE_URL's host.
    TRUSTED_HOSTS = _list("TRUSTED_HOSTS")
    # Werkzeug's ProxyFix: how many proxies in front set each X-Forwarded-* header. 0 = not trusted.
    PROXY_FIX_X_FOR = _int("PROXY_FIX_X_FOR")
    PROXY_FIX_X_PROTO = _int("PROXY_FIX_X_PROTO")
    PROXY_FIX_X_HOST = _int("PROXY_FIX_X_HOST")
    PROXY_FIX_X_PORT = _int("PROXY_FIX_X_PORT")
    PROXY_FIX_X_PREFIX = _int("PROXY_FIX_X_PREFIX")
    # Strict-Transport-Security on https responses (production only).
    HSTS_ENABLED = False

    WTF_CSRF_ENABLED = True
    WTF_CSRF_TIME_LIMIT = 8 * 3600

    BABEL_DEFAULT_LOCALE = "nb"
    BABEL_DEFAULT_TIMEZONE = "Europe/Oslo"
    # Bokmål, nynorsk and English, each with a complete catalogue in network/translations/
    # (tests/test_catalogues.py): the page's lang attribute must match its text.
    LANGUAGES = ("nb", "nn", "en")

    # Rate limits live in a shared store in production (redis://…) so that
    # several app instances count together.
    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "memory://")
    RATELIMIT_ENABLED = True
    RATELIMIT_HEADERS_ENABLED = True
    LOGIN_RATE_LIMIT = os.environ.get("LOGIN_RATE_LIMIT", "10 per minute;50 per hour")
    # Failed password sign-ins per e-mail address, from any IP address. When it is used up, only
    # «Glemt passord» signs that address in until the window has passed.
    LOGIN_ACCOUNT_RATE_LIMIT = os.environ.get("LOGIN_ACCOUNT_RATE_LIMIT", "10 per hour")
    # Feedback from visitors who are not signed in; signed-in people are not limited.
    FEEDBACK_RATE_LIMIT = os.environ.get("FEEDBACK_RATE_LIMIT", "5 per hour")
    # Attempts to change one's password or e-mail address (the current password is asked for, so
    # this is a sign-in in disguise), per person.
    PROFILE_RATE_LIMIT = os.environ.get("PROFILE_RATE_LIMIT", "10 per hour")
    # Requests to the read-only API per token (network/api), in the same store.
    API_RATE_LIMIT = os.environ.get("API_RATE_LIMIT", "120 per minute;3000 per hour")

    MAIL_SERVER = os.environ.get("MAIL_SERVER")  # unset: mail is shown in the console
    MAIL_PORT = int(os.environ.get("MAIL_PORT", "25"))
    MAIL_USE_TLS = _bool("MAIL_USE_TLS")
    MAIL_USE_SSL = _bool("MAIL_USE_SSL")
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME")
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD")
    MAIL_DEFAULT_SENDER = os.environ.get("MAIL_DEFAULT_SENDER", "Nettverk <nettverk@ks.no>")
    MAIL_TIMEOUT_SECONDS = 10
    OUTBOX_MAX_ATTEMPTS = 8

    # The job queue (network/jobs) in Redis: `flask jobs worker` delivers mail and runs the jobs
    # `flask jobs scheduler` puts on it. Unset: mail goes out as each request ends, and the
    # scheduled jobs are the `flask …` commands, run from cron.
    CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL") or os.environ.get("REDIS_URL") or None
    # Every key the queue keeps in Redis starts with this, so installations can share a server.
    JOBS_KEY_PREFIX = os.environ.get("JOBS_KEY_PREFIX", "network:")

    # The most-opened pages, kept per sign-in in Redis until the data changes (network/main/page_cache.py).
    # Unset: no cache. 0 seconds: pages are made every time, but writes still count.
    PAGE_CACHE_URL = os.environ.get("PAGE_CACHE_URL") or os.environ.get("REDIS_URL") or None
    PAGE_CACHE_SECONDS = int(os.environ.get("PAGE_CACHE_SECONDS", "60"))

    # argon2id parameters (argon2-cffi's named profiles): RFC 9106's low-memory profile.
    PASSWORD_HASH_PROFILE = "RFC_9106_LOW_MEMORY"

    INVITATION_MAX_AGE = timedelta(days=7)
    PASSWORD_RESET_MAX_AGE = timedelta(hours=2)
    # The link that confirms a new e-mail address, mailed to that address.
    EMAIL_CHANGE_MAX_AGE = timedelta(hours=24)

    # Privacy: how long personal data is kept (`flask privacy purge` erases it; the privacy page
    # shows these same numbers). Diet, allergies and accessibility are for catering only: erased
    # this many days after the gathering's last day.
    PRIVACY_DIET_RETENTION_DAYS = int(os.environ.get("PRIVACY_DIET_RETENTION_DAYS", "14"))
    # Sent and failed mail, with its attachments, this many days after it left (or gave up).
    PRIVACY_OUTBOX_RETENTION_DAYS = int(os.environ.get("PRIVACY_OUTBOX_RETENTION_DAYS", "90"))
    # Invited people who never set a password (and have no other data), this many days after
    # their invitation link expired.
    PRIVACY_INVITATION_MARGIN_DAYS = int(os.environ.get("PRIVACY_INVITATION_MARGIN_DAYS", "30"))
    # The log of who exported personal data.
    PRIVACY_EXPORT_LOG_RETENTION_DAYS = int(os.environ.get("PRIVACY_EXPORT_LOG_RETENTION_DAYS", "730"))
    # Where people write with questions about their personal data (shown on the privacy page).
    PRIVACY_CONTACT_EMAIL = os.environ.get("PRIVACY_CONTACT_EMAIL", "nettverk@ks.no")
    MAX_CONTENT_LENGTH = 12 * 1024 * 1024
    UPLOAD_MAX_BYTES = 10 * 1024 * 1024

    # Evaluation results (distributions, averages, free texts) of a gathering with fewer answers
    # than this are not shown anywhere, so that no single person's answer can be read off.
    EVALUATION_MIN_ANSWERS = 3

    # Importing an archive: checked on each entry's declared size before anything is read, and
    # again while reading, so that a ZIP bomb or a lying header is refused with little memory used.
    ARCHIVE_MAX_ENTRY_BYTES = 64 * 1024 * 1024      # one file; uploads are at most UPLOAD_MAX_BYTES
    ARCHIVE_MAX_TOTAL_BYTES = 1024 * 1024 * 1024    # all files together, unpacked
    ARCHIVE_MAX_RATIO = 100                         # unpacked / packed size of an entry over 1 MiB
    ARCHIVE_MAX_ENTRIES = 100_000
    # An archive uploaded on the web page is held in memory and kept in one database row until it
    # is imported, so the page takes smaller ZIP files; larger ones go through `flask archive import`.
    ARCHIVE_WEB_MAX_BYTES = 200 * 1024 * 1024

    DESIGNSYSTEM_DIR = os.environ.get(
        "DESIGNSYSTEM_DIR",
        str(PROJECT_ROOT / "node_modules" / "@digdir" / "designsystemet-css" / "dist"),
    )
    DEMO_PASSWORD = os.environ.get("DEMO_PASSWORD", "demo1234")
    PREFERRED_URL_SCHEME = "http"

    @classmethod
    def check(cls) -> None:
        """Refuse to start with an unsafe configuration."""


class DevelopmentConfig(BaseConfig):
    DEBUG = True
    SHOW_DEV_MAILBOX = True
    # Templates being edited show at once: only a PAGE_CACHE_URL of its own turns the cache on here.
    PAGE_CACHE_URL = os.environ.get("PAGE_CACHE_URL") or None


class TestingConfig(BaseConfig):
    TESTING = True
    SITE_URL = "http://localhost"
    SECRET_KEY = "testing-secret"
    WTF_CSRF_ENABLED = False
    RATELIMIT_ENABLED = False
    MAIL_SUPPRESS_SEND = False
    MAIL_SERVER = None
    CELERY_BROKER_URL = None  # no queue, whatever the environment says; tests that want one set it
    PAGE_CACHE_URL = None  # likewise no page cache (tests/test_page_cache.py sets one)
    SHOW_DEV_MAILBOX = False
    SERVER_NAME = None
    # Tests only: a hash that takes microseconds. tests/test_config.py keeps it out of production.
    PASSWORD_HASH_PROFILE = "CHEAPEST"


class ProductionConfig(BaseConfig):
    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_SECURE = True
    PREFERRED_URL_SCHEME = "https"
    SHOW_DEV_MAILBOX = False
    SITE_URL = os.environ.get("SITE_URL", "")
    # Without TRUSTED_HOSTS, the app answers only to SITE_URL's host (set by the factory).
    TRUSTED_HOSTS_FROM_SITE_URL = True
    HSTS_ENABLED = True

    @classmethod
    def check(cls) -> None:
        missing = [name for name in ("SECRET_KEY", "DATABASE_URL", "SITE_URL") if not os.environ.get(name)]
        if missing:
            raise RuntimeError(
                "Production needs these environment variables: " + ", ".join(missing)
            )
        site = urlsplit(os.environ["SITE_URL"])
        if site.scheme != "https" or not site.hostname:
            raise RuntimeError("SITE_URL must be the site's https address, e.g. https://nettverk.ks.no")
        # Each worker process would count on its own: 4 workers let 4 times the limit through.
        if os.environ.get("RATELIMIT_STORAGE_URI", "memory://").startswith("memory://"):
            raise RuntimeError("Production needs a shared store for rate limits: "
                               "set RATELIMIT_STORAGE_URI, e.g. redis://127.0.0.1:6379")


CONFIGS: dict[str, type[BaseConfig]] = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}


def config_class(name: str | None = None) -> type[BaseConfig]:
    name = name or os.environ.get("FLASK_CONFIG", "development")
    try:
        return CONFIGS[name]
    except KeyError:
        raise RuntimeError(f"Unknown FLASK_CONFIG {name!r}; use one of {sorted(CONFIGS)}") from None
