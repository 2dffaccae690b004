"""Shared pieces of the cron commands that send mail with links back to the site."""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import click
from flask import current_app, g

from network.main.site import site_url

BASE_URL_HELP = ("The site's address for links in the mail, e.g. https://nettverk.ks.no. "
                 "Defaults to SITE_URL.")
base_url_option = click.option("--base-url", default=None, help=BASE_URL_HELP)


@contextmanager
def link_context(base_url: str | None) -> Iterator[None]:
    """A context in which the mail's links (``site_url_for``) go to ``base_url``, or to SITE_URL."""
    app = current_app._get_current_object()
    previous = g.get("site_url")
    if base_url:
        g.site_url = base_url
    try:
        # A request on the site's address, for anything that still asks url_for for a link.
        with app.test_request_context(base_url=site_url()):
            yield
    finally:
        g.site_url = previous
