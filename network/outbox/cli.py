"""Shared pieces of the cron commands that send mail with links back to the site."""
from __future__ import annotations

from contextlib import AbstractContextManager

import click
from flask import current_app

BASE_URL_HELP = ("The site's address for links in the mail, e.g. https://nettverk.ks.no. "
                 "Not needed when SERVER_NAME is set.")
base_url_option = click.option("--base-url", default=None, help=BASE_URL_HELP)


def link_context(base_url: str | None) -> AbstractContextManager:
    """A context in which ``url_for(..., _external=True)`` builds links to the site, outside a request."""
    app = current_app._get_current_object()
    if base_url is None and not app.config.get("SERVER_NAME"):
        if not app.debug:
            raise click.UsageError("Give --base-url (the site's address), so the links in the mail work.")
        base_url = "http://localhost:5000"
    return app.test_request_context(base_url=base_url) if base_url else app.app_context()
