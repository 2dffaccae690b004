"""Gunicorn's settings for production: ``gunicorn -c gunicorn.conf.py wsgi:app``.

Every setting comes from the environment, so several instances (on two ports, or two machines)
run from this one file:

- ``GUNICORN_BIND`` (default ``127.0.0.1:8000``): the address; keep it private to the proxy.
- ``GUNICORN_WORKERS`` (default 2 × cores + 1, at most 8): sync workers, one request each.
- ``GUNICORN_TIMEOUT`` (default 60 s): a worker silent this long is killed and replaced.
- ``GUNICORN_PRELOAD`` (default on): the app is built once, before the workers fork.
- ``GUNICORN_CONTROL_SOCKET`` (default none): a path for ``gunicornc``, one per instance.
- ``FORWARDED_ALLOW_IPS`` (default ``127.0.0.1,::1`` when any ``PROXY_FIX_*`` is set, else
  nobody): the reverse proxy's addresses. Only a request from one of them may carry
  ``X-Forwarded-*`` headers; from anyone else they are dropped before the app sees them, so the
  app's ProxyFix (``PROXY_FIX_*``: how many proxies set each header) can't be fooled by a client
  that reaches gunicorn directly.

Gunicorn answers every request with ``Server: gunicorn``; this file drops that header, so the
responses do not say which server (and so which weaknesses) is behind the site.
"""
import gc
import ipaddress
import os

from gunicorn.http import wsgi


def _cores() -> int:
    try:
        return len(os.sched_getaffinity(0))  # the cores this process may use, in a container too
    except AttributeError:
        return os.cpu_count() or 1


def _proxy_configured() -> bool:
    names = ("PROXY_FIX_X_FOR", "PROXY_FIX_X_PROTO", "PROXY_FIX_X_HOST", "PROXY_FIX_X_PORT", "PROXY_FIX_X_PREFIX")
    return any(os.environ.get(name, "").strip() not in ("", "0") for name in names)


bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000").split(",")
# Sync workers: the app does blocking database and SMTP calls. More than 8 per instance only adds
# memory (each worker may hash a password with 64 MiB); add instances instead.
worker_class = "sync"
workers = int(os.environ.get("GUNICORN_WORKERS") or min(2 * _cores() + 1, 8))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
graceful_timeout = 30
accesslog = "-"
errorlog = "-"
# Gunicorn's format and the time taken; %(h)s is the client's address once ProxyFix has read it.
access_log_format = '%(h)s %(l)s %(u)s %(t)s "%(r)s" %(s)s %(b)s "%(f)s" "%(a)s" %(L)ss'

# Building the app once in the master saves each worker the start-up (and fails at once on a bad
# configuration instead of in every worker). Safe: building it opens no database connection, and
# post_fork drops any pooled one anyway. New code needs a restart, not a HUP.
preload_app = os.environ.get("GUNICORN_PRELOAD", "1").strip().lower() not in ("0", "false", "no", "off")

# Gunicorn's control socket (``gunicornc``) is one path per user by default, so a second instance on
# the machine would take over the first one's. Off unless GUNICORN_CONTROL_SOCKET names one per instance.
control_socket_disable = not os.environ.get("GUNICORN_CONTROL_SOCKET")
if not control_socket_disable:
    control_socket = os.environ["GUNICORN_CONTROL_SOCKET"]

forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1" if _proxy_configured() else "")


def on_starting(server):
    """Compile every template in the preloaded master, before gunicorn opens its socket (a request
    that arrives meanwhile would wait for it), so no worker pays for them on its first requests."""
    if not server.cfg.preload_app:
        return
    app = server.app.wsgi()
    environment = getattr(app, "jinja_env", None)
    if environment is None:
        return  # not this project's app (a bare one, in a test or a benchmark)
    with app.app_context():
        for name in environment.list_templates(filter_func=lambda name: name.endswith((".html", ".txt", ".ics"))):
            environment.get_template(name)


def pre_fork(server, worker):
    """Freeze what the preloaded master holds just before each fork (Python's advice for forking
    servers, see ``gc.freeze``): the workers share those objects and leave them out of their
    garbage collections, so a full collection walks only what a request made. In-process at
    national scale this took the list pages' p95 from about 250 ms to about 90 ms."""
    if server.cfg.preload_app:
        gc.freeze()


def post_fork(server, worker):
    """A forked worker must never use a database connection the master opened (two processes on one
    socket); dispose of the pool without closing the parent's connections (SQLAlchemy's advice)."""
    if not server.cfg.preload_app:
        return
    app = server.app.wsgi()
    database = getattr(app, "extensions", {}).get("sqlalchemy")
    if database is None:
        return  # not this project's app (a bare one, in a test or a benchmark)
    with app.app_context():
        for engine in database.engines.values():
            engine.dispose(close=False)


def _trusted_networks(cfg):
    allowed = cfg.forwarded_allow_ips
    if "*" in allowed:
        return None
    return [ipaddress.ip_network(address, strict=False) for address in allowed]


def pre_request(worker, req):
    """Drop X-Forwarded-* headers unless the request comes from the proxy (``FORWARDED_ALLOW_IPS``).

    Gunicorn applies that list only to the scheme; the app's ProxyFix trusts these headers by
    count, whoever sent them. Dropping them here makes the list hold for the app too."""
    peer = req.peer_addr
    if not isinstance(peer, tuple):
        return  # a UNIX socket: only the proxy on this machine can reach it
    networks = _trusted_networks(worker.cfg)
    if networks is None:
        return
    address = ipaddress.ip_address(peer[0])
    if not any(address in network for network in networks):
        req.headers = [(name, value) for name, value in req.headers if not name.startswith("X-FORWARDED-")]


_default_headers = wsgi.Response.default_headers


def _without_server_banner(response):
    return [line for line in _default_headers(response) if not line.lower().startswith("server:")]


wsgi.Response.default_headers = _without_server_banner
