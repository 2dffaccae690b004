"""The site's own address, and absolute links to it for mail, calendar files and cron commands.

Every absolute link is built from ``SITE_URL``, never from the request: a request's ``Host``
header is the sender's to choose, so a reset link built from it could point anywhere
(``Host: evil.example``). ``flask … --base-url`` may give another address for one run.
"""
from __future__ import annotations

from urllib.parse import quote, urlsplit

from flask import Flask, current_app, g, has_app_context

ANCHOR_SAFE = "%!#$&'()*+,/:;=?@"  # as Flask's url_for


def site_url() -> str:
    """``SITE_URL`` (or a cron run's ``--base-url``), without a trailing slash."""
    override = g.get("site_url") if has_app_context() else None
    return (override or current_app.config["SITE_URL"]).rstrip("/")


def site_url_for(endpoint: str, /, **values) -> str:
    """``url_for(endpoint, **values, _external=True)``, but always on the site's own address.

    Works inside and outside a request. ``_anchor`` is supported; endpoints are full names
    (``"auth.reset_password"``, not ``".reset_password"``)."""
    app = current_app._get_current_object()
    anchor = values.pop("_anchor", None)
    app.inject_url_defaults(endpoint, values)
    parts = urlsplit(site_url())
    adapter = app.url_map.bind(parts.netloc, script_name=parts.path or "/", url_scheme=parts.scheme)
    url = adapter.build(endpoint, values, force_external=True)
    return f"{url}#{quote(anchor, safe=ANCHOR_SAFE)}" if anchor else url


def trusted_hosts(app: Flask) -> None:
    """Production answers only to SITE_URL's host unless TRUSTED_HOSTS says otherwise."""
    if app.config.get("TRUSTED_HOSTS") is None and app.config.get("TRUSTED_HOSTS_FROM_SITE_URL"):
        host = urlsplit(app.config.get("SITE_URL") or "").hostname
        if host:
            app.config["TRUSTED_HOSTS"] = [host]

