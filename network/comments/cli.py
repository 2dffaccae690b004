"""``flask comments send-digest``: the daily digest, for cron."""
from __future__ import annotations

import click
from flask.cli import with_appcontext

from network.comments import services
from network.outbox.cli import base_url_option, link_context
from network.outbox.services import send_pending


@click.command("send-digest")
@with_appcontext
@base_url_option
def send_digest_command(base_url: str | None) -> None:
    """Mail everyone on the daily digest the comments they haven't heard about, then deliver.
    Safe to run from cron, and twice at once: each notice is claimed by one run only."""
    with link_context(base_url):
        result = services.send_digest()
        click.echo(f"Queued {result.people} digest(s) with {result.comments} comment(s).")
        sent, failed = send_pending()
        click.echo(f"Sent {sent}, failed {failed}.")
