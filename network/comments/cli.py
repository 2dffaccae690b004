"""``flask comments send-digest``: the daily digest, for cron."""
from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext

from network.comments import services
from network.outbox.services import send_pending


@click.command("send-digest")
@with_appcontext
@click.option("--base-url", default=None,
              help="The site's address for links in the mail, e.g. https://nettverk.ks.no. "
                   "Not needed when SERVER_NAME is set.")
def send_digest_command(base_url: str | None) -> None:
    """Mail everyone on the daily digest the comments they haven't heard about, then deliver.
    Safe to run from cron, and twice at once: each notice is claimed by one run only."""
    app = current_app._get_current_object()
    if base_url is None and not app.config.get("SERVER_NAME"):
        if not app.debug:
            raise click.UsageError("Give --base-url (the site's address), so the links in the mail work.")
        base_url = "http://localhost:5000"
    # Links in the mail are built with url_for(_external=True), which needs a host outside a request.
    with app.test_request_context(base_url=base_url) if base_url else app.app_context():
        result = services.send_digest()
        click.echo(f"Queued {result.people} digest(s) with {result.comments} comment(s).")
        sent, failed = send_pending()
        click.echo(f"Sent {sent}, failed {failed}.")
