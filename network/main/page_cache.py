"""A shared cache of the most-opened pages, as each signed-in browser last saw them (issue 16).

A page is kept in Redis under a key of who asked (the sign-in, so also its CSRF secret), the
address, the language and the period of the clock (a minute), and stored with the *data
generation*: a counter in Redis that every committed write moves on, from any app instance, worker
or command. A page is served from the cache only while the generation it was made at is still the
current one, so a registration, a comment or a new programme item shows at once, for everyone.
What the clock alone changes (a deadline passing) shows within ``PAGE_CACHE_SECONDS``: the period
is part of the key.

Only GET pages named in ``CACHED_ENDPOINTS`` are kept, only as answered with 200 and without a
message or an undo button waiting to be shown, and never for someone signed out. The person is
still loaded, and the sign-in checked, on every request: a revoked sign-in gets no page from the
cache.

The same store remembers small lists read from one table, kept until that table is written
(``memo``, ``VERSIONED_TABLES``): the ids of the closed networks, which every POST inside a network
asks about (network/networks/readonly.py).

Without Redis (``PAGE_CACHE_URL``/``REDIS_URL`` unset: the embedded default) nothing is cached and
nothing changes. If Redis fails, the page is made, and the question asked, as without a cache.
"""
from __future__ import annotations

import hashlib
import json
import logging
from typing import Callable

import redis
from flask import Flask, Response, current_app, g, has_app_context, request, session
from flask_babel import get_locale
from flask_login import current_user
from sqlalchemy import event
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import TextClause

from network.main import clock
from network.main.undo import OFFER_KEY

log = logging.getLogger(__name__)

# The pages people open most (issue 16). Each must depend only on the data, the person, the
# address, the language and the clock; a page that also depends on the session must not be here.
# A page whose every view is logged (network/privacy/audit.py, the registrations list) must be
# made each time, or the log would miss views: register() refuses one.
CACHED_ENDPOINTS = frozenset({
    "gatherings.show", "main.my_page", "networks.front_page", "networks.members",
    "dashboard.show", "costs.overview", "assignments.grid", "library.index",
})
# Rows no cached page shows: writing them leaves the generation as it is, so that the writes that
# come with reading do not empty everyone's cache: the export log (every view of a logged list), a
# sign-in (a kept page is per sign-in, and the sign-in is checked anyway), a password reset
# request, and an API token's last use.
NOT_SHOWN_TABLES = frozenset({"export_log", "login_session", "password_reset_request", "api_token"})
# What the session holds to be shown once, on the next page: that page is always made afresh.
SHOWN_ONCE = ("_flashes", OFFER_KEY)
WROTE = "page_cache_wrote"  # in Session.info: the tables this transaction wrote ("*": some, unknown)
# Tables with a version counter of their own, for what is remembered from them alone (``memo``):
# the closed networks (network/networks/readonly.py) need not be read again after a registration.
VERSIONED_TABLES = ("network",)
MEMO_SECONDS = 60
READ_ONLY_SQL = ("SELECT", "SAVEPOINT", "RELEASE", "ROLLBACK", "SHOW", "EXPLAIN", "PRAGMA")


class PageCache:
    def __init__(self, url: str, prefix: str, seconds: int):
        self.store = redis.Redis.from_url(url, socket_timeout=1, socket_connect_timeout=1)
        self.prefix = prefix
        self.seconds = seconds
        self.generation_key = prefix + "generation"

    def key(self, person_id: int, sign_in: str) -> str:
        period = int(clock.utc_now().timestamp() // self.seconds)
        parts = (str(person_id), sign_in, session.get("csrf_token", ""), str(get_locale()), request.host,
                 request.full_path, str(period))
        return self.prefix + "page:" + hashlib.sha256("\x1f".join(parts).encode()).hexdigest()

    def look_up(self, key: str) -> tuple[bytes, bytes | None]:
        """(the current generation, the page kept under ``key`` if it was made at that generation)."""
        return self._current(self.generation_key, key)

    def keep(self, key: str, generation: bytes, body: bytes) -> None:
        self.store.set(key, generation + b"\n" + body, ex=self.seconds)

    def data_changed(self, tables: set[str]) -> None:
        """After a commit that wrote ``tables``: the generation, and each versioned table's counter."""
        pipe = self.store.pipeline(transaction=False)
        if tables - NOT_SHOWN_TABLES:
            pipe.incr(self.generation_key)
        for table in VERSIONED_TABLES:
            if table in tables or "*" in tables:
                pipe.incr(self._version_key(table))
        pipe.execute()

    def memo(self, name: str, table: str, load: Callable[[], list]) -> list:
        """``load()``, as last read while ``table`` was as it is now (one round trip when it was)."""
        key = self.prefix + "memo:" + name
        version, kept = self._current(self._version_key(table), key)
        if kept is not None:
            return json.loads(kept)
        value = load()  # read after the version: a write committed meanwhile leaves this one stale
        # Kept no longer than a page: a write whose count was lost (Redis down) is forgotten as soon.
        self.store.set(key, version + b"\n" + json.dumps(value).encode(), ex=MEMO_SECONDS)
        return value

    def _current(self, counter_key: str, key: str) -> tuple[bytes, bytes | None]:
        """(the counter, the value kept under ``key`` if it was kept at that count): one round trip.
        A value is kept as ``<count>\\n<value>``."""
        count, entry = self.store.mget([counter_key, key])
        count = count or b"0"
        if entry:
            kept_at, _, value = entry.partition(b"\n")
            if kept_at == count:
                return count, value
        return count, None

    def _version_key(self, table: str) -> str:
        return f"{self.prefix}version:{table}"


def register(app: Flask) -> None:
    url = app.config.get("PAGE_CACHE_URL")
    if not url:
        return
    unknown = sorted(CACHED_ENDPOINTS - app.view_functions.keys())
    if unknown:
        raise RuntimeError(f"no such pages to cache: {', '.join(unknown)}")
    audited = sorted(endpoint for endpoint in CACHED_ENDPOINTS
                     if hasattr(app.view_functions.get(endpoint), "export_kind"))
    if audited:
        raise RuntimeError(f"pages whose views are logged can't be cached: {', '.join(audited)}")
    prefix = app.config.get("PAGE_CACHE_KEY_PREFIX") or app.config["JOBS_KEY_PREFIX"] + "pages:"
    # With PAGE_CACHE_SECONDS=0 this instance keeps no page, but its writes still move the
    # generation on: other instances may keep pages.
    app.extensions["page_cache"] = PageCache(url, prefix, int(app.config.get("PAGE_CACHE_SECONDS") or 0) or 60)
    app.before_request(serve_from_cache)
    app.after_request(keep_in_cache)


def _cache() -> PageCache | None:
    if not has_app_context():
        return None
    cache = current_app.extensions.get("page_cache")
    return cache if cache is not None and current_app.config.get("PAGE_CACHE_SECONDS") else None


def serve_from_cache():
    g.page_cache = None
    cache = _cache()
    if (cache is None or request.method != "GET" or request.endpoint not in CACHED_ENDPOINTS
            or any(session.get(key) for key in SHOWN_ONCE) or current_user.is_anonymous):
        return None
    try:
        key = cache.key(current_user.id, current_user.login_token or "")
        generation, body = cache.look_up(key)
    except redis.RedisError as error:
        log.warning("page cache unavailable: %s", error)
        return None
    if body is not None:
        return Response(body, mimetype="text/html")
    g.page_cache = (key, generation)  # made now, kept by keep_in_cache at the generation read before the data
    return None


def keep_in_cache(response: Response) -> Response:
    found = g.pop("page_cache", None)
    cache = _cache()
    if (found is None or cache is None or response.status_code != 200 or response.direct_passthrough
            or response.mimetype != "text/html" or session.modified or "Set-Cookie" in response.headers):
        return response
    key, generation = found
    try:
        cache.keep(key, generation, response.get_data())
    except redis.RedisError as error:
        log.warning("page cache unavailable: %s", error)
    return response


# --- the data generation: moved on by every committed write ---------------------------------
# On the ORM session, so that writes are seen however the session is bound (the suite binds it to
# one connection and commits to savepoints). The app writes only through the session.

def note_write(session_: Session, tables) -> None:
    """Count ``tables`` ("*": unknown) as written by the session's transaction. The hooks below see
    what goes through the session; code that writes through ``session.connection()`` itself (the
    archive import) must say so here."""
    session_.info.setdefault(WROTE, set()).update(tables)


@event.listens_for(Session, "after_flush")
def _flushed(session_: Session, _context) -> None:
    changed = (*session_.new, *session_.dirty, *session_.deleted)
    if changed:
        note_write(session_, {getattr(row, "__tablename__", "*") for row in changed})


@event.listens_for(Session, "do_orm_execute")
def _executed(state) -> None:
    statement = state.statement
    if state.is_insert or state.is_update or state.is_delete:
        note_write(state.session, {getattr(getattr(statement, "table", None), "name", None) or "*"})
    elif isinstance(statement, TextClause) and not statement.text.lstrip().upper().startswith(READ_ONLY_SQL):
        note_write(state.session, {"*"})


@event.listens_for(Session, "after_soft_rollback")
def _rolled_back(session_: Session, previous_transaction) -> None:
    if previous_transaction.parent is None:  # the whole transaction, not a savepoint inside it
        session_.info.pop(WROTE, None)


@event.listens_for(Session, "after_commit")
def _committed(session_: Session) -> None:
    tables = session_.info.pop(WROTE, None)
    if not tables or not has_app_context():
        return
    cache = current_app.extensions.get("page_cache")  # even while serving is switched off
    if cache is None:
        return
    try:
        cache.data_changed(tables)
    except redis.RedisError as error:
        # Pages kept before this write may be served until their period has passed.
        log.error("page cache: could not record a write: %s", error)
