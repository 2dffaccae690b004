"""``flask feedback send-anonymous-notices``: the daily count of new anonymous feedback, for cron."""
from __future__ import annotations

import click
from flask.cli import with_appcontext

from network.extensions import db
from network.feedback import services
from network.outbox.cli import base_url_option, link_context
from network.outbox.services import send_pending


@click.command("send-anonymous-notices")
@base_url_option
@click.option("--today", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="Run as if today were this date (YYYY-MM-DD).")
@with_appcontext
def send_anonymous_notices_command(base_url: str | None, today) -> None:
    """Tell each network's KS contact how many anonymous feedback items came in before today, then deliver."""
    with link_context(base_url):
        counted = services.send_anonymous_notices(today.date() if today else None)
        db.session.commit()
        click.echo(f"Counted {counted} anonymous feedback item(s).")
        sent, failed = send_pending()
        click.echo(f"Sent {sent}, failed {failed}.")
