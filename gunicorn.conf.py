"""Gunicorn's settings for production: ``gunicorn -c gunicorn.conf.py wsgi:app``.

Gunicorn answers every request with ``Server: gunicorn``; this file drops that header, so the
responses do not say which server (and so which weaknesses) is behind the site. Environment
variables ``GUNICORN_BIND`` and ``GUNICORN_WORKERS`` override the address and the worker count.
"""
import os

from gunicorn.http import wsgi

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", "4"))

_default_headers = wsgi.Response.default_headers


def _without_server_banner(response):
    return [line for line in _default_headers(response) if not line.lower().startswith("server:")]


wsgi.Response.default_headers = _without_server_banner
